/**
 * What a PDF slip may be: a document pdf-lib opens, with at least one page, not encrypted, with nothing that
 * runs (JavaScript, actions fired on opening or on events, launching programs, submitting forms) and nothing
 * attached (embedded files, file-attachment annotations, rich media). Every object of the file is looked at,
 * those of earlier revisions and those packed in object streams included, so nothing hides in a corner.
 *
 * Opening a PDF inflates its object streams, which a hostile file can make huge, so this runs in a worker
 * thread that its host (slip-pdf-check.ts) stops after a time limit; the file imports nothing of ours, so the
 * worker can load it alone. Started as that worker (`workerData.role`), it answers each message it is posted.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFStream, type PDFObject } from 'pdf-lib';

/** The rule a PDF slip breaks, or null when it may be stored. */
export type PdfSlipVerdict = string | null;

/** Rules, named as the 415 answer names them. */
export const PDF_RULES = {
  opens: 'must be a PDF that opens, with at least one page',
  encrypted: 'must not be encrypted or password-protected',
  scripts: 'must not contain JavaScript or actions that run by themselves (/JS, /JavaScript, /OpenAction, /AA, Launch, SubmitForm)',
  attachments: 'must not contain embedded or attached files (/EmbeddedFiles, file attachments, rich media)',
} as const;

/** Keys whose presence means code or an automatic action. */
const SCRIPT_KEYS = new Set(['JS', 'JavaScript', 'AA', 'XFA']);
/**
 * Action types (`/S`) that run code or a program, play media or send data, wherever they sit. A link to a web
 * page (`URI`) or to a page (`GoTo`) needs a click and runs nothing, and bank e-receipts carry them: allowed.
 */
const SCRIPT_ACTIONS = new Set(['JavaScript', 'Launch', 'SubmitForm', 'ImportData', 'Rendition', 'RichMediaExecute', 'GoToE', 'Sound', 'Movie']);
/** Keys and types that carry a file inside the PDF. */
const ATTACHMENT_KEYS = new Set(['EmbeddedFiles', 'EF', 'RichMediaContent']);
const ATTACHMENT_TYPES = new Set(['EmbeddedFile', 'Filespec']);
const ATTACHMENT_SUBTYPES = new Set(['FileAttachment', 'RichMedia', 'Movie', 'Sound', 'Screen', '3D']);

function nameOf(value: PDFObject | undefined): string | undefined {
  return value instanceof PDFName ? value.decodeText() : undefined;
}

/** The rule one dictionary breaks, if any. */
function dictViolation(dict: PDFDict): PdfSlipVerdict {
  for (const [key, value] of dict.entries()) {
    const name = key.decodeText();
    if (SCRIPT_KEYS.has(name)) return PDF_RULES.scripts;
    if (ATTACHMENT_KEYS.has(name)) return PDF_RULES.attachments;
    // Opening at a page (a destination array, or a plain GoTo) is harmless; any other opening action is not.
    if (name === 'OpenAction' && !(value instanceof PDFArray)) {
      const action = value instanceof PDFDict ? value : dict.context.lookup(value);
      if (action instanceof PDFDict && nameOf(action.get(PDFName.of('S'))) !== 'GoTo') return PDF_RULES.scripts;
    }
  }
  const action = nameOf(dict.get(PDFName.of('S')));
  if (action && SCRIPT_ACTIONS.has(action)) return PDF_RULES.scripts;
  if (ATTACHMENT_TYPES.has(nameOf(dict.get(PDFName.of('Type'))) ?? '')) return PDF_RULES.attachments;
  if (ATTACHMENT_SUBTYPES.has(nameOf(dict.get(PDFName.of('Subtype'))) ?? '')) return PDF_RULES.attachments;
  return null;
}

/** The rule an object breaks, looking into every dictionary and array nested inside it. */
function objectViolation(root: PDFObject): PdfSlipVerdict {
  const stack: PDFObject[] = [root];
  while (stack.length > 0) {
    const object = stack.pop()!;
    const dict = object instanceof PDFStream ? object.dict : object instanceof PDFDict ? object : null;
    if (dict) {
      const violation = dictViolation(dict);
      if (violation) return violation;
      stack.push(...dict.values());
    } else if (object instanceof PDFArray) {
      stack.push(...object.asArray());
    }
  }
  return null;
}

/** Judges a PDF slip; never throws. */
export async function pdfSlipVerdict(content: Uint8Array): Promise<PdfSlipVerdict> {
  let doc: PDFDocument;
  try {
    // Opened despite encryption only to see that it is encrypted (an /Encrypt entry, a password or not).
    doc = await PDFDocument.load(content, { ignoreEncryption: true, throwOnInvalidObject: true, updateMetadata: false });
  } catch {
    return PDF_RULES.opens;
  }
  if (doc.isEncrypted) return PDF_RULES.encrypted;
  try {
    if (doc.getPageCount() < 1) return PDF_RULES.opens;
  } catch {
    return PDF_RULES.opens;
  }
  for (const [, object] of doc.context.enumerateIndirectObjects()) {
    const violation = objectViolation(object);
    if (violation) return violation;
  }
  return null;
}

/** The worker's side: one verdict per posted file. */
if (!isMainThread && (workerData as { role?: string } | null)?.role === 'slip-pdf') {
  parentPort!.on('message', (content: Uint8Array) => {
    void pdfSlipVerdict(content).then((verdict) => parentPort!.postMessage(verdict));
  });
}
