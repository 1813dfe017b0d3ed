/**
 * Every credential `npm start` prints works (issue 15, item 2; issue 17): the demo seed's people sign in with the
 * very usernames and passwords of the banner's lines, and each printed API key acts as its user and role, against
 * the real API. And the bearer scheme as RFC 9110 has it: the scheme name in any case; a token of the wrong shape
 * is "not valid", a missing one "required".
 */
import request from 'supertest';
import { demoApiKeyLines, demoSignInLines } from '../../scripts/dev-stack';
import { seedDemoData as seed } from '../../scripts/demo-seed';
import { TEST_PASSWORD_LINK_SECRET } from '../helpers/activity-deps';
import { useTestApi } from '../helpers/api';

const seedDemoData = (pool: Parameters<typeof seed>[0]) => seed(pool, TEST_PASSWORD_LINK_SECRET);

const api = useTestApi();

/** role, username and secret (password or key) of each printed line (`  ops      ops              demo-…-token`). */
function printed(lines: string[]): Array<{ role: string; username: string; token: string }> {
  return lines.map((line) => {
    const [role, username, token] = line.trim().split(/\s+/);
    return { role: role!, username: username!, token: token! };
  });
}

test('When npm start seeds the demo data, then each username and password it prints signs in as its user and role, and seeding again prints the same', async () => {
  const creds = await seedDemoData(api.t.db.pool);
  const shown = printed(demoSignInLines(creds));
  expect(shown.map((c) => c.role)).toEqual(['admin', 'owner', 'pic', 'owner', 'finance', 'ops']);
  for (const { role, username, token: password } of shown) {
    const session = await request(api.app).post('/v1/session').send({ username, password });
    expect({ username, status: session.status, signedIn: session.body.user?.username, role: session.body.user?.role }).toEqual({ username, status: 200, signedIn: username, role });
  }
  expect(printed(demoSignInLines(await seedDemoData(api.t.db.pool)))).toEqual(shown);
});

test('When npm start seeds the demo data, then each API key it prints acts as its user and role, and seeding again prints the same', async () => {
  const creds = await seedDemoData(api.t.db.pool);
  const shown = printed(demoApiKeyLines(creds));
  expect(shown.map((c) => c.role)).toEqual(['owner', 'pic', 'owner', 'finance', 'ops', 'service']);
  for (const { role, username, token } of shown) {
    const me = await request(api.app).get('/v1/me').set('Authorization', `Bearer ${token}`);
    expect({ token, status: me.status, username: me.body.username, role: me.body.role }).toEqual({ token, status: 200, username, role });
  }
  expect(printed(demoApiKeyLines(await seedDemoData(api.t.db.pool)))).toEqual(shown);
});

test('When the demo data is seeded, then it was onboarded the way a deployment is: the log shows the invitations, each password set from its link, and the keys made by owners and the admin', async () => {
  await seedDemoData(api.t.db.pool);
  const log = await api.t.db.pool.query<{ action: string; n: number }>(`SELECT action, count(*)::int AS n FROM operation_log WHERE action NOT LIKE 'session.%' GROUP BY action ORDER BY action`);
  expect(Object.fromEntries(log.rows.map((r) => [r.action, r.n]))).toEqual({
    'account.create': 2,
    'api_key.create': 6,
    'user.create': 1,
    'user.invite': 6,
    'user.password_set': 6,
  });
  const links = await api.t.db.pool.query<{ purpose: string; used: boolean }>(`SELECT purpose, used_at IS NOT NULL AS used FROM password_links ORDER BY purpose`);
  expect(links.rows.filter((l) => l.used).map((l) => l.purpose).sort()).toEqual(['invitation', 'invitation', 'invitation', 'invitation', 'invitation', 'setup']);
});

test('When the scheme name is written in another case or followed by several spaces, then the token is accepted all the same', async () => {
  const owner = (await seedDemoData(api.t.db.pool)).find((c) => c.role === 'owner')!;
  for (const header of [`bearer ${owner.apiKey}`, `BEARER ${owner.apiKey}`, `BeArEr   ${owner.apiKey}`]) {
    const me = await request(api.app).get('/v1/me').set('Authorization', header);
    expect({ header, status: me.status, username: me.body.username }).toEqual({ header, status: 200, username: 'acme.owner' });
  }
});

test.each([
  ['a token shorter than 16 characters', 'Bearer demo-ops-token'],
  ['a token with a character no token has', 'Bearer demo-acme-owner-token!'],
  ['a token of 201 characters', `Bearer ${'a'.repeat(201)}`],
  ['two tokens', 'Bearer demo-acme-owner-token demo-finance-token'],
])('When the bearer token is %s, then 401 "the bearer token is not valid"', async (_label, header) => {
  await seedDemoData(api.t.db.pool);
  const res = await request(api.app).get('/v1/me').set('Authorization', header);
  expect({ status: res.status, error: res.body.error }).toEqual({ status: 401, error: { code: 'unauthenticated', message: 'the bearer token is not valid', fields: [] } });
  expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
});

test.each([
  ['no Authorization header', undefined],
  ['another scheme', 'Basic ZGVtbzpkZW1v'],
  ['the scheme alone', 'Bearer'],
])('When the request has %s, then 401 "a bearer token is required"', async (_label, header) => {
  const req = request(api.app).get('/v1/me');
  const res = await (header === undefined ? req : req.set('Authorization', header));
  expect({ status: res.status, message: res.body.error?.message }).toEqual({ status: 401, message: 'a bearer token is required' });
  expect(res.headers['www-authenticate']).toBe('Bearer');
});
