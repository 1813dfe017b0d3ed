/**
 * The order API over HTTP (DOMAIN.md "Bank transfer" through /v1): `createApp` in-process, driven by
 * supertest, in front of the time-skipping Temporal server, a worker with the real activities, PostgreSQL
 * and the SMTP sink. Each test makes its own accounts, so tests never see each other's orders.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import request, { type Response, type Test } from 'supertest';
import { parsePdf } from '../helpers/pdf-text';
import { bearer, useTestApi } from '../helpers/api';
import { logsWithRequestId } from '../helpers/temporal';
import { createPicUser, createStaffUser, createTestAccount, type TestAccount, type TestUser } from '../helpers/fixtures';
import { slipJpeg, slipPng } from '../helpers/slips';

const api = useTestApi();
let finance: TestUser;
let ops: TestUser;

beforeAll(async () => {
  [finance, ops, PNG, JPEG] = await Promise.all([createStaffUser(api.t.db.pool, 'finance'), createStaffUser(api.t.db.pool, 'ops'), slipPng(), slipJpeg({ width: 200, height: 150 })]);
});

/** Real slips (they must decode): a PNG screenshot and a JPEG photo. */
let PNG: Buffer;
let JPEG: Buffer;
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90)]);

const http = () => request(api.app);

/** Collects a binary body (a PDF, a slip) as a Buffer whatever its type. */
function binary(test: Test): Test {
  return test.buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });
}

async function createOrder(token: string, amount = 250_000): Promise<string> {
  const res = await http().post('/v1/orders').set(bearer(token)).send({ wallet: 'credit', amount });
  expect(res.status).toBe(201);
  return String(res.body.orderNumber);
}

function uploadSlip(token: string, orderNumber: string, content: Buffer = PNG, opts: { filename?: string; contentType?: string; amount?: number } = {}): Test {
  const test = http()
    .post(`/v1/orders/${orderNumber}/slip`)
    .set(bearer(token))
    .attach('slip', content, { filename: opts.filename ?? 'slip.png', contentType: opts.contentType ?? 'image/png' });
  return opts.amount === undefined ? test : test.field('amount', String(opts.amount));
}

/** An order of `account` that is Dealing: created and submitted with a PNG slip. */
async function dealingOrder(account: TestAccount, amount = 250_000): Promise<string> {
  const orderNumber = await createOrder(account.ownerToken, amount);
  expect((await uploadSlip(account.ownerToken, orderNumber)).status).toBe(201);
  return orderNumber;
}

async function slipRows(orderNumber: string): Promise<number> {
  const res = await api.t.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM slips WHERE order_number = $1', [orderNumber]);
  return Number(res.rows[0]!.n);
}

async function operations(orderNumber: string): Promise<Array<{ action: string; actor_id: string }>> {
  const res = await api.t.db.pool.query<{ action: string; actor_id: string }>('SELECT action, actor_id FROM operation_log WHERE order_number = $1 ORDER BY id', [
    orderNumber,
  ]);
  return res.rows;
}

function expectError(res: Response, status: number, code: string): void {
  expect({ status: res.status, code: (res.body as { error?: { code?: string } }).error?.code }).toEqual({ status, code });
}

const fieldsOf = (res: Response): string[] => (res.body as { error: { fields: Array<{ path: string }> } }).error.fields.map((f) => f.path);

