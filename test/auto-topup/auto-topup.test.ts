/**
 * Automatic top-up (issue 20) through the API, with the real rule workflow in the time-skipping server, the real
 * activities, PostgreSQL, the SMTP sink, the sandbox gateway's saved cards and off-session charges over HTTP, and a
 * real webhook receiver checking each event with the verification code of docs/webhooks.md. Each test asserts what
 * the owner sees: the attempts, the balance, the card's charges at the gateway, the email, the webhook event.
 */
import { simpleParser, type ParsedMail } from 'mailparser';
import request from 'supertest';
import type { AutoTopupAttempt } from '../../db/auto-topup/attempts';
import { checkLedger } from '../../db/ledger/ledger-checker';
import { getBalances } from '../../db/ledger/ledger';
import { autoTopupWorkflowId } from '../../workflows/definitions';
import { TEST_GATEWAY } from '../helpers/activity-deps';
import { bearer, useStaffUsers, useTestApi } from '../helpers/api';
import { eventually } from '../helpers/eventually';
import { createTestAccount, type TestAccount } from '../helpers/fixtures';
import { recordHistory } from '../helpers/histories';
import { SLIP_PNG } from '../helpers/slips';
import { loadDocumentedVerifier, useWebhookReceiver, type ReceivedWebhook } from '../helpers/webhook-receiver';

const api = useTestApi();
const { finance, service } = useStaffUsers(api, 'finance', 'service');
const receiver = useWebhookReceiver();
const verify = loadDocumentedVerifier();

const http = () => request(api.app);
const DECLINING_CARD = '4000000000000002';

interface Customer {
  account: TestAccount;
  secret: string;
  path: string;
}

/** An account whose webhook endpoint takes the automatic top-up events. */
async function customer(): Promise<Customer> {
  const account = await createTestAccount(api.t.db.pool);
  const path = `/${account.accountId}`;
  const endpoint = await http()
    .post('/v1/webhook-endpoints')
    .set(bearer(account.ownerToken))
    .send({ url: receiver.url(path), eventTypes: ['balance.auto_topup_succeeded', 'balance.auto_topup_failed'] });
  expect(endpoint.status).toBe(201);
  return { account, secret: endpoint.body.secret as string, path };
}

/** Saves a card the way an owner does: a setup at the gateway, the card entered on its page, then saved here. */
async function savedCard(account: TestAccount, number = '4242424242424242'): Promise<string> {
  const setup = await http().post('/v1/card-setups').set(bearer(account.ownerToken));
  expect(setup.status).toBe(201);
  const page = await fetch(setup.body.url as string, { method: 'POST', body: new URLSearchParams({ number }) });
  expect(await page.text()).toContain(`ending ${number.slice(-4)}`);
  const card = await http().post('/v1/cards').set(bearer(account.ownerToken)).send({ setupRef: setup.body.setupRef });
  expect(card.status).toBe(201);
  expect(card.body).toMatchObject({ last4: number.slice(-4), brand: 'visa' });
  return card.body.id as string;
}

/** Credits the credit wallet the way customers do: a bank transfer, its slip, finance's approval. */
async function fundCredit(account: TestAccount, amount: number): Promise<void> {
  const orderNumber = await dealingOrder(account, amount);
  expect((await http().post(`/v1/orders/${orderNumber}/approve`).set(bearer(finance.token)).send({})).body.status).toBe('paid');
}

async function dealingOrder(account: TestAccount, amount: number): Promise<string> {
  const created = await http().post('/v1/orders').set(bearer(account.ownerToken)).send({ wallet: 'credit', amount });
  const orderNumber = String(created.body.orderNumber);
  expect((await http().post(`/v1/orders/${orderNumber}/slip`).set(bearer(account.ownerToken)).attach('slip', SLIP_PNG, { filename: 'slip.png', contentType: 'image/png' })).status).toBe(201);
  return orderNumber;
}

async function saveRule(account: TestAccount, wallet: string, rule: object): Promise<request.Response> {
  return http().put(`/v1/auto-topups/${wallet}`).set(bearer(account.ownerToken)).send({ enabled: true, mode: 'target', dailyCap: 10_000_000, monthlyCap: 50_000_000, ...rule });
}

