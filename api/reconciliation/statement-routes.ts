/**
 * Finance's bank statements (`/v1/finance/statements`) and the CSV column mappings they are read with
 * (`/v1/finance/csv-mappings`). An upload is parsed (MT940, CSV with a saved mapping, CAMT.053), recorded with every
 * line's match in one transaction (db/reconciliation/statements.ts), and the exceptions it opens get their
 * workflows; the same file again answers the same statement and adds nothing. Confirming proposals sends each
 * order its normal approve update, with the payment and the check result "bank statement <file> line <n>"; an order
 * that no longer takes it (paid by its slip meanwhile, closed) turns the line into what it now is.
 */
import { Router, type RequestHandler } from 'express';
import multer, { MulterError } from 'multer';
import { z } from 'zod';
import { findOrder } from '../../db/orders/read-model';
import {
  findCsvMapping,
  findStatement,
  importStatement,
  linePayment,
  listCsvMappings,
  listStatements,
  lineExceptionInput,
  proposalToException,
  proposedLines,
  saveCsvMapping,
  settleProposal,
  type ProposedLine,
  type StatementView,
} from '../../db/reconciliation/statements';
import { amountDue, approveUpdate, isOnlineOrder, type ExceptionReason, type OrderView } from '../../workflows/definitions';
import { requireRole } from '../accounts/auth';
import { HttpError } from '../shared/errors';
import { ZPaging } from '../orders/schemas';
import { isRefusedUpdate, updateOrder } from '../orders/order-updates';
import { startExceptionWorkflow, type OpenExceptionDeps } from './open-exception';
import type { ExceptionRouteDeps } from './exception-routes';
import { ZCsvMapping, ZMappingName, type CsvMapping } from './statements/csv-mapping';
import { parseStatement } from './statements/parse-statement';
import { StatementFormatError } from './statements/parsed-statement';

/** The largest statement file accepted. */
export const MAX_STATEMENT_BYTES = 10 * 1024 * 1024;

export const ZStatementId = z.string().regex(/^stm_[0-9a-f]{20}$/, 'must be "stm_" and 20 hex digits');
const ZStatementParams = z.object({ statementId: ZStatementId });
export const ZStatementsQuery = z.strictObject({ ...ZPaging.shape });
/** `POST …/confirm`: the proposed lines to confirm (every proposed line when absent). */
export const ZConfirmLinesRequest = z.strictObject({ lines: z.array(z.int('must be a whole number').min(1)).min(1, 'name at least one line, or leave lines out').max(10_000).optional() });
/** `POST /v1/finance/csv-mappings`. */
export const ZSaveCsvMappingRequest = z.strictObject({ name: ZMappingName, mapping: ZCsvMapping });
const ZUploadFields = z.strictObject({ mapping: ZMappingName.optional() });

/** One line's result of a confirmation. */
export interface ConfirmedLine {
  line: number;
  orderNumber: string;
  outcome: 'confirmed' | 'reconciled' | 'exception' | 'retry';
  reason: ExceptionReason | null;
  message: string | null;
}

/** One file in the field `file` (and the `mapping` field), in memory; refusals name the field. */
const statementUpload: RequestHandler = (req, res, next) => {
  multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_STATEMENT_BYTES, files: 1, fields: 2, parts: 3, fieldSize: 200 } }).single('file')(req, res, (err: unknown) => {
    if (!(err instanceof MulterError)) return next(err);
    if (err.code === 'LIMIT_FILE_SIZE') return next(new HttpError(413, 'payload_too_large', 'file: the statement is larger than allowed', [{ path: 'file', rule: 'must be at most 10 MB' }]));
    const rule = 'send one statement file in the multipart field "file" (and, for a CSV, the mapping\'s name in "mapping")';
    return next(new HttpError(400, 'invalid_input', `${err.field ?? 'file'}: ${rule}`, [{ path: err.field ?? 'file', rule }]));
  });
};

function fileRefusal(rule: string): HttpError {
  return new HttpError(400, 'invalid_input', `file: ${rule}`, [{ path: 'file', rule }]);
}

/** Why a proposal's order no longer takes its payment, from the order as it is now. */
function whyRefused(order: OrderView | null, proposal: ProposedLine): { reason: ExceptionReason; difference: number | null; note: string } {
  const n = proposal.orderNumber;
  if (!order) return { reason: 'order_not_payable', difference: null, note: `order ${n} was not found` };
  if (order.status === 'paid') return { reason: 'duplicate_payment', difference: null, note: `order ${n} was paid by another payment before the line was confirmed` };
  const open = (order.status === 'unpaid' || order.status === 'dealing' || order.status === 'payment_failure') && !order.final;
  if (open && amountDue(order) !== proposal.amount) {
    const difference = proposal.amount - amountDue(order);
    return { reason: 'amount_mismatch', difference, note: `order ${n} is now due ${amountDue(order)}` };
  }
  return { reason: 'order_not_payable', difference: null, note: `order ${n} is ${order.status}${order.final ? ' (final)' : ''} and takes no payment` };
}