test('When a sub-account (PIC) creates an order and uploads its slip, then the order is Dealing with that slip, downloadable as stored (the picture encoded anew)', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const pic = await createPicUser(api.t.db.pool, account);
  const orderNumber = await createOrder(pic.token);

  const submitted = await uploadSlip(pic.token, orderNumber, JPEG, { filename: 'transfer.jpg', contentType: 'image/jpeg' });

  expect(submitted.status).toBe(201);
  expect(submitted.body).toMatchObject({
    orderNumber,
    status: 'dealing',
    paymentMethod: 'bank_transfer',
    createdBy: pic.userId,
    slip: { original: { sha256: createHash('sha256').update(JPEG).digest('hex'), size: JPEG.length }, contentType: 'image/jpeg' },
  });
  const stored = await api.t.db.pool.query('SELECT id, uploaded_by, account_id FROM slips WHERE order_number = $1', [orderNumber]);
  expect(stored.rows).toEqual([{ id: submitted.body.slip.fileId, uploaded_by: pic.userId, account_id: account.accountId }]);
  expect(submitted.body.slip.fileId).toMatch(/^slp_[0-9a-f]{32}$/);

  const live = await http().get(`/v1/orders/${orderNumber}`).set(bearer(account.ownerToken));
  expect(live.body).toMatchObject({ status: 'dealing', submissions: 1 });

  const download = await binary(http().get(`/v1/orders/${orderNumber}/slip`).set(bearer(finance.token)));
  expect(download.status).toBe(200);
  expect(download.headers).toMatchObject({
    'content-type': 'image/jpeg',
    'content-disposition': `attachment; filename="slip-${orderNumber}.jpg"`,
    'x-content-type-options': 'nosniff',
  });
  // The same picture, encoded anew, and the very file the order's record names.
  expect(await sharp(download.body as Buffer).metadata()).toMatchObject({ format: 'jpeg', width: 200, height: 150 });
  expect(submitted.body.slip).toMatchObject({ sha256: createHash('sha256').update(download.body as Buffer).digest('hex'), size: (download.body as Buffer).length });

  expect(await operations(orderNumber)).toEqual([
    { action: 'order.create', actor_id: pic.userId },
    { action: 'order.submit_slip', actor_id: pic.userId },
  ]);
});

test("When another account's owner calls any route of an order, then every answer is 404 with none of its data, and nothing changes", async () => {
  const account = await createTestAccount(api.t.db.pool);
  const stranger = await createTestAccount(api.t.db.pool);
  const orderNumber = await dealingOrder(account);
  const as = bearer(stranger.ownerToken);
  const path = `/v1/orders/${orderNumber}`;

  const answers = await Promise.all([
    http().get(path).set(as),
    http().patch(path).set(as).send({ amount: 300_000 }),
    http().delete(path).set(as),
    http().post(`${path}/payment-method`).set(as).send({ paymentMethod: 'bank_transfer' }),
    uploadSlip(stranger.ownerToken, orderNumber),
    http().get(`${path}/slip`).set(as),
    http().get(`${path}/receipt.pdf`).set(as),
  ]);

  for (const res of answers) {
    expectError(res, 404, 'not_found');
    expect(JSON.stringify(res.body)).not.toContain(account.accountId);
  }
  const list = await http().get('/v1/orders').set(as);
  expect(list.body).toMatchObject({ items: [], total: 0 });
  expectError(await http().get(`/v1/orders?accountId=${account.accountId}`).set(as), 404, 'not_found');
  expect(await slipRows(orderNumber)).toBe(1);
  expect((await http().get(path).set(bearer(account.ownerToken))).body).toMatchObject({ status: 'dealing', amount: 250_000 });
});

test('When a renamed .exe is uploaded as slip.png with content type image/png, then 415 and no slip is stored', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const orderNumber = await createOrder(account.ownerToken);

  const res = await uploadSlip(account.ownerToken, orderNumber, EXE, { filename: 'slip.png', contentType: 'image/png' });

  expectError(res, 415, 'unsupported_media_type');
  expect(res.body.error.fields).toEqual([{ path: 'slip', rule: 'must be a JPEG, PNG or PDF file (judged by its content)' }]);
  expect(await slipRows(orderNumber)).toBe(0);
  expect((await http().get(`/v1/orders/${orderNumber}`).set(bearer(account.ownerToken))).body.status).toBe('unpaid');
});

test('When a slip is larger than 10 MB, then 413 and nothing is stored', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const orderNumber = await createOrder(account.ownerToken);
  const big = Buffer.concat([PNG, Buffer.alloc(11 * 1024 * 1024)]);

  const res = await uploadSlip(account.ownerToken, orderNumber, big);

  expectError(res, 413, 'payload_too_large');
  expect(fieldsOf(res)).toEqual(['slip']);
  expect(await slipRows(orderNumber)).toBe(0);
  expect((await http().get(`/v1/orders/${orderNumber}`).set(bearer(account.ownerToken))).body.status).toBe('unpaid');
});

