/**
 * Runs the PDF slip rules (slip-pdf-rules.ts) in a worker thread of its own, stopped after a time limit: a PDF
 * whose object streams inflate to gigabytes (a decompression bomb) costs that thread, never the API's event loop
 * or its memory for longer than the limit.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PdfSlipVerdict } from './slip-pdf-rules';

/** How long a PDF may take to open and check before it is refused. */
export const PDF_CHECK_TIMEOUT_MS = 5_000;
/** The JavaScript heap a PDF check may use. */
const PDF_CHECK_HEAP_MB = 256;
/** The rule named when a PDF takes longer, or more memory, than that. */
export const PDF_LIMIT_RULE = `must open within ${PDF_CHECK_TIMEOUT_MS / 1000} s and ${PDF_CHECK_HEAP_MB} MB (this one did not: too large or too complex)`;

const RULES_FILE = path.join(__dirname, `slip-pdf-rules${path.extname(__filename)}`);

/**
 * The worker's script. Compiled (dist/), the rules' own .js file; from the TypeScript sources (jest), the same
 * file transpiled once, since a worker thread does not go through the test runner's transform.
 */
let sourceScript: string | undefined;
function workerScript(): { script: string; evaluate: boolean } {
  if (!RULES_FILE.endsWith('.ts')) return { script: RULES_FILE, evaluate: false };
  if (sourceScript === undefined) {
    // Only the sources need it, and only where the dev dependencies are installed.
    const ts = require('typescript') as typeof import('typescript');
    sourceScript = ts.transpileModule(fs.readFileSync(RULES_FILE, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  }
  return { script: sourceScript, evaluate: true };
}

/** The rule the PDF breaks, or null; a PDF that takes longer than {@link PDF_CHECK_TIMEOUT_MS} breaks the time rule. */
export function checkSlipPdf(content: Buffer, timeoutMs = PDF_CHECK_TIMEOUT_MS): Promise<PdfSlipVerdict> {
  const { script, evaluate } = workerScript();
  const worker = new Worker(script, { eval: evaluate, workerData: { role: 'slip-pdf' }, resourceLimits: { maxOldGenerationSizeMb: PDF_CHECK_HEAP_MB } });
  return new Promise<PdfSlipVerdict>((resolve, reject) => {
    const timer = setTimeout(() => resolve(PDF_LIMIT_RULE), timeoutMs);
    worker.once('message', (verdict: PdfSlipVerdict) => resolve(verdict));
    worker.once('error', (err) => {
      // Out of memory inside the worker is the file's fault; anything else is ours.
      if ((err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') resolve(PDF_LIMIT_RULE);
      else reject(err);
    });
    worker.once('exit', (code) => {
      clearTimeout(timer);
      // Only reached when the worker stopped without answering (after an answer, settling again does nothing).
      reject(new Error(`the PDF check stopped without a verdict (exit code ${code})`));
    });
    worker.postMessage(new Uint8Array(content));
  }).finally(() => void worker.terminate());
}
