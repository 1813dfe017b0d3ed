/**
 * Every credential `npm start` prints works (issue 15, item 2): the demo seed's users, signed in with the very
 * tokens of the banner's lines, against the real API. And the bearer scheme as RFC 9110 has it: the scheme name
 * in any case; a token of the wrong shape is "not valid", a missing one "required".
 */
import request from 'supertest';
import { demoCredentialLines } from '../../scripts/dev-stack';
import { seedDemoData } from '../../scripts/demo-seed';
import { startTestApi, type TestApi } from '../helpers/api';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});

afterAll(async () => {
  await api?.close();
});

/** role, username and token of each printed line (`  ops      ops              demo-…-token`). */
function printed(lines: string[]): Array<{ role: string; username: string; token: string }> {
  return lines.map((line) => {
    const [role, username, token] = line.trim().split(/\s+/);
    return { role: role!, username: username!, token: token! };
  });
}

test('When npm start seeds the demo data, then each credential it prints signs in as its user and role, and seeding again prints the same', async () => {
  const creds = await seedDemoData(api.t.db.pool);
  const shown = printed(demoCredentialLines(creds));
  expect(shown.map((c) => c.role)).toEqual(['owner', 'pic', 'owner', 'finance', 'ops', 'service']);
  for (const { role, username, token } of shown) {
    const me = await request(api.app).get('/v1/me').set('Authorization', `Bearer ${token}`);
    expect({ token, status: me.status, username: me.body.username, role: me.body.role }).toEqual({ token, status: 200, username, role });
  }
  expect(printed(demoCredentialLines(await seedDemoData(api.t.db.pool)))).toEqual(shown);
});

test('When the scheme name is written in another case or followed by several spaces, then the token is accepted all the same', async () => {
  const [owner] = await seedDemoData(api.t.db.pool);
  for (const header of [`bearer ${owner!.token}`, `BEARER ${owner!.token}`, `BeArEr   ${owner!.token}`]) {
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