test('When the multipart body has no slip, two files, or a file in another field, then 400 naming the field and nothing is stored', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const orderNumber = await createOrder(account.ownerToken);
  const url = `/v1/orders/${orderNumber}/slip`;
  const as = bearer(account.ownerToken);

  const missing = await http().post(url).set(as).field('note', 'x');
  const noFile = await http().post(url).set(as).send({ slip: 'not a file' });
  const twoFiles = await http().post(url).set(as).attach('slip', PNG, 'a.png').attach('slip', PNG, 'b.png');
  const otherField = await http().post(url).set(as).attach('receipt', PNG, 'a.png');

  expect(fieldsOf(missing)).toEqual(['note']);
  expectError(noFile, 400, 'invalid_input');
  expect(fieldsOf(noFile)).toEqual(['slip']);
  expectError(twoFiles, 400, 'invalid_input');
  expect(fieldsOf(twoFiles)).toEqual(['slip']);
  expectError(otherField, 400, 'invalid_input');
  expect(fieldsOf(otherField)).toEqual(['receipt']);
  expect(await slipRows(orderNumber)).toBe(0);
});

test('When the owner, a PIC or ops approves, then 403; when finance approves, then Paid with a PDF receipt, and a repeated approval answers the same order', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const pic = await createPicUser(api.t.db.pool, account);
  const orderNumber = await dealingOrder(account);
  const approve = (token: string) => http().post(`/v1/orders/${orderNumber}/approve`).set(bearer(token)).send({ checkResult: 'transfer matches' });

  for (const token of [account.ownerToken, pic.token, ops.token]) expectError(await approve(token), 403, 'forbidden');
  expectError(await http().get(`/v1/orders/${orderNumber}/receipt.pdf`).set(bearer(account.ownerToken)), 404, 'not_found');

  const approved = await approve(finance.token);
  expect(approved.status).toBe(200);
  expect(approved.body).toMatchObject({ orderNumber, status: 'paid', checkResult: 'transfer matches', paid: { added: 250_000, approvedBy: finance.userId } });

  const receipt = await binary(http().get(`/v1/orders/${orderNumber}/receipt.pdf`).set(bearer(account.ownerToken)));
  expect(receipt.status).toBe(200);
  expect(receipt.headers['content-type']).toBe('application/pdf');
  const body = receipt.body as Buffer;
  expect(body.subarray(0, 5).toString('ascii')).toBe('%PDF-');
  expect((await parsePdf(body)).lines.join('\n')).toContain(orderNumber);

  const again = await approve(finance.token);
  expect(again.status).toBe(200);
  expect(again.body).toEqual(approved.body);
  expect((await operations(orderNumber)).filter((o) => o.action === 'order.approve')).toEqual([{ action: 'order.approve', actor_id: finance.userId }]);
});

test('When a Paid order is edited or deleted, then 409 naming its status; when a Dealing order is edited, then 409 with the workflow reason', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const paid = await dealingOrder(account);
  expect((await http().post(`/v1/orders/${paid}/approve`).set(bearer(finance.token)).send({})).body.status).toBe('paid');

  const edit = await http().patch(`/v1/orders/${paid}`).set(bearer(account.ownerToken)).send({ amount: 300_000 });
  expectError(edit, 409, 'invalid_transition');
  // Until its paid email is out the workflow answers itself; after, the API answers for the finished workflow.
  expect([`order ${paid} is Paid and can no longer change`, 'the order cannot be edited while it is Paid']).toContain(edit.body.error.message);
  expectError(await http().delete(`/v1/orders/${paid}`).set(bearer(account.ownerToken)), 409, 'invalid_transition');
  expectError(await uploadSlip(account.ownerToken, paid), 409, 'invalid_transition');
  expect(await slipRows(paid)).toBe(1);

  const dealing = await dealingOrder(account);
  const refused = await http().patch(`/v1/orders/${dealing}`).set(bearer(account.ownerToken)).send({ amount: 300_000 });
  expectError(refused, 409, 'invalid_transition');
  expect(refused.body.error.message).toBe('the order cannot be edited while it is Dealing');
  const secondSlip = await uploadSlip(account.ownerToken, dealing);
  expectError(secondSlip, 409, 'invalid_transition');
  expect(secondSlip.body.error.message).toBe('a slip cannot be submitted while the order is Dealing');
  expect(await slipRows(dealing)).toBe(1);
});

