/**
 * The PDF receipt as a customer reads it: the text of the page (extracted with pdf-parse), its metadata, and
 * the picture of it (rendered with poppler's pdftoppm).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { receiptFileName, renderReceiptPdf } from '../../activities/bank-transfer/receipt-pdf';
import { sampleReceipt } from '../helpers/fixtures';
import { parsePdf } from '../helpers/pdf-text';

const receipt = sampleReceipt;

describe('PDF receipt', () => {
  test('When a receipt is rendered in English, then the page shows the order, the customer and the amounts as "IDR 1,000,000"', async () => {
    const pdf = await parsePdf(await renderReceiptPdf(receipt()));

    expect(pdf.pages).toBe(1);
    expect(pdf.lines).toEqual(
      expect.arrayContaining([
        'ADVANCE.AI Indonesia',
        'RECEIPT',
        'PAID',
        'Order number 1202206054089',
        'Order time 24 Nov 2026 09:08 WIB',
        'Payment confirmed 24 Nov 2026 10:15 WIB',
        'Company name PT Maju Bersama',
        'Username budi.santoso',
        'Wallet API credit',
        'Payment method Bank transfer (Transfer Remittance)',
        'Currency IDR',
        'Check result Amount matches the slip',
        'Amount paid IDR 1,000,000',
        'Outstanding settled IDR 5,000',
        'Added to balance IDR 995,000',
        'New balance IDR 995,000',
      ]),
    );
  });

  test('When a receipt is rendered in Bahasa Indonesia, then every label is Indonesian and amounts read "Rp 1.000.000"', async () => {
    const pdf = await parsePdf(await renderReceiptPdf(receipt({ locale: 'id' })));

    expect(pdf.lines).toEqual(
      expect.arrayContaining([
        'KUITANSI',
        'LUNAS',
        'Nomor pesanan 1202206054089',
        'Waktu pemesanan 24 Nov 2026 09.08 WIB',
        'Pembayaran dikonfirmasi 24 Nov 2026 10.15 WIB',
        'Nama perusahaan PT Maju Bersama',
        'Nama pengguna budi.santoso',
        'Jenis saldo Kredit API',
        'Metode pembayaran Transfer bank (Transfer Remittance)',
        'Jumlah dibayar Rp 1.000.000',
        'Tunggakan dilunasi Rp 5.000',
        'Ditambahkan ke saldo Rp 995.000',
        'Saldo baru Rp 995.000',
      ]),
    );
    expect(pdf.lines.join('\n')).not.toMatch(/Order number|Amount paid|IDR 1,000,000/);
    expect(receiptFileName({ locale: 'id', orderNumber: '1202206054089' })).toBe('kuitansi-1202206054089.pdf');
  });

  test('When the same receipt is rendered twice, then the bytes are identical and dated by the payment, not the clock', async () => {
    const first = await renderReceiptPdf(receipt());
    const second = await renderReceiptPdf(receipt());

    expect(Buffer.compare(Buffer.from(first), Buffer.from(second))).toBe(0);
    const { info } = await parsePdf(first);
    expect(info).toMatchObject({
      Title: 'Receipt 1202206054089',
      Author: 'ADVANCE.AI Indonesia',
      Language: 'en-US',
      CreationDate: 'D:20261124031500Z',
      ModDate: 'D:20261124031500Z',
    });
  });

  test('When there was no outstanding balance and no check result, then the whole amount is added and no check result row appears', async () => {
    const pdf = await parsePdf(await renderReceiptPdf(receipt({ settled: 0, added: 1_000_000, balanceAfter: 1_250_000, checkResult: null })));

    expect(pdf.lines).toEqual(expect.arrayContaining(['Outstanding settled IDR 0', 'Added to balance IDR 1,000,000', 'New balance IDR 1,250,000']));
    expect(pdf.lines.some((l) => l.startsWith('Check result'))).toBe(false);
  });

  test('When the payment covers only part of the outstanding balance, then all of it settles, nothing is added and the new balance stays negative', async () => {
    const pdf = await parsePdf(await renderReceiptPdf(receipt({ locale: 'id', amount: 1_000_000, settled: 1_000_000, added: 0, balanceAfter: -4_000_000 })));

    expect(pdf.lines).toEqual(expect.arrayContaining(['Tunggakan dilunasi Rp 1.000.000', 'Ditambahkan ke saldo Rp 0', 'Saldo baru -Rp 4.000.000']));
  });

  test('When names hold characters the standard fonts cannot encode and the note is long, then it still renders on one page', async () => {
    const note = 'Slip shows a transfer from PT Łódź Café 😀 '.repeat(6);
    const pdf = await parsePdf(await renderReceiptPdf(receipt({ customer: { companyName: 'PT Łódź Café', username: 'siti' }, checkResult: note })));

    expect(pdf.pages).toBe(1);
    expect(pdf.lines).toContain('Company name PT ?ódz Café');
    const noteLines = pdf.lines.slice(pdf.lines.findIndex((l) => l.startsWith('Check result')), pdf.lines.indexOf('Payment allocation'));
    expect(noteLines.length).toBeGreaterThan(1);
  });

  test('When the settlement split does not add up to the amount paid, then no receipt is rendered', async () => {
    await expect(renderReceiptPdf(receipt({ settled: 5_000, added: 990_000 }))).rejects.toThrow(/do not add up/);
  });

  test('When the receipt is rendered to PNG with pdftoppm, then one A4 page with content comes out', async () => {
    const found = spawnSync('pdftoppm', ['-v'], { encoding: 'utf8' });
    if (found.error) throw new Error('pdftoppm is not installed: install poppler-utils (apt-get install -y poppler-utils); npm test does, as root');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'receipt-png-'));
    try {
      const pdfFile = path.join(dir, 'receipt.pdf');
      fs.writeFileSync(pdfFile, await renderReceiptPdf(receipt({ locale: 'id' })));
      const run = spawnSync('pdftoppm', ['-png', '-r', '100', '-singlefile', pdfFile, path.join(dir, 'receipt')], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);

      const png = fs.readFileSync(path.join(dir, 'receipt.png'));
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      // IHDR: width and height of A4 (210 x 297 mm) at 100 dpi.
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([827, 1170]);
      // A blank A4 page compresses to a few kilobytes; the drawn receipt is far larger.
      expect(png.length).toBeGreaterThan(30_000);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
