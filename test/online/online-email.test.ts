/**
 * The emails of an online self top-up as a customer reads them: the billing info on "confirm payment" and the
 * payment-successful email, in both locales, with amounts from the real pricing rules and the validity from
 * the real expiry rule. Values reach the HTML escaped.
 */
import type { InvoiceLine } from '../../activities/online/invoice-pdf';
import { billingInfoEmail, type BillingInfoEmailData, onlinePaidEmail, type OnlinePaidEmailData } from '../../activities/online/email-templates';
import type { RenderedEmail } from '../../activities/shared/render-email';
import type { OnlinePaymentMethod } from '../../workflows/definitions';
import { invoiceExpiresAt } from '../../workflows/online/invoice-expiry';
import { type OnlineLineRequest, priceOnlineOrder } from '../../workflows/online/pricing';
import { DEFAULT_POLICY } from '../../workflows/shared/policy';

const ISSUED_AT = '2026-11-24T03:00:00Z'; // 24 Nov 2026 10:00 WIB

function bill(requests: OnlineLineRequest[], method: OnlinePaymentMethod): { lines: InvoiceLine[]; subtotal: number; fee: number; total: number } {
  const priced = priceOnlineOrder(requests, method, DEFAULT_POLICY);
  if (Array.isArray(priced)) throw new Error(`fixture breaks a rule: ${JSON.stringify(priced)}`);
  return priced;
}

const billingInfo = (overrides: Partial<BillingInfoEmailData> = {}): BillingInfoEmailData => ({
  locale: 'en',
  providerName: 'Qontak Omnichannel',
  orderNumber: '1202206054089',
  timeZone: 'Asia/Jakarta',
  expiresAt: new Date(invoiceExpiresAt(Date.parse(ISSUED_AT), 'Asia/Jakarta')).toISOString(),
  paymentMethod: 'credit_card',
  payment: { vaNumber: null, bankCode: null, paymentUrl: 'https://sandbox-gateway.example/pay/inv_1202206054089' },
  ...bill([{ wallet: 'credit', amount: 1_000_000 }], 'credit_card'),
  cardFeeBasisPoints: DEFAULT_POLICY.creditCardFeeBasisPoints,
  ...overrides,
});

const paid = (overrides: Partial<OnlinePaidEmailData> = {}): OnlinePaidEmailData => ({
  locale: 'en',
  providerName: 'Qontak Omnichannel',
  orderNumber: '1202206054089',
  paymentMethod: 'credit_card',
  total: 1_035_000,
  settlement: [{ wallet: 'credit', settled: 5_000, added: 995_000 }],
  ...overrides,
});

/** The plain-text body with runs of blanks collapsed, so assertions name "Label: value" regardless of padding. */
function plainText(email: RenderedEmail): string {
  return email.text.replace(/[ \t]+/g, ' ');
}

