/**
 * The submission email names the user who submitted the slip (issue 21, "wrong today"; seed 000's FAQ: "Account
 * Username used to submit the request"), not the order's creator: an owner creates the order, a PIC uploads the slip.
 * Through the API, the real workflow (time-skipping), activities, PostgreSQL and the SMTP sink.
 */
import { simpleParser } from 'mailparser';
import request from 'supertest';
import { bearer, useTestApi } from '../helpers/api';
import { eventually } from '../helpers/eventually';
import { createPicUser, createTestAccount } from '../helpers/fixtures';
import { SLIP_PNG } from '../helpers/slips';

const api = useTestApi();


test('When a PIC submits the slip of an order its owner created, then the "received" email names the PIC as the username that submitted it', async () => {
  const account = await createTestAccount(api.t.db.pool, { companyName: 'PT Slip Oleh PIC' });
  const pic = await createPicUser(api.t.db.pool, account);
  const created = await request(api.app).post('/v1/orders').set(bearer(account.ownerToken)).send({ wallet: 'credit', amount: 250_000 });
  const n = String(created.body.orderNumber);
  const submitted = await request(api.app).post(`/v1/orders/${n}/slip`).set(bearer(pic.token)).attach('slip', SLIP_PNG, { filename: 'slip.png', contentType: 'image/png' });
  expect(submitted.status).toBe(201);

  const mails = await eventually(
    () => Promise.all(api.t.sink.messages.map((m) => simpleParser(m.raw))),
    (ms) => ms.some((m) => m.subject === `Top-up order ${n} received`),
  );
  const received = mails.find((m) => m.subject === `Top-up order ${n} received`)!;
  const text = (received.text ?? '').replace(/[ \t]+/g, ' ');
  expect(text).toContain(`Username: ${pic.username}`);
  expect(text).not.toContain(`Username: ${account.ownerUsername}`);
  expect(text).toContain('Company name: PT Slip Oleh PIC');
});