test('When finance rejects and the customer uploads a new slip with a new amount, then the order is Dealing again with both', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const orderNumber = await dealingOrder(account);

  expect(fieldsOf(await http().post(`/v1/orders/${orderNumber}/reject`).set(bearer(finance.token)).send({ reason: '  ' }))).toEqual(['reason']);
  expectError(await http().post(`/v1/orders/${orderNumber}/reject`).set(bearer(ops.token)).send({ reason: 'no' }), 403, 'forbidden');
  const rejected = await http().post(`/v1/orders/${orderNumber}/reject`).set(bearer(finance.token)).send({ reason: 'amount differs from the slip' });
  expect(rejected.body).toMatchObject({ status: 'payment_failure', checkResult: 'amount differs from the slip' });

  const tooSmall = await uploadSlip(account.ownerToken, orderNumber, JPEG, { contentType: 'image/jpeg', amount: 5_000 });
  expectError(tooSmall, 400, 'invalid_input');
  expect(tooSmall.body.error.fields).toEqual([{ path: 'amount', rule: 'must be at least IDR 10,000 for the credit wallet' }]);
  expect(await slipRows(orderNumber)).toBe(1);

  const resubmitted = await uploadSlip(account.ownerToken, orderNumber, JPEG, { contentType: 'image/jpeg', amount: 300_000 });
  expect(resubmitted.status).toBe(201);
  expect(resubmitted.body).toMatchObject({ status: 'dealing', amount: 300_000, submissions: 2, failure: null, slip: { contentType: 'image/jpeg' } });
  expect(await slipRows(orderNumber)).toBe(2);
  const latest = await binary(http().get(`/v1/orders/${orderNumber}/slip`).set(bearer(account.ownerToken)));
  expect(await sharp(latest.body as Buffer).metadata()).toMatchObject({ format: 'jpeg', width: 200, height: 150 });
  expect(resubmitted.body.slip.original.sha256).toBe(createHash('sha256').update(JPEG).digest('hex'));
  expect((await operations(orderNumber)).map((o) => o.action)).toEqual(['order.create', 'order.submit_slip', 'order.reject', 'order.resubmit_slip']);
});

test('When the customer chooses bank transfer, then the answer shows the provider bank account, the amount and to write the order number in the transfer note', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const orderNumber = await createOrder(account.ownerToken, 150_000);

  const chosen = await http().post(`/v1/orders/${orderNumber}/payment-method`).set(bearer(account.ownerToken)).send({ paymentMethod: 'bank_transfer' });

  expect(chosen.status).toBe(200);
  expect(chosen.body).toMatchObject({
    order: { orderNumber, paymentMethod: 'bank_transfer', status: 'unpaid' },
    bankTransfer: { bankName: 'Bank Uji', accountName: 'PT Penyedia Uji', accountNumber: '1234567890', orderNumber, amount: 150_000, currency: 'IDR', transferNote: orderNumber },
  });
  expect(chosen.body.bankTransfer.instruction).toContain(`write the order number ${orderNumber} in the transfer note`);

  const online = await http().post(`/v1/orders/${orderNumber}/payment-method`).set(bearer(account.ownerToken)).send({ paymentMethod: 'credit_card' });
  expectError(online, 400, 'invalid_input');
  expect(fieldsOf(online)).toEqual(['paymentMethod']);
});

test('When the customer edits the amount of an Unpaid order, deletes it, and deletes it again, then it changes, is Deleted, and the repeat answers 200', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const orderNumber = await createOrder(account.ownerToken);
  const as = bearer(account.ownerToken);

  const edited = await http().patch(`/v1/orders/${orderNumber}`).set(as).send({ amount: 400_000, paymentMethod: 'bank_transfer' });
  expect(edited.body).toMatchObject({ status: 'unpaid', amount: 400_000, paymentMethod: 'bank_transfer' });
  expectError(await http().delete(`/v1/orders/${orderNumber}`).set(bearer(ops.token)), 403, 'forbidden');

  const deleted = await http().delete(`/v1/orders/${orderNumber}`).set(as);
  expect(deleted.body).toMatchObject({ status: 'deleted', amount: 400_000 });
  const again = await http().delete(`/v1/orders/${orderNumber}`).set(as);
  expect(again.status).toBe(200);
  expect(again.body).toMatchObject({ orderNumber, status: 'deleted' });
  // One entry per change the workflow made: the PATCH chose the payment method and changed the amount.
  expect((await operations(orderNumber)).map((o) => o.action)).toEqual(['order.create', 'order.choose_payment_method', 'order.edit', 'order.delete']);
});