describe('Online top-up emails', () => {
  test('When the customer confirms a 1,000,000 card payment, then the billing info names the order, the line, the "IDR 35,000" fee, the "IDR 1,035,000" total, the payment link and the validity', () => {
    const email = billingInfoEmail(billingInfo());

    expect(email.subject).toBe('Billing info for top-up order 1202206054089');
    for (const line of [
      'Order number: 1202206054089',
      'API credit: IDR 1,000,000',
      'Subtotal: IDR 1,000,000',
      'Credit card fee (3.5%): IDR 35,000',
      'Total: IDR 1,035,000',
      'Payment method: Credit card',
      'Payment link: https://sandbox-gateway.example/pay/inv_1202206054089',
      'Valid until: 25 Nov 2026 23:59 WIB',
      'This invoice expires at 25 Nov 2026 23:59 WIB. After that the order is closed and you need to create a new order to top up.',
    ]) {
      expect(plainText(email)).toContain(line);
    }
    for (const value of ['1202206054089', 'IDR 35,000', 'IDR 1,035,000', 'https://sandbox-gateway.example/pay/inv_1202206054089', '25 Nov 2026 23:59 WIB']) {
      expect(email.html).toContain(value);
    }
  });

  test('When every wallet is paid by virtual account in Bahasa Indonesia, then the email gives the VA number, visitors with their price, the raised WhatsApp line and no card fee', () => {
    const email = billingInfoEmail(
      billingInfo({
        locale: 'id',
        paymentMethod: 'virtual_account',
        payment: { vaNumber: '8808120220605408', bankCode: 'BCA', paymentUrl: null },
        ...bill(
          [
            { wallet: 'whatsapp', amount: 999_999 },
            { wallet: 'muv', amount: 2 },
          ],
          'virtual_account',
        ),
      }),
    );

    expect(email.subject).toBe('Info tagihan pesanan top up 1202206054089');
    for (const line of [
      'Nomor pesanan: 1202206054089',
      'Saldo percakapan WhatsApp: Rp 1.000.000',
      '(raised to the minimum WhatsApp top-up of IDR 1,000,000)',
      'Pengunjung unik bulanan: 1.000 pengunjung (Rp 600.000)',
      'Total: Rp 1.600.000',
      'Metode pembayaran: Virtual account (BCA)',
      'Nomor virtual account: 8808120220605408',
      'Berlaku hingga: 25 Nov 2026 23.59 WIB',
      'Faktur ini kedaluwarsa pada 25 Nov 2026 23.59 WIB',
    ]) {
      expect(plainText(email)).toContain(line);
    }
    expect(email.text).not.toMatch(/Biaya kartu kredit|Subtotal|Tautan pembayaran|Order number/);
    expect(email.html).toContain('<html lang="id">');
  });

  test('When the payment succeeds after 5,000 was outstanding, then the email gives the total paid, the 5,000 settled and the 995,000 added, and says the invoice is attached', () => {
    const email = onlinePaidEmail(paid());

    expect(email.subject).toBe('Payment successful: top-up order 1202206054089');
    for (const line of ['Order number: 1202206054089', 'Total paid: IDR 1,035,000', 'Payment method: Credit card', 'API credit: Outstanding settled: IDR 5,000', 'Added to balance: IDR 995,000']) {
      expect(plainText(email)).toContain(line);
    }
    expect(plainText(email)).toContain('Your outstanding balance was settled first');
    expect(plainText(email)).toContain('The proforma invoice is attached to this email');
    expect(email.html).toContain('Outstanding settled: IDR 5,000<br>Added to balance: IDR 995,000');
  });

  test('When the payment succeeds in Bahasa Indonesia with nothing outstanding, then each wallet shows only what was added, visitors in pengunjung', () => {
    const email = onlinePaidEmail(
      paid({
        locale: 'id',
        paymentMethod: 'ewallet',
        total: 1_600_000,
        settlement: [
          { wallet: 'whatsapp', settled: 0, added: 1_000_000 },
          { wallet: 'muv', settled: 0, added: 1_000 },
        ],
      }),
    );

    expect(email.subject).toBe('Pembayaran berhasil: pesanan top up 1202206054089');
    for (const line of [
      'Total dibayar: Rp 1.600.000',
      'Metode pembayaran: Dompet digital (e-wallet)',
      'Saldo percakapan WhatsApp: Ditambahkan ke saldo: Rp 1.000.000',
      'Pengunjung unik bulanan: Ditambahkan ke saldo: 1.000 pengunjung',
      'Faktur proforma terlampir',
    ]) {
      expect(plainText(email)).toContain(line);
    }
    expect(email.text).not.toMatch(/Tunggakan/);
  });

  test('When values carry markup, then the HTML shows them as text and the subject stays one line', () => {
    const email = billingInfoEmail(
      billingInfo({
        providerName: 'Qontak <b>Omni</b> & "Co"',
        payment: { vaNumber: null, bankCode: null, paymentUrl: 'https://pay.example/x?a=1&b=<script>alert(1)</script>' },
        lines: [{ wallet: 'credit', requested: 1_000_000, credit: 1_000_000, price: 1_000_000, adjustment: '<img src=x onerror=alert(1)>' }],
      }),
    );

    expect(email.html).not.toMatch(/<script>|<img|<b>Omni/);
    expect(email.html).toContain('https://pay.example/x?a=1&#38;b=&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(email.html).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(email.html).toContain('Qontak &#60;b&#62;Omni&#60;/b&#62; &#38; &#34;Co&#34;');
    expect(plainText(email)).toContain('Payment link: https://pay.example/x?a=1&b=<script>alert(1)</script>');
    expect(onlinePaidEmail(paid({ orderNumber: '1202206054089\r\nBcc: x@evil.example' })).subject).toBe('Payment successful: top-up order 1202206054089 Bcc: x@evil.example');
  });
});