function useBalance(account: TestAccount, wallet: string, amount: number, key: string): Promise<request.Response> {
  return http().post('/v1/usage').set(bearer(service.token)).set('Idempotency-Key', key).send({ accountId: account.accountId, wallet, amount });
}

/** An attempt as the API lists it (its dates, JSON strings there, are not read here). */
type Attempt = Omit<AutoTopupAttempt, 'createdAt' | 'finishedAt'>;

async function attempts(account: TestAccount): Promise<Attempt[]> {
  const res = await http().get('/v1/auto-topup-attempts').query({ pageSize: 100 }).set(bearer(account.ownerToken));
  expect(res.status).toBe(200);
  return (res.body.items as Attempt[]).reverse();
}

/** Waits until the attempts settle on `outcomes` (oldest first). */
async function attemptsUntil(account: TestAccount, outcomes: string[]): Promise<Attempt[]> {
  const got = await eventually(() => attempts(account), (a) => a.map((x) => x.outcome).join() === outcomes.join());
  expect(got.map((a) => a.outcome)).toEqual(outcomes);
  return got;
}

async function balanceOf(account: TestAccount, wallet: string): Promise<number> {
  return (await getBalances(api.t.db.pool, account.accountId)).find((b) => b.wallet === wallet)!.current;
}

/** The owner's emails about automatic top-ups, oldest first. */
async function emailsTo(account: TestAccount, n: number): Promise<ParsedMail[]> {
  const read = async () => (await Promise.all(api.t.sink.messages.filter((m) => m.to.includes(account.ownerEmail)).map((m) => simpleParser(m.raw)))).filter((m) => m.subject?.includes('utomatic top-up'));
  const mails = await eventually(read, (ms) => ms.length >= n);
  expect(mails).toHaveLength(n);
  return mails;
}

/** The automatic top-up events the customer's endpoint received, each verified as the customer verifies it. */
async function eventsAt(c: Customer, n: number): Promise<ReceivedWebhook['event'][]> {
  const got = await eventually(async () => receiver.at(c.path), (r) => r.length >= n);
  expect(got).toHaveLength(n);
  return got.map((r) => verify(r.rawBody, r.headers['topup-signature'] as string, c.secret));
}

/** The card charges of an account's attempts at the gateway. */
function gatewayCharges(attemptIds: string[]) {
  return api.t.gateway.charges().filter((c) => attemptIds.includes(c.key));
}

test('When 50 usage charges in a burst each leave the wallet below its threshold, then exactly one top-up is made, charged once, credited once', async () => {
  const c = await customer();
  await fundCredit(c.account, 400_500);
  const cardId = await savedCard(c.account);
  const saved = await saveRule(c.account, 'credit', { threshold: 400_000, amount: 1_000_000, cardId });
  expect(saved.status).toBe(200);
  expect(saved.body).toMatchObject({ wallet: 'credit', status: 'active', card: { id: cardId, last4: '4242' } });
  expect(await attempts(c.account)).toEqual([]);

  const burst = await Promise.all(Array.from({ length: 50 }, (_, i) => useBalance(c.account, 'credit', 1_000, `${c.account.accountId}-burst-${i}`)));
  expect(burst.map((r) => r.status)).toEqual(Array(50).fill(201));
  expect(burst.every((r) => r.body.balanceAfter.current < 400_000)).toBe(true);

  const [made] = await attemptsUntil(c.account, ['succeeded']);
  // Computed once from the balance at that moment: up to the target, the card fee on top.
  expect(made!.amount).toBe(1_000_000 - made!.balance);
  expect(made!.charged).toBe(made!.amount! + made!.fee!);
  expect(made!.fee).toBe(Math.round((made!.amount! * 350) / 10_000));
  await new Promise((r) => setTimeout(r, 2_000));
  expect((await attempts(c.account)).map((a) => a.outcome)).toEqual(['succeeded']);
  expect(gatewayCharges([made!.id]).map((ch) => ch.status)).toEqual([201]);
  expect(await balanceOf(c.account, 'credit')).toBe(400_500 - 50_000 + made!.amount!);
  expect(await checkLedger(api.t.db.pool)).toEqual([]);

  const [mail] = await emailsTo(c.account, 1);
  expect(mail!.subject).toBe(`Automatic top-up made: API credit ${made!.orderNumber}`);
  expect(mail!.text).toContain('•••• 4242');
  const [event] = await eventsAt(c, 1);
  expect(event).toMatchObject({ type: 'balance.auto_topup_succeeded', data: { attempt: { id: made!.id, outcome: 'succeeded', amount: made!.amount, orderNumber: made!.orderNumber } } });
  await recordHistory('auto-topup-burst-one-charge', api.env.client.workflow.getHandle(autoTopupWorkflowId(c.account.accountId, 'credit')));
});

