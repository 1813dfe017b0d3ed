/**
 * The three order emails through the real `sendEmail` activity, a real PostgreSQL outbox and the real SMTP
 * sink; each message is read back as a mail client would (mailparser) and checked for what a customer reads.
 */
import { ApplicationFailure } from '@temporalio/common';
import { type ParsedMail, simpleParser } from 'mailparser';
import { orderPaidEmail, orderSubmittedEmail, paymentFailedEmail } from '../../activities/bank-transfer/email-templates';
import { createEmailActivities, createMailer, type Mailer, messageIdForKey } from '../../activities/shared/mailer';
import { receiptFileName, renderReceiptPdf } from '../../activities/bank-transfer/receipt-pdf';
import { freePort } from '../../scripts/net';
import { startSmtpSink, type SmtpSink } from '../../scripts/smtp-sink';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { sampleReceipt } from '../helpers/fixtures';

const FROM = 'ADVANCE.AI Receivables <receivables@provider.example>';
const PROVIDER = 'ADVANCE.AI Indonesia';

let db: TestDatabase;
let sink: SmtpSink;
let mailer: Mailer;
let emails: ReturnType<typeof createEmailActivities>;
let orderSeq = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  sink = await startSmtpSink();
  mailer = createMailer({ smtpUrl: sink.url, from: FROM });
  emails = createEmailActivities({ pool: db.pool, mailer });
});

afterAll(async () => {
  mailer?.close();
  await sink?.close();
  await db?.drop();
});

/** A fresh order number and recipient per test, so tests never read each other's mail. */
function newOrder(): { orderNumber: string; to: string } {
  orderSeq += 1;
  const orderNumber = `1261124${String(orderSeq).padStart(6, '0')}`;
  return { orderNumber, to: `pic-${orderNumber}@customer.example` };
}

async function received(to: string): Promise<ParsedMail[]> {
  return Promise.all(sink.messages.filter((m) => m.to.includes(to)).map((m) => simpleParser(m.raw)));
}

async function onlyMessageTo(to: string): Promise<ParsedMail> {
  const messages = await received(to);
  expect(messages).toHaveLength(1);
  return messages[0] as ParsedMail;
}

/** The plain-text body with runs of blanks collapsed, so assertions name "Label: value" regardless of padding. */
function plainText(mail: ParsedMail): string {
  return (mail.text ?? '').replace(/[ \t]+/g, ' ');
}

function recipients(mail: ParsedMail): string[] {
  const to = Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : [];
  return to.flatMap((a) => a.value.map((v) => v.address ?? ''));
}

