/**
 * Migration 020 (issue 17) on a database of before it: each bearer token becomes an API key of its user that keeps
 * working (every scope its role uses, no prefix, a name saying where it came from), a revoked token stays revoked,
 * the users keep their rows with no password (so they set one from a link), and the operation log's entries of
 * before read as they did.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { migrate } from '../../db/migrate';
import { projectRoot } from '../../config/paths';
import { startTestApi, type TestApi } from '../helpers/api';
import { appVariant } from '../helpers/app-variant';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

let api: TestApi;
let db: TestDatabase;
const MIGRATIONS = path.join(projectRoot(), 'db', 'migrations');

beforeAll(async () => {
  [api, db] = await Promise.all([startTestApi(), createTestDatabase({ empty: true })]);
});
afterAll(async () => {
  await db?.drop();
  await api?.close();
});

const sha256 = (token: string) => createHash('sha256').update(token, 'utf8').digest();

test('When bearer tokens were stored before API keys, then after the migration each works as a key of its user, and a revoked one stays refused', async () => {
  // The schema as it was before: every migration below 020.
  const before = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-before-'));
  for (const file of fs.readdirSync(MIGRATIONS).filter((f) => f < '020')) fs.copyFileSync(path.join(MIGRATIONS, file), path.join(before, file));
  await migrate(db.pool, before);

  const q = (sql: string, values: unknown[] = []) => db.pool.query(sql, values);
  await q(`INSERT INTO accounts (id, company_name) VALUES ('acc_old', 'PT Lama')`);
  await q(`INSERT INTO users (id, account_id, username, email, role) VALUES ('usr_old_owner', 'acc_old', 'old.owner', 'o@old.example', 'owner'), ('usr_old_service', NULL, 'old-service', 's@old.example', 'service'), ('usr_old_pic', 'acc_old', 'old.pic', 'p@old.example', 'pic')`);
  await q(`INSERT INTO api_tokens (token_sha256, user_id, created_at) VALUES ($1, 'usr_old_owner', '2026-01-02T03:04:05Z'), ($2, 'usr_old_service', now())`, [sha256('old-owner-token-0123456789'), sha256('old-service-token-0123456789')]);
  await q(`INSERT INTO api_tokens (token_sha256, user_id, revoked_at) VALUES ($1, 'usr_old_pic', now())`, [sha256('old-pic-token-0123456789ab')]);
  await q(`INSERT INTO operation_log (account_id, actor_id, action, details) VALUES ('acc_old', 'usr_old_owner', 'sub_account.create', '{"userId":"usr_old_pic"}')`);

  expect(await migrate(db.pool)).toEqual(expect.arrayContaining(['020_identity.sql']));

  const keys = await q(`SELECT k.user_id, k.prefix, k.name, k.scopes, k.created_at, k.revoked_at IS NOT NULL AS revoked FROM api_keys k ORDER BY k.user_id`);
  expect(keys.rows).toEqual([
    { user_id: 'usr_old_owner', prefix: null, name: 'bearer token issued before API keys', scopes: ['read', 'write'], created_at: new Date('2026-01-02T03:04:05Z'), revoked: false },
    { user_id: 'usr_old_pic', prefix: null, name: 'bearer token issued before API keys', scopes: ['read', 'write'], created_at: expect.any(Date), revoked: true },
    { user_id: 'usr_old_service', prefix: null, name: 'bearer token issued before API keys', scopes: ['read', 'write', 'usage'], created_at: expect.any(Date), revoked: false },
  ]);
  expect((await q(`SELECT to_regclass('api_tokens') AS t`)).rows[0]).toEqual({ t: null });
  expect((await q(`SELECT count(*)::int AS n FROM users WHERE password_hash IS NULL`)).rows[0]).toEqual({ n: 3 });
  expect((await q(`SELECT action, account_id, actor_id, address FROM operation_log`)).rows).toEqual([{ action: 'sub_account.create', account_id: 'acc_old', actor_id: 'usr_old_owner', address: null }]);

  // The app on the migrated database: the old tokens as keys.
  const app = appVariant(api, { pool: db.pool });
  const me = await request(app).get('/v1/me').set('authorization', 'Bearer old-owner-token-0123456789');
  expect(me.body).toMatchObject({ username: 'old.owner', role: 'owner', credential: 'api_key', account: { id: 'acc_old', currency: 'IDR', status: 'active' } });
  expect((await request(app).get('/v1/me').set('authorization', 'Bearer old-service-token-0123456789')).body).toMatchObject({ role: 'service' });
  expect((await request(app).get('/v1/me').set('authorization', 'Bearer old-pic-token-0123456789ab')).status).toBe(401);
  // The old owner token reads the old log entry, actor and all.
  const log = await request(app).get('/v1/operation-log').set('authorization', 'Bearer old-owner-token-0123456789');
  expect(log.body.items).toEqual([expect.objectContaining({ action: 'sub_account.create', actor: { id: 'usr_old_owner', username: 'old.owner', role: 'owner' }, address: null })]);
  // Only IDR can be an account's currency, and only the six roles a user's.
  await expect(q(`UPDATE accounts SET currency = 'USD'`)).rejects.toThrow(/accounts_currency_supported/);
  await expect(q(`UPDATE users SET role = 'root' WHERE id = 'usr_old_service'`)).rejects.toThrow(/users_role_check/);
});