test('When a top-up is already on its way, then the target-balance amount counts it: only the rest is charged', async () => {
  const c = await customer();
  await fundCredit(c.account, 20_000);
  const underReview = await dealingOrder(c.account, 50_000);
  const cardId = await savedCard(c.account);
  expect((await saveRule(c.account, 'credit', { threshold: 100_000, amount: 500_000, cardId })).status).toBe(200);
  const [made] = await attemptsUntil(c.account, ['succeeded']);
  expect(made).toMatchObject({ balance: 20_000, pending: 50_000, amount: 430_000, fee: 15_050, charged: 445_050, balanceAfter: 450_000 });
  // The slip under review is approved: the wallet reaches the target, not beyond it.
  expect((await http().post(`/v1/orders/${underReview}/approve`).set(bearer(finance.token)).send({})).status).toBe(200);
  expect(await balanceOf(c.account, 'credit')).toBe(500_000);
  expect(gatewayCharges([made!.id]).map((ch) => ch.status === 201 && ch.charge.amount)).toEqual([445_050]);
});

test("When a WhatsApp wallet's target is below the WhatsApp minimum, then the top-up is raised to IDR 1,000,000 and says so", async () => {
  const c = await customer();
  const cardId = await savedCard(c.account);
  expect((await saveRule(c.account, 'whatsapp', { threshold: 200_000, amount: 500_000, cardId })).status).toBe(200);
  const [made] = await attemptsUntil(c.account, ['succeeded']);
  expect(made).toMatchObject({ balance: 0, amount: 1_000_000, fee: 35_000, charged: 1_035_000, reason: 'raised to the minimum WhatsApp top-up of IDR 1,000,000', balanceAfter: 1_000_000 });
  expect(await balanceOf(c.account, 'whatsapp')).toBe(1_000_000);
  const [event] = await eventsAt(c, 1);
  expect(event!.data.attempt).toMatchObject({ wallet: 'whatsapp', amount: 1_000_000, charged: 1_035_000 });
});

test('When the top-up would pass the daily cap, then it is stopped with a record, an email and an event, once that day; the next day again', async () => {
  const c = await customer();
  await fundCredit(c.account, 50_000);
  const cardId = await savedCard(c.account);
  expect((await saveRule(c.account, 'credit', { threshold: 100_000, amount: 300_000, cardId, dailyCap: 200_000, monthlyCap: 5_000_000 })).status).toBe(200);
  const [capped] = await attemptsUntil(c.account, ['cap_reached']);
  expect(capped).toMatchObject({ balance: 50_000, amount: 250_000, charged: 258_750 });
  expect(capped!.reason).toBe('the daily cap of IDR 200,000 is reached: IDR 0 charged today, this top-up would charge IDR 258,750');
  const [mail] = await emailsTo(c.account, 1);
  expect(mail!.subject).toBe('Automatic top-up stopped: cap reached: API credit');
  expect(mail!.text).toContain('the daily cap of IDR 200,000 is reached');
  const [event] = await eventsAt(c, 1);
  expect(event).toMatchObject({ type: 'balance.auto_topup_failed', data: { reason: 'cap_reached', attempt: { id: capped!.id, outcome: 'cap_reached' } } });

  // More usage the same day: the stop is known; no second record, email or event.
  expect((await useBalance(c.account, 'credit', 1_000, `${c.account.accountId}-same-day`)).status).toBe(201);
  await new Promise((r) => setTimeout(r, 1_500));
  expect((await attempts(c.account)).map((a) => a.outcome)).toEqual(['cap_reached']);
  expect(receiver.at(c.path)).toHaveLength(1);
  expect(gatewayCharges([capped!.id])).toEqual([]);

  await api.env.sleep('24h');
  expect((await useBalance(c.account, 'credit', 1_000, `${c.account.accountId}-next-day`)).status).toBe(201);
  await attemptsUntil(c.account, ['cap_reached', 'cap_reached']);
  await emailsTo(c.account, 2);
  await eventsAt(c, 2);
});

