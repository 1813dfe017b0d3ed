/**
 * Subscription invoices (seed 002): the account's list, each as a PDF, and paying an unpaid one by a
 * bank-transfer order that settles it (its money goes to the deposit, which then pays the invoice).
 */
import { Router } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import { findInvoice, findInvoicePdf, listInvoices, type InvoiceRecord } from '../../db/billing/invoices';
import { findOpenOrderOfInvoice } from '../../db/orders/read-model';
import { requireRole, scopedAccountId, type Principal } from '../accounts/auth';
import { accountScope } from '../orders/order-access';
import { startOrder, type StartOrderDeps } from '../orders/start-order';
import { findAccount } from '../../db/accounts/accounts';
import { priceInvoicePayment } from '../../workflows/definitions';
import { HttpError } from '../shared/errors';

/** `GET /v1/invoices`. */
export const ZInvoicesQuery = z.strictObject({
  status: z.enum(['unpaid', 'paid']).optional(),
  accountId: z.string().min(1).max(100).optional(),
});

/**
 * `POST /v1/invoices/{id}/pay`: by bank transfer (an order to upload the slip to), or online (an online order whose
 * confirmation page offers virtual account, credit card and e-wallet, as any online top-up's does).
 */
export const ZPayInvoiceRequest = z.strictObject({
  paymentMethod: z.enum(['bank_transfer', 'online'], { error: 'must be bank_transfer or online (then virtual account, credit card or e-wallet on the confirmation page)' }),
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
export function invoicesRouter(deps: StartOrderDeps): Router {
  const router = Router();
  const readers = requireRole('owner', 'pic', 'finance', 'ops');

  router.get('/', readers, async (req, res) => {
    const query = ZInvoicesQuery.parse(req.query);
    const accountId = scopedAccountId(req.principal!, query.accountId);
    res.json({ items: await listInvoices(deps.pool, { accountId, status: query.status }) });
  });

  router.get('/:invoiceId.pdf', readers, async (req, res) => {
    const invoice = await visibleInvoice(deps.pool, req.principal!, req.params);
    const stored = await findInvoicePdf(deps.pool, invoice.id);
    if (!stored) throw new HttpError(404, 'not_found', `invoice ${invoice.id} has no PDF yet: it is stored when the invoice is issued`);
    res.set({
      'Content-Type': 'application/pdf',
      'Content-Disposition': `attachment; filename="${stored.fileName}"`,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'private, no-store',
    });
    res.send(stored.pdf);
  });

  router.post('/:invoiceId/pay', requireRole('owner', 'pic'), async (req, res) => {
    const invoice = await visibleInvoice(deps.pool, req.principal!, req.params);
    const { paymentMethod } = ZPayInvoiceRequest.parse(req.body ?? {});
    if (invoice.status === 'paid') throw new HttpError(409, 'invalid_transition', `invoice ${invoice.id} is already paid`);
    if (invoice.status === 'void') throw new HttpError(409, 'invalid_transition', `invoice ${invoice.id} is void: its service was stopped`);
    const open = await findOpenOrderOfInvoice(deps.pool, invoice.id);
    if (open) throw new HttpError(409, 'invalid_transition', `invoice ${invoice.id} already has order ${open}; continue with it`);
    const settles = { invoiceId: invoice.id, subscriptionId: invoice.subscriptionId };
    if (paymentMethod === 'online') {
      const account = await findAccount(deps.pool, invoice.accountId);
      const lines = [{ wallet: 'deposit' as const, amount: invoice.amount }];
      const bill = priceInvoicePayment(invoice.id, invoice.amount, 'virtual_account', deps.policy);
      const order = await startOrder(deps, req.principal!, { kind: 'online', lines, bill, timeZone: account?.timeZone ?? 'Asia/Jakarta', settles });
      return res.status(201).location(`/v1/orders/${order.orderNumber}`).json(order);
    }
    const order = await startOrder(deps, req.principal!, { kind: 'bank_transfer', wallet: 'deposit', amount: invoice.amount, settles });
    res.status(201).location(`/v1/orders/${order.orderNumber}`).json(order);
  });

  return router;
}
