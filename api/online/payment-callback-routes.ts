/**
 * `POST /v1/payments/callback`: the payment gateway tells us an invoice was paid. No bearer token: the
 * HMAC over the raw body is the credential. A verified event is recorded once by its id, then signalled to the
 * order's workflow; an already-applied one changes nothing and is logged. An unverifiable one changes nothing
 * either: it gets one 401 whatever failed (the reason goes to the log, not to a forger), and its address's
 * failures are held back like failed bearer tokens (failure-backoff.ts); a verified callback is never held.
 */
import express, { Router } from 'express';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { orderWorkflowId, paymentReceivedSignal } from '../../workflows/definitions';
import { isCallbackApplied, markCallbackApplied, recordCallbackEvent } from '../../db/online/payment-events';
import { verifyCallbackSignature } from './callback-signature';
import { HttpError } from '../shared/errors';
import { FailureBackoff, retryAfterSeconds } from '../shared/failure-backoff';

/** What the callback route needs. */
export interface PaymentCallbackDeps {
  pool: Pool;
  temporal: Client;
  callbackSecret: string;
  now: () => Date;
  /** Failed verifications per client address. */
  failures: FailureBackoff;
}

/** Builds the callback router (mounted before any JSON body parser: it needs the raw bytes). */
export function paymentCallbackRouter(deps: PaymentCallbackDeps): Router {
  const router = Router();
  router.post('/callback', express.raw({ type: '*/*', limit: '64kb' }), async (req, res) => {
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const verified = verifyCallbackSignature({
      rawBody,
      timestampHeader: req.header('x-sandbox-timestamp'),
      signatureHeader: req.header('x-sandbox-signature'),
      secret: deps.callbackSecret,
      nowMs: deps.now().getTime(),
    });
    if (!verified.ok) {
      const heldMs = deps.failures.recordFailure(req.ip ?? 'unknown');
      req.log?.warn({ reason: verified.reason, heldMs }, 'payment callback refused');
      if (heldMs > 0) {
        const seconds = retryAfterSeconds(heldMs);
        res.set('Retry-After', String(seconds));
        throw new HttpError(429, 'too_many_requests', `too many unverifiable callbacks from this address; retry after ${seconds} s`);
      }
      throw new HttpError(401, 'invalid_signature', 'the callback could not be verified');
    }
    const { event } = verified;
    const recorded = await recordCallbackEvent(deps.pool, event, rawBody);
    if (recorded === 'duplicate' && (await isCallbackApplied(deps.pool, event.id))) {
      req.log?.info({ eventId: event.id }, 'payment callback repeated; already applied');
      res.json({ received: true, status: 'duplicate' });
      return;
    }
    let disposition = 'signalled';
    try {
      await deps.temporal.workflow.getHandle(orderWorkflowId(event.data.merchantRef)).signal(paymentReceivedSignal, {
        eventId: event.id,
        providerRef: event.data.providerRef,
        amount: event.data.amount,
        paidAt: event.data.paidAt,
      });
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      // No running order takes it (unknown order, or past its late-payment watch): kept for finance.
      disposition = 'unmatched';
      req.log?.warn({ eventId: event.id, orderNumber: event.data.merchantRef }, 'payment for no running order kept for finance');
    }
    await markCallbackApplied(deps.pool, event.id, disposition);
    res.json({ received: true, status: recorded, disposition });
  });
  return router;
}
