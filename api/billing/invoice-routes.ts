/**
 * Subscription invoices (seed 002): the account's list, each as a PDF, and paying an unpaid one by a
 * bank-transfer order that settles it (its money goes to the deposit, which then pays the invoice).
 */
import { Router } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import { findInvoice, invoiceDocumentData, listInvoices, type InvoiceRecord } from '../../activities/billing/billing-activities';
import { renderSubscriptionInvoicePdf, subscriptionInvoiceFileName } from '../../activities/billing/subscription-invoice';
import { accountScope } from '../orders/order-access';
import { requireRole, scopedAccountId, type Principal } from '../accounts/auth';
import { HttpError } from '../shared/errors';
import { startBankTransferOrder } from '../orders/start-order';
import type { OrderRouteDeps } from '../orders/order-routes';

/** `GET /v1/invoices`. */
export const ZInvoicesQuery = z.strictObject({
  status: z.enum(['unpaid', 'paid']).optional(),
  accountId: z.string().min(1).max(100).optional(),
});

/** `POST /v1/invoices/{id}/pay`. */
export const ZPayInvoiceRequest = z.strictObject({
  paymentMethod: z.literal('bank_transfer', { error: 'an invoice is paid by bank transfer here (online payment of invoices is not offered yet)' }),
});

export const ZInvoiceId = z.string().regex(/^sub_[0-9a-f]{16}-\d{3}$/, 'must be an invoice id such as sub_0123456789abcdef-001');
const ZInvoiceParams = z.object({ invoiceId: ZInvoiceId });

async function visibleInvoice(pool: Pool, principal: Principal, params: unknown): Promise<InvoiceRecord> {
  const { invoiceId: id } = ZInvoiceParams.parse(params);
  const invoice = await findInvoice(pool, id);
  const scope = accountScope(principal);
  if (!invoice || (scope !== null && invoice.accountId !== scope)) throw new HttpError(404, 'not_found', `invoice ${id} was not found`);
  return invoice;
}

/** Builds the `/v1/invoices` router. */
export function invoicesRouter(deps: OrderRouteDeps): Router {
  const router = Router();
  const readers = requireRole('owner', 'pic', 'finance', 'ops');

  router.get('/', readers, async (req, res) => {
    const query = ZInvoicesQuery.parse(req.query);
    const accountId = scopedAccountId(req.principal!, query.accountId);
    res.json({ items: await listInvoices(deps.pool, { accountId, status: query.status }) });
  });

  router.get('/:invoiceId.pdf', readers, async (req, res) => {
    const invoice = await visibleInvoice(deps.pool, req.principal!, req.params);
    const data = await invoiceDocumentData(deps.pool, deps.provider, invoice);
    const pdf = Buffer.from(await renderSubscriptionInvoicePdf(data));
    res.set({
      'Content-Type': 'application/pdf',
      'Content-Disposition': `attachment; filename="${subscriptionInvoiceFileName(data)}"`,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'private, no-store',
    });
    res.send(pdf);
  });

  router.post('/:invoiceId/pay', requireRole('owner', 'pic'), async (req, res) => {
    const invoice = await visibleInvoice(deps.pool, req.principal!, req.params);
    ZPayInvoiceRequest.parse(req.body ?? {});
    if (invoice.status === 'paid') throw new HttpError(409, 'invalid_transition', `invoice ${invoice.id} is already paid`);
    const open = await deps.pool.query<{ order_number: string }>(
      `SELECT order_number FROM orders WHERE invoice_id = $1 AND status IN ('Unpaid', 'Dealing', 'Paid') LIMIT 1`,
      [invoice.id],
    );
    if (open.rows[0]) throw new HttpError(409, 'invalid_transition', `invoice ${invoice.id} already has order ${open.rows[0].order_number}; continue with it`);
    const order = await startBankTransferOrder(deps, req.principal!, { wallet: 'deposit', amount: invoice.amount, settles: { invoiceId: invoice.id, subscriptionId: invoice.subscriptionId } });
    res.status(201).location(`/v1/orders/${order.orderNumber}`).json(order);
  });

  return router;
}