test('When orders are listed with filters, then only matching orders of the account come back, newest first, paged with the total', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const other = await createTestAccount(api.t.db.pool);
  const before = new Date(Date.now() - 1000).toISOString();
  const first = await createOrder(account.ownerToken, 100_000);
  const second = await dealingOrder(account, 200_000);
  const third = await createOrder(account.ownerToken, 300_000);
  await createOrder(other.ownerToken);
  const list = (query: string, token = account.ownerToken) => http().get(`/v1/orders?${query}`).set(bearer(token));
  const numbers = (res: Response) => (res.body as { items: Array<{ orderNumber: string }> }).items.map((o) => o.orderNumber);
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jakarta' }).format(new Date());
  const shift = (days: number) => new Date(Date.parse(`${today}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

  const all = await list('');
  expect(all.body).toMatchObject({ page: 1, pageSize: 20, total: 3 });
  expect(numbers(all)).toEqual([third, second, first]);
  expect(numbers(await list('status=dealing'))).toEqual([second]);
  expect(numbers(await list('status=payment_failure'))).toEqual([]);
  expect(numbers(await list(`orderNumber=${first}`))).toEqual([first]);

  const page1 = await list('pageSize=2');
  const page2 = await list('pageSize=2&page=2');
  expect({ items: numbers(page1), total: page1.body.total }).toEqual({ items: [third, second], total: 3 });
  expect({ items: numbers(page2), total: page2.body.total, page: page2.body.page }).toEqual({ items: [first], total: 3, page: 2 });

  expect(numbers(await list(`from=${today}&to=${today}`))).toEqual([third, second, first]);
  expect((await list(`from=${shift(1)}`)).body.total).toBe(0);
  expect((await list(`to=${shift(-1)}`)).body.total).toBe(0);
  expect((await list(`from=${encodeURIComponent(before)}`)).body.total).toBe(3);
  expect((await list(`to=${encodeURIComponent(before)}`)).body.total).toBe(0);

  const staffView = await list(`accountId=${account.accountId}&status=unpaid`, ops.token);
  expect(numbers(staffView)).toEqual([third, first]);
});

test('When orders are filtered by a status code, then it works; a display label instead gets 400 naming the allowed codes', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const failed = await dealingOrder(account, 200_000);
  const rejected = await http().post(`/v1/orders/${failed}/reject`).set(bearer(finance.token)).send({ reason: 'No transfer found' });
  expect(rejected.body.status).toBe('payment_failure');
  const byCode = await http().get('/v1/orders?status=payment_failure').set(bearer(account.ownerToken));
  expect(byCode.status).toBe(200);
  expect(byCode.body.items.map((o: { orderNumber: string; status: string }) => [o.orderNumber, o.status])).toEqual([[failed, 'payment_failure']]);

  const byLabel = await http().get('/v1/orders?status=Payment%20Failure').set(bearer(account.ownerToken));
  expectError(byLabel, 400, 'invalid_input');
  expect(byLabel.body.error.fields).toEqual([
    { path: 'status', rule: 'must be one of: unpaid, awaiting_payment, dealing, paid, payment_failure, closed, deleted, paid_late' },
  ]);
});

test('When a query or a body is invalid, then 400 names each field and its rule', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const orderNumber = await createOrder(account.ownerToken);
  const as = bearer(account.ownerToken);

  const badQuery = await http().get('/v1/orders?status=Lunas&pageSize=500&from=yesterday&colour=red').set(as);
  expectError(badQuery, 400, 'invalid_input');
  expect(fieldsOf(badQuery).sort()).toEqual(['colour', 'from', 'pageSize', 'status']);
  expect(fieldsOf(await http().get('/v1/orders?from=2025-02-02&to=2025-02-01').set(as))).toEqual(['to']);
  expect(fieldsOf(await http().get('/v1/orders/12345').set(as))).toEqual(['orderNumber']);

  const badPatch = await http().patch(`/v1/orders/${orderNumber}`).set(as).send({ amount: 12.5, wallet: 'muv' });
  expect(fieldsOf(badPatch).sort()).toEqual(['amount', 'wallet']);
  expect(fieldsOf(await http().patch(`/v1/orders/${orderNumber}`).set(as).send({}))).toEqual(['amount']);
  const ruleOfWorkflow = await http().patch(`/v1/orders/${orderNumber}`).set(as).send({ amount: 9_000 });
  expect(ruleOfWorkflow.body.error.fields).toEqual([{ path: 'amount', rule: 'must be at least IDR 10,000 for the credit wallet' }]);
  expect(fieldsOf(await http().post(`/v1/orders/${orderNumber}/payment-method`).set(as).send({ paymentMethod: 'cash' }))).toEqual(['paymentMethod']);
  expect(fieldsOf(await http().post(`/v1/orders/${orderNumber}/approve`).set(bearer(finance.token)).send({ checkResult: 7 }))).toEqual(['checkResult']);
  const unpaidAmount = await uploadSlip(account.ownerToken, orderNumber, PNG, { amount: 300_000 });
  expect(fieldsOf(unpaidAmount)).toEqual(['amount']);
  expect(await slipRows(orderNumber)).toBe(0);
});

test('When finance or ops opens the review queue, then Dealing orders of every account come oldest submission first, each with the seconds left to decide', async () => {
  const [a, b] = await Promise.all([createTestAccount(api.t.db.pool), createTestAccount(api.t.db.pool)]);
  const older = await dealingOrder(a);
  const newer = await dealingOrder(b);
  await createOrder(a.ownerToken);

  const queue = await http().get('/v1/review/orders?pageSize=100').set(bearer(finance.token));

  expect(queue.status).toBe(200);
  const items = queue.body.items as Array<{ orderNumber: string; status: string; secondsLeft: number; submittedAt: string }>;
  expect(items.every((o) => o.status === 'dealing')).toBe(true);
  const mine = items.filter((o) => o.orderNumber === older || o.orderNumber === newer);
  expect(mine.map((o) => o.orderNumber)).toEqual([older, newer]);
  for (const o of mine) {
    expect(o.secondsLeft).toBeGreaterThan(86_400 - 300);
    expect(o.secondsLeft).toBeLessThanOrEqual(86_400);
  }
  const submitted = items.map((o) => o.submittedAt);
  expect([...submitted].sort()).toEqual(submitted);
  expect((await http().get('/v1/review/orders').set(bearer(ops.token))).status).toBe(200);
  expectError(await http().get('/v1/review/orders').set(bearer(a.ownerToken)), 403, 'forbidden');
});

test('When a request carries X-Request-Id, then the answer echoes it and the workflow and activity log lines of that request carry it', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const orderNumber = await createOrder(account.ownerToken);
  const requestId = `req-${orderNumber}`;

  const res = await uploadSlip(account.ownerToken, orderNumber).set('X-Request-Id', requestId);
  expect(res.status).toBe(201);
  expect(res.headers['x-request-id']).toBe(requestId);

  // The "received" email goes out after the answer; wait for its activity's log line.
  const deadline = Date.now() + 15_000;
  while (!logsWithRequestId(requestId).some((l) => l.meta?.activityType === 'sendOrderEmail') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const lines = logsWithRequestId(requestId);
  expect(lines.some((l) => l.message === 'order status changed' && l.meta?.to === 'dealing' && l.meta?.workflowId === `topup-${orderNumber}`)).toBe(true);
  // The update handler's activities (read model, "received" email) logged under the same id as the workflow.
  expect(lines.filter((l) => l.meta?.activityType === 'recordOrder' && l.meta?.workflowId === `topup-${orderNumber}`).length).toBeGreaterThan(0);
  expect(lines.filter((l) => l.meta?.activityType === 'sendOrderEmail').length).toBeGreaterThan(0);
  const generated = await http().get(`/v1/orders/${orderNumber}`).set(bearer(account.ownerToken));
  expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
});
