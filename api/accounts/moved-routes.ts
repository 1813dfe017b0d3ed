/**
 * The sub-account routes of before issue 17. A PIC is now a user its owner invites by email, who chooses its own
 * password; nobody is handed a bearer token any more. Each old route answers 410 Gone naming its replacement
 * (without a credential: it is a signpost, not a resource), rather than redirecting: a client that followed a
 * redirect would send its old body and expect a token in the answer, which the new routes never give. They are
 * not operations of the OpenAPI document; its description and docs/identity.md list them.
 */
import type { RequestHandler } from 'express';
import { HttpError } from '../shared/errors';

/** Each old route (relative to /v1/sub-accounts) and where it went. */
export const MOVED_SUB_ACCOUNT_ROUTES = [
  { method: 'POST', path: /^\/?$/, was: 'POST /v1/sub-accounts', now: "POST /v1/users (an invitation by email; then POST /v1/api-keys with the PIC's userId if a program needs a key)" },
  { method: 'GET', path: /^\/?$/, was: 'GET /v1/sub-accounts', now: 'GET /v1/users' },
  { method: 'DELETE', path: /^\/[^/]+\/?$/, was: 'DELETE /v1/sub-accounts/{id}', now: 'DELETE /v1/users/{userId}' },
] as const;

/** Mounted at /v1/sub-accounts, before authentication. */
export const movedSubAccountRoutes: RequestHandler = (req, _res, next) => {
  const route = MOVED_SUB_ACCOUNT_ROUTES.find((r) => r.method === req.method && r.path.test(req.path));
  if (!route) return next();
  throw new HttpError(410, 'route_moved', `${route.was} is gone: sub-accounts are users invited by email now; use ${route.now}`);
};
