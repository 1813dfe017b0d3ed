/**
 * The proforma invoice of an online self top-up as a customer reads it: the text of the page (pdf-parse), its
 * metadata, and the picture of it (poppler's pdftoppm). Amounts come from the real pricing rules and the
 * validity from the real expiry rule, so the page shows what the order actually bills.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { proformaInvoiceFileName, renderProformaInvoicePdf, type ProformaInvoiceData } from '../../activities/online/invoice-pdf';
import type { OnlinePaymentMethod } from '../../workflows/definitions';
import { invoiceExpiresAt } from '../../workflows/online/invoice-expiry';
import { type OnlineLineRequest, priceOnlineOrder } from '../../workflows/online/pricing';
import { DEFAULT_POLICY } from '../../workflows/shared/policy';
import { parsePdf } from '../helpers/pdf-text';

const ISSUED_AT = '2026-11-24T03:00:00Z'; // 24 Nov 2026 10:00 WIB

/** The bill the pricing rules make of `requests` paid with `method`, under the default policy. */
function bill(requests: OnlineLineRequest[], method: OnlinePaymentMethod) {
  const priced = priceOnlineOrder(requests, method, DEFAULT_POLICY);
  if (Array.isArray(priced)) throw new Error(`fixture breaks a rule: ${JSON.stringify(priced)}`);
  return priced;
}

const invoice = (overrides: Partial<ProformaInvoiceData> = {}): ProformaInvoiceData => ({
  locale: 'en',
  timeZone: 'Asia/Jakarta',
  provider: { name: 'Qontak Omnichannel', address: 'Jl. H.R. Rasuna Said Blok X-5 No. 13, Jakarta Selatan 12950', email: 'billing@provider.example' },
  customer: { companyName: 'PT Maju Bersama', username: 'budi.santoso', email: 'budi@maju.example' },
  orderNumber: '1202206054089',
  issuedAt: ISSUED_AT,
  expiresAt: new Date(invoiceExpiresAt(Date.parse(ISSUED_AT), 'Asia/Jakarta')).toISOString(),
  status: 'awaiting_payment',
  paymentMethod: 'credit_card',
  payment: { vaNumber: null, bankCode: null, paymentUrl: 'https://sandbox-gateway.example/pay/inv_1202206054089' },
  ...bill([{ wallet: 'credit', amount: 1_000_000 }], 'credit_card'),
  cardFeeBasisPoints: DEFAULT_POLICY.creditCardFeeBasisPoints,
  settlement: null,
  ...overrides,
});

/** Every wallet in one order, the WhatsApp line raised to its minimum, paid by card, in Bahasa Indonesia. */
const fourWallets = (overrides: Partial<ProformaInvoiceData> = {}): ProformaInvoiceData =>
  invoice({
    locale: 'id',
    ...bill(
      [
        { wallet: 'credit', amount: 1_000_000 },
        { wallet: 'whatsapp', amount: 999_999 },
        { wallet: 'muv', amount: 2 },
        { wallet: 'deposit', amount: 250_000 },
      ],
      'credit_card',
    ),
    ...overrides,
  });

