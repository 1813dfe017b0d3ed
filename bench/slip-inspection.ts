/**
 * What judging a slip costs the API (api/bank-transfer/slip-inspection.ts), per file: a PNG decoded and encoded anew, a phone
 * photo (12 MP JPEG) likewise, a PDF opened in its worker thread and searched. 10 runs each, one at a time.
 *
 *   npm run bench -- slip-inspection
 */
import { createHash } from 'node:crypto';
import { PDFDocument } from 'pdf-lib';
import sharp from 'sharp';
import { inspectSlip } from '../api/bank-transfer/slip-inspection';
import type { SlipContentType } from '../api/bank-transfer/slip-upload';
import { pngSlipOfSize } from './lib/http';
import { runMain } from './lib/run-main';
import { fmt, summarize } from './lib/stats';

const RUNS = 10;

async function slips(): Promise<Array<[string, Buffer, SlipContentType]>> {
  const png5 = Buffer.from(pngSlipOfSize(5 * 1024 * 1024));
  const photo = await sharp(png5).resize(4000, 3000).jpeg({ quality: 92 }).toBuffer();
  const doc = await PDFDocument.create();
  for (let i = 0; i < 3; i += 1) doc.addPage().drawText(`Transfer receipt, page ${i + 1}`);
  return [
    ['PNG, 40 KB', Buffer.from(pngSlipOfSize(40 * 1024)), 'image/png'],
    [`PNG, ${fmt(png5.length / 1e6, 1)} MB`, png5, 'image/png'],
    [`JPEG 12 MP, ${fmt(photo.length / 1e6, 1)} MB`, photo, 'image/jpeg'],
    ['PDF, 3 pages', Buffer.from(await doc.save()), 'application/pdf'],
  ];
}

runMain(async () => {
  process.stdout.write(`slip inspection, ${RUNS} runs each (ms)\n`);
  for (const [name, content, contentType] of await slips()) {
    const times: number[] = [];
    const sha256 = createHash('sha256').update(content).digest('hex');
    for (let i = 0; i < RUNS; i += 1) {
      const start = performance.now();
      // Hashed while it streams in (slip-upload.ts), so not part of the inspection.
      await inspectSlip({ content, contentType, fileName: 'slip', sha256 });
      times.push(performance.now() - start);
    }
    const s = summarize(times);
    process.stdout.write(`${name.padEnd(22)} p50 ${fmt(s.p50, 0)}  p95 ${fmt(s.p95, 0)}  max ${fmt(s.max, 0)}\n`);
  }
});
