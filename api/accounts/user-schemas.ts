/** What names a person: a username and an email, with the rules every route checks them by. */
import { z } from 'zod';
import type { UsernameTakenError } from '../../db/accounts/onboarding';
import { HttpError } from '../shared/errors';

/** A username: lower case, so people need not remember how they capitalised it. */
export const ZUsername = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{2,63}$/, 'must be 3 to 64 characters of a-z, 0-9, . _ - starting with a letter or digit');

/** An email address. */
export const ZEmail = z.email('must be an email address').max(254, 'must be at most 254 characters');

/** A user id in a path. */
export const ZUserId = z.string().regex(/^[\w-]{1,100}$/, 'must be a user id');

/** The 409 of a username someone has, naming the field it was sent in. */
export function usernameTaken(err: UsernameTakenError, path = 'username'): HttpError {
  return new HttpError(409, 'username_taken', err.message, [{ path, rule: 'must be unique' }]);
}
