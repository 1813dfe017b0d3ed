/** Reads a PDF back as text, the way a customer's viewer would show it (pdf-parse). */
import { spawn } from 'node:child_process';
import path from 'node:path';

// pdf-parse loads pdf.js's worker with a dynamic import(), which jest's CommonJS runtime refuses (it needs
// --experimental-vm-modules), so the text is extracted by plain Node in a child process.
const EXTRACT_SCRIPT = `
const { PDFParse } = require('pdf-parse');
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', async () => {
  const parser = new PDFParse({ data: new Uint8Array(Buffer.concat(chunks)) });
  const text = await parser.getText();
  const info = await parser.getInfo();
  await parser.destroy();
  process.stdout.write(JSON.stringify({ pages: info.total, text: text.text, info: info.info }));
});`;

export interface ParsedPdf {
  pages: number;
  /** One entry per line of the page, runs of blanks collapsed to one space. */
  lines: string[];
  info: Record<string, unknown>;
}

export function parsePdf(bytes: Uint8Array): Promise<ParsedPdf> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', EXTRACT_SCRIPT], { cwd: path.resolve(__dirname, '..', '..'), stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`pdf text extraction failed (${code}): ${err}`));
      const parsed = JSON.parse(out) as { pages: number; text: string; info: Record<string, unknown> };
      const lines = parsed.text.split('\n').map((l) => l.replace(/\s+/g, ' ').trim()).filter((l) => l !== '');
      resolve({ pages: parsed.pages, lines, info: parsed.info });
    });
    child.stdin.end(Buffer.from(bytes));
  });
}