describe('Proforma invoice PDF', () => {
  test('When a 1,000,000 credit top-up is paid by card, then the invoice bills "IDR 1,035,000" with the "IDR 35,000" card fee and is valid until 23:59 of the next day', async () => {
    const pdf = await parsePdf(await renderProformaInvoicePdf(invoice()));

    expect(pdf.pages).toBe(1);
    expect(pdf.lines).toEqual(
      expect.arrayContaining([
        'PROFORMA INVOICE',
        'AWAITING PAYMENT',
        'Order number 1202206054089',
        'Issued 24 Nov 2026 10:00 WIB',
        'Valid until 25 Nov 2026 23:59 WIB',
        'Company name PT Maju Bersama',
        'Username budi.santoso',
        'Email budi@maju.example',
        'Payment method Credit card',
        'Payment link https://sandbox-gateway.example/pay/inv_1202206054089',
        'Wallet Requested Credited Price',
        'API credit IDR 1,000,000 IDR 1,000,000 IDR 1,000,000',
        'Subtotal IDR 1,000,000',
        'Credit card fee (3.5%) IDR 35,000',
        'Total IDR 1,035,000',
      ]),
    );
    expect(pdf.lines.join('\n')).toContain('After it this invoice expires and a new order is needed.');
  });

  test('When the invoice is paid by virtual account, then it shows the VA number and bank and no card fee line', async () => {
    const pdf = await parsePdf(
      await renderProformaInvoicePdf(
        invoice({ paymentMethod: 'virtual_account', payment: { vaNumber: '8808120220605408', bankCode: 'BCA', paymentUrl: null }, ...bill([{ wallet: 'credit', amount: 1_000_000 }], 'virtual_account') }),
      ),
    );

    expect(pdf.lines).toEqual(
      expect.arrayContaining(['Payment method Virtual account (BCA)', 'Virtual account number 8808120220605408', 'Subtotal IDR 1,000,000', 'Total IDR 1,000,000']),
    );
    expect(pdf.lines.join('\n')).not.toMatch(/Credit card fee|Payment link/);
  });

  test('When every wallet is bought in Bahasa Indonesia, then labels are Indonesian, 2 packs of visitors read "2 paket" and "1.000 pengunjung" and the raised WhatsApp line says why', async () => {
    const pdf = await parsePdf(await renderProformaInvoicePdf(fourWallets()));

    expect(pdf.pages).toBe(1);
    expect(pdf.lines).toEqual(
      expect.arrayContaining([
        'FAKTUR PROFORMA',
        'MENUNGGU PEMBAYARAN',
        'Nomor pesanan 1202206054089',
        'Diterbitkan 24 Nov 2026 10.00 WIB',
        'Berlaku hingga 25 Nov 2026 23.59 WIB',
        'Nama perusahaan PT Maju Bersama',
        'Metode pembayaran Kartu kredit',
        'Jenis saldo Diminta Masuk ke saldo Harga',
        'Kredit API Rp 1.000.000 Rp 1.000.000 Rp 1.000.000',
        'Saldo percakapan WhatsApp Rp 999.999 Rp 1.000.000 Rp 1.000.000',
        'Disesuaikan: raised to the minimum WhatsApp top-up of IDR 1,000,000',
        'Pengunjung unik bulanan 2 paket 1.000 pengunjung Rp 600.000',
        'Deposit hosting Rp 250.000 Rp 250.000 Rp 250.000',
        'Subtotal Rp 2.850.000',
        'Biaya kartu kredit (3,5%) Rp 99.750',
        'Total Rp 2.949.750',
      ]),
    );
    expect(pdf.lines.join('\n')).not.toMatch(/Order number|Valid until|Payment method|Credit card fee|IDR 1,035,000/);
    expect(proformaInvoiceFileName({ locale: 'id', orderNumber: '1202206054089' })).toBe('faktur-proforma-1202206054089.pdf');
    expect(proformaInvoiceFileName({ locale: 'en', orderNumber: '1202206054089' })).toBe('proforma-invoice-1202206054089.pdf');
  });

  test('When the invoice is paid and 5,000 was outstanding, then it is marked PAID, shows the outstanding settled first and offers no payment link', async () => {
    const pdf = await parsePdf(await renderProformaInvoicePdf(invoice({ status: 'paid', settlement: [{ wallet: 'credit', settled: 5_000, added: 995_000 }] })));

    expect(pdf.lines).toEqual(
      expect.arrayContaining(['PAID', 'API credit IDR 1,000,000 IDR 1,000,000 IDR 1,000,000', 'Outstanding settled first: IDR 5,000; added to balance: IDR 995,000', 'Total IDR 1,035,000']),
    );
    expect(pdf.lines.join('\n')).not.toMatch(/Payment link|AWAITING PAYMENT/);
  });

  test('When the invoice expired unpaid or was paid after expiry, then its badge and note say so', async () => {
    const closed = await parsePdf(await renderProformaInvoicePdf(invoice({ status: 'closed' })));
    const late = await parsePdf(await renderProformaInvoicePdf(invoice({ locale: 'id', status: 'paid_late' })));

    expect(closed.lines).toEqual(expect.arrayContaining(['CLOSED', 'This invoice expired without payment. Create a new order to top up.']));
    expect(late.lines).toContain('DIBAYAR TERLAMBAT');
    expect(late.lines.join(' ')).toContain('tim keuangan kami akan menambahkannya ke saldo atau mengembalikannya');
  });

  test('When the same invoice is rendered twice, then the bytes are identical and dated by its issue, not the clock', async () => {
    const first = await renderProformaInvoicePdf(invoice());
    const second = await renderProformaInvoicePdf(invoice());

    expect(Buffer.compare(Buffer.from(first), Buffer.from(second))).toBe(0);
    const { info } = await parsePdf(first);
    expect(info).toMatchObject({
      Title: 'Proforma invoice 1202206054089',
      Author: 'Qontak Omnichannel',
      Language: 'en-US',
      CreationDate: 'D:20261124030000Z',
      ModDate: 'D:20261124030000Z',
    });
  });

  test('When the amounts do not add up, then no invoice is rendered', async () => {
    await expect(renderProformaInvoicePdf(invoice({ total: 1_000_000 }))).rejects.toThrow(RangeError);
    await expect(renderProformaInvoicePdf(invoice({ total: 1_000_000 }))).rejects.toThrow(/total 1000000 != subtotal 1000000 \+ fee 35000/);
    await expect(renderProformaInvoicePdf(invoice({ subtotal: 900_000, total: 935_000 }))).rejects.toThrow(/subtotal 900000 != sum of line prices 1000000/);
    await expect(renderProformaInvoicePdf(invoice({ status: 'paid', settlement: [{ wallet: 'credit', settled: 5_000, added: 990_000 }] }))).rejects.toThrow(RangeError);
    await expect(renderProformaInvoicePdf(invoice({ paymentMethod: 'ewallet' }))).rejects.toThrow(/only a credit-card payment carries a fee/);
  });

  test('When all four wallets are paid with adjustments and settlements and long names, then everything still fits above the footer of one page', async () => {
    const pdf = await parsePdf(
      await renderProformaInvoicePdf(
        fourWallets({
          status: 'paid',
          provider: { name: 'PT Qontak Omnichannel Indonesia Teknologi Nusantara', address: 'Jl. H.R. Rasuna Said Blok X-5 No. 13, Kuningan, Setiabudi, Jakarta Selatan 12950', email: 'billing@provider.example' },
          customer: { companyName: 'PT Maju Bersama Sejahtera Abadi Sentosa Internasional Logistik dan Perdagangan Tbk', username: 'budi.santoso', email: 'budi@maju.example' },
          settlement: [
            { wallet: 'credit', settled: 5_000, added: 995_000 },
            { wallet: 'whatsapp', settled: 0, added: 1_000_000 },
            { wallet: 'muv', settled: 0, added: 1_000 },
            { wallet: 'deposit', settled: 0, added: 250_000 },
          ],
        }),
      ),
    );

    expect(pdf.pages).toBe(1);
    const total = pdf.lines.indexOf('Total Rp 2.949.750');
    const footer = pdf.lines.findIndex((l) => l.startsWith('Faktur proforma, bukan faktur pajak'));
    expect(pdf.lines).toContain('Tunggakan dilunasi terlebih dahulu: Rp 5.000; ditambahkan ke saldo: Rp 995.000');
    expect(total).toBeGreaterThan(0);
    expect(footer).toBeGreaterThan(total);
  });

  test('When a line carries more text than one page holds, then rendering refuses instead of drawing over the footer', async () => {
    const overlong = { wallet: 'credit', requested: 1_000_000, credit: 1_000_000, price: 1_000_000, adjustment: 'raised to the minimum of IDR 1,000,000 '.repeat(80) };

    await expect(renderProformaInvoicePdf(invoice({ lines: [overlong] }))).rejects.toThrow(/does not fit on one page/);
  });

  test('When the invoice is rendered to PNG with pdftoppm, then one A4 page with content comes out', async () => {
    const found = spawnSync('pdftoppm', ['-v'], { encoding: 'utf8' });
    if (found.error) throw new Error('pdftoppm is not installed: install poppler-utils (apt-get install -y poppler-utils); npm test does, as root');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'invoice-png-'));
    try {
      const pdfFile = path.join(dir, 'invoice.pdf');
      fs.writeFileSync(pdfFile, await renderProformaInvoicePdf(fourWallets({ status: 'paid', settlement: [{ wallet: 'credit', settled: 5_000, added: 995_000 }] })));
      const run = spawnSync('pdftoppm', ['-png', '-r', '100', '-singlefile', pdfFile, path.join(dir, 'invoice')], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);

      const png = fs.readFileSync(path.join(dir, 'invoice.png'));
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      // IHDR: width and height of A4 (210 x 297 mm) at 100 dpi.
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([827, 1170]);
      // A blank A4 page compresses to a few kilobytes; the drawn invoice is far larger.
      expect(png.length).toBeGreaterThan(30_000);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