describe('Order emails', () => {
  test('When the payment slip is submitted, then the customer gets an email with the order number, order time, company, username and requested amount', async () => {
    const { orderNumber, to } = newOrder();
    const email = orderSubmittedEmail({
      locale: 'en',
      timeZone: 'Asia/Jakarta',
      providerName: PROVIDER,
      orderNumber,
      orderTime: '2026-11-24T02:08:38Z',
      companyName: 'PT Maju & Jaya',
      username: 'budi.santoso',
      amount: 50_000_000,
    });

    const result = await emails.sendEmail({ idempotencyKey: `${orderNumber}-submitted-1`, to, ...email });

    const mail = await onlyMessageTo(to);
    expect(result).toEqual({ status: 'sent', messageId: mail.messageId });
    expect(mail.subject).toBe(`Top-up order ${orderNumber} received`);
    expect(recipients(mail)).toEqual([to]);
    expect(mail.from?.value[0]?.address).toBe('receivables@provider.example');
    for (const line of [`Order number: ${orderNumber}`, 'Order time: 24 Nov 2026 09:08 WIB', 'Company name: PT Maju & Jaya', 'Username: budi.santoso', 'Requested amount: IDR 50,000,000']) {
      expect(plainText(mail)).toContain(line);
    }
    expect(mail.html).toContain('PT Maju &#38; Jaya');
    expect(mail.html).toContain('IDR 50,000,000');
    expect(mail.attachments).toHaveLength(0);
  });

  test('When finance approves, then the Indonesian email shows the split and the new balance and carries the PDF receipt', async () => {
    const { orderNumber, to } = newOrder();
    const receipt = sampleReceipt({
      locale: 'id',
      provider: { name: PROVIDER, address: 'Jakarta Selatan 12950', email: 'receivables@provider.example' },
      customer: { companyName: 'PT Maju Bersama', username: 'siti' },
      orderNumber,
      checkResult: null,
    });
    const pdf = await renderReceiptPdf(receipt);
    const email = orderPaidEmail({ locale: 'id', providerName: PROVIDER, orderNumber, wallet: 'credit', amount: 1_000_000, settled: 5_000, added: 995_000, balanceAfter: 995_000 });

    const result = await emails.sendEmail({
      idempotencyKey: `${orderNumber}-paid`,
      to,
      ...email,
      attachments: [{ filename: receiptFileName(receipt), contentBase64: Buffer.from(pdf).toString('base64'), contentType: 'application/pdf' }],
    });

    expect(result.status).toBe('sent');
    const mail = await onlyMessageTo(to);
    expect(mail.subject).toBe(`Pesanan top up ${orderNumber} telah dibayar`);
    for (const line of ['Jumlah dibayar: Rp 1.000.000', 'Tunggakan dilunasi: Rp 5.000', 'Ditambahkan ke saldo: Rp 995.000', 'Saldo baru: Rp 995.000']) {
      expect(plainText(mail)).toContain(line);
    }
    expect(plainText(mail)).toContain('Kuitansi PDF terlampir');
    expect(mail.html).toContain('Rp 995.000');
    expect(mail.attachments).toHaveLength(1);
    const [attachment] = mail.attachments;
    expect(attachment?.filename).toBe(`kuitansi-${orderNumber}.pdf`);
    expect(attachment?.contentType).toBe('application/pdf');
    expect(Buffer.compare(attachment?.content ?? Buffer.alloc(0), Buffer.from(pdf))).toBe(0);
  });

  test('When finance rejects with a reason, then the email quotes the reason and the HTML cannot be injected through it', async () => {
    const { orderNumber, to } = newOrder();
    const reason = 'Amount differs from the slip <script>alert("x")</script> & please re-upload';
    const email = paymentFailedEmail({ locale: 'en', providerName: PROVIDER, orderNumber, amount: 2_000_000, cause: { kind: 'rejected', reason } });

    await emails.sendEmail({ idempotencyKey: `${orderNumber}-failed-1`, to, ...email });

    const mail = await onlyMessageTo(to);
    expect(mail.subject).toBe(`Top-up order ${orderNumber}: payment failure`);
    expect(plainText(mail)).toContain(`Reason: ${reason}`);
    expect(plainText(mail)).toContain('Requested amount: IDR 2,000,000');
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; please re-upload');
  });

  test('When nobody decides within the review window, then the Indonesian email says the 24 hours passed', async () => {
    const { orderNumber, to } = newOrder();
    const email = paymentFailedEmail({ locale: 'id', providerName: PROVIDER, orderNumber, amount: 2_000_000, cause: { kind: 'review-window-expired', windowHours: 24 } });

    await emails.sendEmail({ idempotencyKey: `${orderNumber}-failed-1`, to, ...email });

    const mail = await onlyMessageTo(to);
    expect(mail.subject).toBe(`Pesanan top up ${orderNumber}: pembayaran gagal`);
    expect(plainText(mail)).toContain('dalam 24 jam sejak pesanan diajukan');
    expect(plainText(mail)).toContain('Alasan: Pembayaran tidak terkonfirmasi dalam 24 jam');
    expect(plainText(mail)).toContain('Jumlah yang diminta: Rp 2.000.000');
  });

  test('When the same key is sent twice, then exactly one message goes out and the second call reports already-sent', async () => {
    const { orderNumber, to } = newOrder();
    const input = { idempotencyKey: `${orderNumber}-paid`, to, subject: 'once', text: 'once', html: '<p>once</p>' };

    const first = await emails.sendEmail(input);
    const second = await emails.sendEmail(input);

    expect(first.status).toBe('sent');
    expect(second).toEqual({ status: 'already-sent', messageId: first.messageId });
    expect(first.messageId).toBe(messageIdForKey(input.idempotencyKey, FROM));
    expect(await received(to)).toHaveLength(1);
    const row = await db.pool.query<{ attempts: number; sent_at: Date | null }>('SELECT attempts, sent_at FROM email_outbox WHERE idempotency_key = $1', [input.idempotencyKey]);
    expect(row.rows[0]?.attempts).toBe(1);
    expect(row.rows[0]?.sent_at).toBeInstanceOf(Date);
  });

  test('When two workers send the same key at the same moment, then exactly one message goes out', async () => {
    const { orderNumber, to } = newOrder();
    const input = { idempotencyKey: `${orderNumber}-submitted-1`, to, subject: 'race', text: 'race', html: '<p>race</p>' };

    const results = await Promise.all([emails.sendEmail(input), emails.sendEmail(input), emails.sendEmail(input)]);

    expect(results.map((r) => r.status).sort()).toEqual(['already-sent', 'already-sent', 'sent']);
    expect(await received(to)).toHaveLength(1);
  });

  test('When the SMTP server is down, then the attempt fails and is recorded, and the retry sends it once with the same Message-ID', async () => {
    const { orderNumber, to } = newOrder();
    const input = { idempotencyKey: `${orderNumber}-paid`, to, subject: 'retry', text: 'retry', html: '<p>retry</p>' };
    const downMailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${await freePort()}`, from: FROM });
    try {
      await expect(createEmailActivities({ pool: db.pool, mailer: downMailer }).sendEmail(input)).rejects.toThrow(/ECONNREFUSED|connect/i);
    } finally {
      downMailer.close();
    }
    const failed = await db.pool.query<{ attempts: number; sent_at: Date | null; last_error: string | null }>(
      'SELECT attempts, sent_at, last_error FROM email_outbox WHERE idempotency_key = $1',
      [input.idempotencyKey],
    );
    expect(failed.rows[0]).toMatchObject({ attempts: 1, sent_at: null, last_error: expect.stringMatching(/ECONNREFUSED|connect/i) });

    const retry = await emails.sendEmail(input);

    expect(retry).toEqual({ status: 'sent', messageId: messageIdForKey(input.idempotencyKey, FROM) });
    const mail = await onlyMessageTo(to);
    expect(mail.messageId).toBe(retry.messageId);
  });

  test('When a key is reused for a different email, then the call fails without retry and nothing more is sent', async () => {
    const { orderNumber, to } = newOrder();
    const key = `${orderNumber}-paid`;
    await emails.sendEmail({ idempotencyKey: key, to, subject: 'first', text: 'first', html: '<p>first</p>' });

    const reuse = emails.sendEmail({ idempotencyKey: key, to, subject: 'second', text: 'second', html: '<p>second</p>' });

    await expect(reuse).rejects.toBeInstanceOf(ApplicationFailure);
    await expect(reuse).rejects.toMatchObject({ type: 'IdempotencyKeyConflict', nonRetryable: true });
    expect(await received(to)).toHaveLength(1);
  });
});