test('When the card is declined three times in a row, then each decline and the pause have their record, email and event, and a paused rule charges nothing more until saved again', async () => {
  const c = await customer();
  await fundCredit(c.account, 50_000);
  const declining = await savedCard(c.account, DECLINING_CARD);
  expect((await saveRule(c.account, 'credit', { threshold: 100_000, amount: 300_000, cardId: declining })).status).toBe(200);
  await attemptsUntil(c.account, ['declined']);
  expect((await useBalance(c.account, 'credit', 1_000, `${c.account.accountId}-d2`)).status).toBe(201);
  await attemptsUntil(c.account, ['declined', 'declined']);
  expect((await useBalance(c.account, 'credit', 1_000, `${c.account.accountId}-d3`)).status).toBe(201);
  const all = await attemptsUntil(c.account, ['declined', 'declined', 'declined', 'rule_paused']);
  expect(all[0]!.reason).toMatch(/card_declined/);
  expect(all[3]!.reason).toMatch(/^paused after 3 failed charges in a row/);
  const rule = await http().get('/v1/auto-topups').set(bearer(c.account.ownerToken));
  expect(rule.body.items[0]).toMatchObject({ wallet: 'credit', status: 'paused', consecutiveFailures: 3 });

  const mails = await emailsTo(c.account, 4);
  expect(mails.map((m) => m.subject!.replace(/ \d{13}$/, ''))).toEqual([
    'Automatic top-up declined: API credit',
    'Automatic top-up declined: API credit',
    'Automatic top-up declined: API credit',
    'Automatic top-up paused: API credit',
  ]);
  const events = await eventsAt(c, 4);
  expect(events.map((e) => [e.type, e.data.reason])).toEqual([
    ['balance.auto_topup_failed', 'declined'],
    ['balance.auto_topup_failed', 'declined'],
    ['balance.auto_topup_failed', 'declined'],
    ['balance.auto_topup_failed', 'rule_paused'],
  ]);
  expect(gatewayCharges(all.map((a) => a.id)).map((ch) => ch.status)).toEqual([402, 402, 402]);

  // Paused: usage below the threshold charges nothing.
  expect((await useBalance(c.account, 'credit', 1_000, `${c.account.accountId}-d4`)).status).toBe(201);
  await new Promise((r) => setTimeout(r, 1_500));
  expect(await attempts(c.account)).toHaveLength(4);

  // The owner gives it a good card: saving resumes the rule, and the wallet is topped up.
  const good = await savedCard(c.account);
  expect((await saveRule(c.account, 'credit', { threshold: 100_000, amount: 300_000, cardId: good })).body).toMatchObject({ status: 'active', consecutiveFailures: 0 });
  await attemptsUntil(c.account, ['declined', 'declined', 'declined', 'rule_paused', 'succeeded']);
  expect(await balanceOf(c.account, 'credit')).toBe(300_000);
  // The declining card is in use no longer; the good one is, and cannot be removed.
  expect((await http().delete(`/v1/cards/${declining}`).set(bearer(c.account.ownerToken))).status).toBe(204);
  const inUse = await http().delete(`/v1/cards/${good}`).set(bearer(c.account.ownerToken));
  expect({ status: inUse.status, code: inUse.body.error.code }).toEqual({ status: 409, code: 'card_in_use' });
  await recordHistory('auto-topup-declined-paused-resumed', api.env.client.workflow.getHandle(autoTopupWorkflowId(c.account.accountId, 'credit')));
});