/** Confirms one proposal: the order's approve update with the payment, and the line recorded as what it became. */
async function confirmLine(deps: ExceptionRouteDeps, statementId: string, proposal: ProposedLine, by: string): Promise<ConfirmedLine> {
  const { line, orderNumber, paymentId, amount, fileName } = proposal;
  const result = (outcome: ConfirmedLine['outcome'], reason: ExceptionReason | null = null, message: string | null = null): ConfirmedLine => ({ line, orderNumber, outcome, reason, message });
  let refusal: string | null = null;
  try {
    const view = await updateOrder(deps, orderNumber, approveUpdate, { by, checkResult: `bank statement ${fileName} line ${line}`, payment: { paymentId, amount } }, { repeatOf: 'paid' });
    if ((view.payments ?? []).some((p) => p.paymentId === paymentId)) {
      await settleProposal(deps.pool, statementId, line, 'confirmed', by, null);
      return result('confirmed');
    }
  } catch (err) {
    if (err instanceof HttpError && err.status === 503) return result('retry', null, err.message);
    if (!isRefusedUpdate(err)) throw err;
    refusal = err instanceof Error ? err.message : String(err);
  }
  const stored = await findOrder(deps.pool, orderNumber);
  const order = stored && !isOnlineOrder(stored.view) ? stored.view : null;
  if (order && (order.payments ?? []).some((p) => p.paymentId === paymentId)) {
    await settleProposal(deps.pool, statementId, line, 'confirmed', by, null);
    return result('confirmed');
  }
  if (order?.status === 'paid' && (order.payments ?? []).length === 0 && order.amount === amount) {
    await settleProposal(deps.pool, statementId, line, 'reconciled', by, 'the order was paid by its slip for this amount before the line was confirmed');
    return result('reconciled');
  }
  const why = whyRefused(order, proposal);
  const payment = await linePayment(deps.pool, paymentId);
  if (!payment) throw new Error(`statement line ${statementId}/${line} has no received payment ${paymentId}`);
  const exception = lineExceptionInput(payment, { outcome: 'exception', ...why, orderNumber, accountId: stored?.accountId ?? null, wallet: order?.wallet ?? null }, by, deps.policy);
  await proposalToException(deps.pool, statementId, line, exception, by);
  await startExceptionWorkflow(deps as OpenExceptionDeps, exception);
  return result('exception', why.reason, refusal ?? why.note);
}

async function storedStatement(deps: ExceptionRouteDeps, statementId: string): Promise<StatementView> {
  const statement = await findStatement(deps.pool, statementId);
  if (!statement) throw new HttpError(404, 'not_found', `statement ${statementId} was not found`);
  return statement;
}

/** Builds the `/v1/finance/statements` router (finance imports and confirms; ops read). */
export function statementsRouter(deps: ExceptionRouteDeps): Router {
  const router = Router();

  router.post('/', requireRole('finance'), statementUpload, async (req, res) => {
    if (!req.file) throw fileRefusal('is required: the statement (MT940, CSV or CAMT.053) in the multipart field "file"');
    const fields = ZUploadFields.parse(req.body ?? {});
    let mapping: CsvMapping | null = null;
    if (fields.mapping) {
      const saved = await findCsvMapping(deps.pool, fields.mapping);
      if (!saved) throw new HttpError(404, 'not_found', `CSV mapping ${fields.mapping} was not found`, [{ path: 'mapping', rule: 'must name a saved mapping' }]);
      mapping = ZCsvMapping.parse(saved);
    }
    let parsed;
    try {
      parsed = parseStatement(req.file.buffer, mapping);
    } catch (err) {
      if (err instanceof StatementFormatError) throw fileRefusal(err.rule);
      throw err;
    }
    const fileName = (req.file.originalname || 'statement').replace(/[^\w.\- ]/g, '_').slice(0, 200);
    const imported = await importStatement(deps.pool, { ...parsed, fileName, content: req.file.buffer, mapping: fields.mapping ?? null, importedBy: req.principal!.userId, policy: deps.policy });
    // Started after the commit; the same file again starts those a stopped API did not (a no-op for the others).
    for (const exception of imported.exceptions) await startExceptionWorkflow(deps, exception);
    const statement = await storedStatement(deps, imported.statementId);
    if (imported.created) res.status(201).location(`/v1/finance/statements/${imported.statementId}`);
    res.json(statement);
  });

  router.get('/', requireRole('finance', 'ops'), async (req, res) => {
    const { page, pageSize } = ZStatementsQuery.parse(req.query);
    res.json({ ...(await listStatements(deps.pool, page, pageSize)), page, pageSize });
  });

  router.get('/:statementId', requireRole('finance', 'ops'), async (req, res) => {
    const { statementId } = ZStatementParams.parse(req.params);
    res.json(await storedStatement(deps, statementId));
  });

  router.post('/:statementId/confirm', requireRole('finance'), async (req, res) => {
    const { statementId } = ZStatementParams.parse(req.params);
    const { lines } = ZConfirmLinesRequest.parse(req.body ?? {});
    await storedStatement(deps, statementId);
    const proposals = await proposedLines(deps.pool, statementId, lines ?? null);
    const results: ConfirmedLine[] = [];
    for (const proposal of proposals) results.push(await confirmLine(deps, statementId, proposal, req.principal!.userId));
    res.json({ results, statement: await storedStatement(deps, statementId) });
  });

  return router;
}

/** Builds the `/v1/finance/csv-mappings` router. */
export function csvMappingsRouter(deps: ExceptionRouteDeps): Router {
  const router = Router();
  router.get('/', requireRole('finance', 'ops'), async (_req, res) => {
    res.json({ items: await listCsvMappings(deps.pool) });
  });
  router.post('/', requireRole('finance'), async (req, res) => {
    const { name, mapping } = ZSaveCsvMappingRequest.parse(req.body);
    await saveCsvMapping(deps.pool, name, mapping, req.principal!.userId);
    res.json({ name, mapping });
  });
  return router;
}