test("When a deposit top-up would pass the deposit's largest top-up, or the deposit rules refuse it, then it is stopped with a record, an email and an event naming the rule", async () => {
  const c = await customer();
  const cardId = await savedCard(c.account);
  expect((await saveRule(c.account, 'deposit', { threshold: 100_000, amount: 400_000, cardId })).status).toBe(200);
  const [stopped] = await attemptsUntil(c.account, ['amount_above_limit']);
  expect(stopped).toMatchObject({ balance: 0, amount: 400_000, charged: null, reason: 'IDR 400,000 is above the largest deposit top-up, IDR 250,000' });
  expect((await emailsTo(c.account, 1))[0]!.subject).toBe('Automatic top-up stopped: amount above the limit: Hosting deposit');
  const [event] = await eventsAt(c, 1);
  expect(event).toMatchObject({ type: 'balance.auto_topup_failed', data: { reason: 'amount_above_limit' } });

  // Within the limit, but the account has no active subscription: a deposit top-up is not allowed (seed 002).
  expect((await saveRule(c.account, 'deposit', { threshold: 100_000, amount: 200_000, cardId })).status).toBe(200);
  const [, refused] = await attemptsUntil(c.account, ['amount_above_limit', 'not_allowed']);
  expect(refused).toMatchObject({ amount: 200_000, charged: 207_000, reason: 'a deposit top-up needs an active subscription' });
  const [, second] = await eventsAt(c, 2);
  expect(second).toMatchObject({ type: 'balance.auto_topup_failed', data: { reason: 'not_allowed' } });
  expect(gatewayCharges([refused!.id])).toEqual([]);
});

test('When a rule or a card breaks a rule, then 400 names the field, and nothing is saved', async () => {
  const { account } = await customer();
  const other = await customer();
  const othersCard = await savedCard(other.account);
  const cases: Array<[object, string]> = [
    [{ threshold: 500_000, amount: 400_000, cardId: othersCard }, 'amount'],
    [{ threshold: 100_000, amount: 400_000, cardId: othersCard }, 'cardId'],
    [{ threshold: 100_000, amount: 400_000, cardId: othersCard, dailyCap: 500_000, monthlyCap: 100_000 }, 'monthlyCap'],
    [{ threshold: -1, amount: 400_000, cardId: othersCard }, 'threshold'],
    [{ threshold: 100_000, amount: 400_000, cardId: othersCard, mode: 'double' }, 'mode'],
  ];
  for (const [rule, field] of cases) {
    const res = await saveRule(account, 'credit', rule);
    expect({ status: res.status, field: res.body.error.fields[0].path }).toEqual({ status: 400, field });
  }
  expect((await http().put('/v1/auto-topups/gold').set(bearer(account.ownerToken)).send({})).body.error.fields[0].path).toBe('(body)');
  expect((await http().get('/v1/auto-topups').set(bearer(account.ownerToken))).body.items).toEqual([]);
  const pending = await http().post('/v1/card-setups').set(bearer(account.ownerToken));
  const notEntered = await http().post('/v1/cards').set(bearer(account.ownerToken)).send({ setupRef: pending.body.setupRef });
  expect({ status: notEntered.status, code: notEntered.body.error.code }).toEqual({ status: 409, code: 'card_setup_pending' });
  // Another account's setup is not this account's to save.
  const theirs = await http().post('/v1/card-setups').set(bearer(other.account.ownerToken));
  await fetch(`${api.t.gateway.url}/v1/card-setups/${theirs.body.setupRef}/simulate-complete`, { method: 'POST', headers: { authorization: `Bearer ${TEST_GATEWAY.apiKey}`, 'content-type': 'application/json' }, body: '{}' });
  expect((await http().post('/v1/cards').set(bearer(account.ownerToken)).send({ setupRef: theirs.body.setupRef })).status).toBe(404);
  expect((await http().get('/v1/cards').set(bearer(account.ownerToken))).body.items).toEqual([]);
});
