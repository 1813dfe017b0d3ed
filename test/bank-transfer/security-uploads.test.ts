/**
 * Hostile slip uploads (issues 8 and 15): each refused with the documented code and nothing stored, or, where
 * the bytes really are a JPEG, PNG or PDF, accepted and made harmless. A slip is typed by its first bytes and
 * then judged by a real decoder: an image must decode completely and is stored encoded anew (bytes after its
 * end and its metadata gone), a PDF must open and carry no encryption, script or attached file. A stored slip
 * is served back as an attachment with its type, `nosniff` and a `sandbox` Content-Security-Policy, and the
 * client's file name is kept only, cleaned, for the record. A slow body is cut by the server's request timeout
 * (api/shared/server-timeouts.ts); a decompression bomb is refused by the decoders' bounds.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { createDeflate, deflateSync } from 'node:zlib';
import exifReader from 'exif-reader';
import { PDFDocument, PDFName, PDFString } from 'pdf-lib';
import PDFKit from 'pdfkit';
import sharp from 'sharp';
import request, { type Response, type Test } from 'supertest';
import { applyServerTimeouts } from '../../api/shared/server-timeouts';
import { bearer, useTestApi } from '../helpers/api';
import { appVariant } from '../helpers/app-variant';
import { createTestAccount, type TestAccount } from '../helpers/fixtures';
import { PHONE_EXIF_WITH_GPS, PNG_SIGNATURE, pngChunk, slipJpeg, slipPdf, slipPng } from '../helpers/slips';

const api = useTestApi();
let account: TestAccount;
/** A real PNG slip, accepted wherever a test needs one. */
let png: Buffer;

beforeAll(async () => {
  account = await createTestAccount(api.t.db.pool);
  png = await slipPng();
});

async function unpaidOrder(): Promise<string> {
  const res = await request(api.app).post('/v1/orders').set(bearer(account.ownerToken)).send({ wallet: 'credit', amount: 100_000 });
  return String(res.body.orderNumber);
}

function upload(orderNumber: string, content: Buffer, filename: string, contentType = 'image/png'): Test {
  return request(api.app).post(`/v1/orders/${orderNumber}/slip`).set(bearer(account.ownerToken)).attach('slip', content, { filename, contentType });
}

async function slipsOf(orderNumber: string): Promise<Array<{ file_name: string; content_type: string }>> {
  const res = await api.t.db.pool.query<{ file_name: string; content_type: string }>('SELECT file_name, content_type FROM slips WHERE order_number = $1', [orderNumber]);
  return res.rows;
}

/** The slip as served back, its bytes whatever its type. */
async function download(orderNumber: string): Promise<{ res: Response; content: Buffer }> {
  const res = await request(api.app)
    .get(`/v1/orders/${orderNumber}/slip`)
    .set(bearer(account.ownerToken))
    .buffer(true)
    .parse((r, done) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => done(null, Buffer.concat(chunks)));
    });
  return { res, content: res.body as Buffer };
}

async function statusOf(orderNumber: string): Promise<string> {
  return (await request(api.app).get(`/v1/orders/${orderNumber}`).set(bearer(account.ownerToken))).body.status;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe.each([
  ['an executable named slip.png', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(64, 0x90)]), 'slip.png', 415, 'unsupported_media_type'],
  ['an HTML page claiming image/png', Buffer.from('<html><script>alert(1)</script></html>'), 'slip.png', 415, 'unsupported_media_type'],
  ['a script with a double extension', Buffer.from('#!/bin/sh\nrm -rf /\n'), 'slip.png.sh', 415, 'unsupported_media_type'],
  ['a truncated PNG signature', PNG_SIGNATURE.subarray(0, 4), 'slip.png', 415, 'unsupported_media_type'],
  ['a 0-byte file', Buffer.alloc(0), 'slip.png', 400, 'invalid_input'],
  ['a file of 10 MB and one byte', Buffer.concat([PNG_SIGNATURE, Buffer.alloc(10 * 1024 * 1024 + 1 - PNG_SIGNATURE.length)]), 'slip.png', 413, 'payload_too_large'],
])('When the slip is %s', (_label, content, filename, status, code) => {
  test(`then ${status} ${code} and nothing is stored`, async () => {
    const orderNumber = await unpaidOrder();
    const res = await upload(orderNumber, content, filename);
    expect({ status: res.status, code: res.body.error?.code }).toEqual({ status, code });
    expect(await slipsOf(orderNumber)).toEqual([]);
    expect((await request(api.app).get(`/v1/orders/${orderNumber}`).set(bearer(account.ownerToken))).body.status).toBe('unpaid');
  });
});

test('When the multipart body has too many parts, then 400 and nothing is stored', async () => {
  const orderNumber = await unpaidOrder();
  let test = upload(orderNumber, png, 'slip.png');
  for (let i = 0; i < 10; i += 1) test = test.field(`f${i}`, 'x');
  const res = await test;
  expect(res.status).toBe(400);
  expect(await slipsOf(orderNumber)).toEqual([]);
});

/** A complete, valid PNG of 30,000 × 30,000 one-bit pixels: about 110 kB that inflate to 112 MB of rows. */
function decompressionBombPng(): Buffer {
  const side = 30_000;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header.set([1, 0, 0, 0, 0], 8); // bit depth 1, greyscale, deflate, no filter, no interlace
  const rows = Buffer.alloc((1 + side / 8) * side);
  return Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', header), pngChunk('IDAT', deflateSync(rows, { level: 9 })), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A PDF whose object stream inflates to 1 GB, and whose catalog sits inside it. */
async function decompressionBombPdf(): Promise<Buffer> {
  const deflate = createDeflate({ level: 9 });
  const packed = new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    deflate.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks))).on('error', reject);
  });
  deflate.write('1 0 << /Type /Catalog /Pages 2 0 R >>');
  const spaces = Buffer.alloc(1024 * 1024, 0x20);
  for (let i = 0; i < 1024; i += 1) if (!deflate.write(spaces)) await new Promise((r) => deflate.once('drain', r));
  deflate.end();
  return Buffer.concat([
    Buffer.from(`%PDF-1.5\n3 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length ${(await packed).length} >>\nstream\n`),
    await packed,
    Buffer.from('\nendstream\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R /Size 4 >>\n%%EOF\n'),
  ]);
}

/** A PDF encrypted by pdfkit (the standard security handler), with or without a password to open it. */
function encryptedPdf(opts: { userPassword?: string }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFKit({ pdfVersion: '1.7', ownerPassword: 'owner-secret', ...opts, permissions: { printing: 'highResolution' } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.text('Transfer receipt: IDR 250,000');
    doc.end();
  });
}

/** An action that runs JavaScript, as an indirect object of `doc`. */
const scriptAction = (doc: PDFDocument) => doc.context.register(doc.context.obj({ Type: 'Action', S: 'JavaScript', JS: PDFString.of("app.alert('paid')") }));

/** The rule a 415 names for the slip field. */
function expectRefused(res: Response, rule: RegExp): void {
  expect({ status: res.status, code: res.body.error?.code, fields: res.body.error?.fields?.map((f: { path: string }) => f.path) }).toEqual({
    status: 415,
    code: 'unsupported_media_type',
    fields: ['slip'],
  });
  expect(res.body.error.fields[0].rule).toMatch(rule);
  expect(res.body.error.message).toMatch(/^slip: /);
}

describe.each<[string, () => Promise<Buffer>, string, RegExp]>([
  ['the 8-byte PNG signature followed by an HTML page', async () => Buffer.concat([PNG_SIGNATURE, Buffer.from('<html><script>alert(document.cookie)</script></html>')]), 'slip.png', /PNG image that decodes/],
  ['a JPEG cut off halfway', async () => (await slipJpeg()).subarray(0, 400), 'slip.jpg', /JPEG image that decodes/],
  ['a PNG cut off before its end', async () => (await slipPng()).subarray(0, 120), 'slip.png', /PNG image that decodes/],
  ['a decompression bomb: a valid PNG of 30,000 × 30,000 pixels in 110 kB', async () => decompressionBombPng(), 'slip.png', /at most 50,000,000 pixels \(this one is 30000 × 30000\)/],
  ['a PDF encrypted with a password to open it', () => encryptedPdf({ userPassword: 'open-sesame' }), 'slip.pdf', /must not be encrypted/],
  ['a PDF encrypted with an owner password only (it opens without one)', () => encryptedPdf({}), 'slip.pdf', /must not be encrypted/],
  ['a PDF that runs JavaScript on opening (/OpenAction), packed in an object stream', () => pdfWith((doc) => doc.catalog.set(PDFName.of('OpenAction'), scriptAction(doc)), true), 'slip.pdf', /JavaScript/],
  ['a PDF with a document-level script (/Names /JavaScript)', () => pdfWith((doc) => doc.catalog.set(PDFName.of('Names'), doc.context.obj({ JavaScript: doc.context.obj({ Names: [PDFString.of('init'), scriptAction(doc)] }) }))), 'slip.pdf', /JavaScript/],
  ['a PDF whose page runs an action when opened (/AA)', () => pdfWith((doc) => doc.getPage(0).node.set(PDFName.of('AA'), doc.context.obj({ O: scriptAction(doc) }))), 'slip.pdf', /JavaScript/],
  ['a PDF with an embedded file (/EmbeddedFiles)', () => slipPdf(async (doc) => doc.attach(Buffer.from('MZ not a receipt'), 'invoice.exe', { mimeType: 'application/octet-stream' })), 'slip.pdf', /embedded or attached files/],
  [
    'a PDF with a file attachment annotation',
    () => pdfWith((doc) => doc.getPage(0).node.set(PDFName.of('Annots'), doc.context.obj([doc.context.obj({ Type: 'Annot', Subtype: 'FileAttachment', Rect: [10, 10, 30, 30], FS: doc.context.obj({ Type: 'Filespec', F: PDFString.of('a.txt') }) })]))),
    'slip.pdf',
    /embedded or attached files/,
  ],
  ['a PDF header followed by nothing a PDF reader can open', async () => Buffer.from('%PDF-1.7\n<html><script>alert(1)</script></html>\n%%EOF'), 'slip.pdf', /PDF that opens/],
])('When the slip is %s', (_label, make, filename, rule) => {
  test('then 415 naming the slip field and the rule, nothing is stored and the order stays Unpaid', async () => {
    const orderNumber = await unpaidOrder();
    const res = await upload(orderNumber, await make(), filename, filename.endsWith('.pdf') ? 'application/pdf' : 'image/png');
    expectRefused(res, rule);
    expect(await slipsOf(orderNumber)).toEqual([]);
    expect(await statusOf(orderNumber)).toBe('unpaid');
  });
});

/** A one-page PDF changed by `change`, saved with or without object streams. */
async function pdfWith(change: (doc: PDFDocument) => void, objectStreams = false): Promise<Buffer> {
  const doc = await PDFDocument.load(await slipPdf());
  change(doc);
  return Buffer.from(await doc.save({ useObjectStreams: objectStreams }));
}

test('When a valid PNG has an HTML page with a script appended after its end, then only the picture is stored: the script is gone and the original is identified', async () => {
  const original = Buffer.concat([png, Buffer.from('<html><script>alert(document.cookie)</script></html>')]);
  const orderNumber = await unpaidOrder();
  const res = await upload(orderNumber, original, 'slip.png', 'text/html');
  expect(res.status).toBe(201);
  expect(res.body).toMatchObject({ status: 'dealing', slip: { contentType: 'image/png', original: { sha256: sha256(original), size: original.length } } });

  const { res: served, content } = await download(orderNumber);
  expect(content.toString('latin1')).not.toMatch(/<html|<script/);
  // The stored file ends where the PNG ends (its IEND chunk), and is what the order's record says it is.
  expect(content.subarray(-12)).toEqual(pngChunk('IEND', Buffer.alloc(0)));
  expect(res.body.slip).toMatchObject({ sha256: sha256(content), size: content.length });
  expect(await sharp(content).metadata()).toMatchObject({ format: 'png', width: 120, height: 80 });
  expect(served.headers).toMatchObject({
    'content-type': 'image/png',
    'content-disposition': `attachment; filename="slip-${orderNumber}.png"`,
    'x-content-type-options': 'nosniff',
  });
  expect(served.headers['content-security-policy']).toContain('sandbox');
  const row = await api.t.db.pool.query('SELECT sha256, size, original_sha256, original_size FROM slips WHERE order_number = $1', [orderNumber]);
  expect(row.rows).toEqual([{ sha256: sha256(content), size: content.length, original_sha256: sha256(original), original_size: original.length }]);
});

test('When a phone photo (JPEG) carries EXIF with its GPS position, then it is stored without any metadata, upright and the same size', async () => {
  const photo = await slipJpeg({ width: 160, height: 90, exif: PHONE_EXIF_WITH_GPS });
  // The upload really holds a position.
  expect(exifReader((await sharp(photo).metadata()).exif!).GPSInfo).toMatchObject({ GPSLatitudeRef: 'S', GPSLongitudeRef: 'E' });

  const orderNumber = await unpaidOrder();
  const res = await upload(orderNumber, photo, 'IMG_2041.jpg', 'image/jpeg');
  expect(res.status).toBe(201);
  expect(res.body).toMatchObject({ status: 'dealing', slip: { contentType: 'image/jpeg', original: { sha256: sha256(photo), size: photo.length } } });

  const { res: served, content } = await download(orderNumber);
  expect(served.headers['content-type']).toBe('image/jpeg');
  const stored = await sharp(content).metadata();
  expect(stored).toMatchObject({ format: 'jpeg', width: 160, height: 90 });
  expect(stored.exif).toBeUndefined();
  expect(stored.xmp).toBeUndefined();
  expect(content.toString('latin1')).not.toMatch(/Exif|GPS|PhoneMaker/);
});

test('When good slips are sent (a PNG screenshot, a JPEG photo, a PDF e-receipt with a link), then each is accepted and its order is Dealing', async () => {
  const pdf = await pdfWith((doc) =>
    doc.getPage(0).node.set(
      PDFName.of('Annots'),
      doc.context.obj([doc.context.obj({ Type: 'Annot', Subtype: 'Link', Rect: [24, 240, 200, 262], A: doc.context.obj({ S: 'URI', URI: PDFString.of('https://bank.example/receipts') }) })]),
    ),
  );
  const slips: Array<[Buffer, string, string]> = [
    [png, 'screenshot.png', 'image/png'],
    [await slipJpeg(), 'photo.jpg', 'image/jpeg'],
    [pdf, 'e-receipt.pdf', 'application/pdf'],
  ];
  for (const [content, filename, type] of slips) {
    const orderNumber = await unpaidOrder();
    const res = await upload(orderNumber, content, filename, type);
    expect({ status: res.status, order: res.body.status, type: res.body.slip?.contentType }).toEqual({ status: 201, order: 'dealing', type });
    expect(await statusOf(orderNumber)).toBe('dealing');
    const { content: stored } = await download(orderNumber);
    if (type === 'application/pdf') {
      // A PDF is checked, not rewritten: stored as uploaded.
      expect(stored.equals(content)).toBe(true);
      expect((await PDFDocument.load(stored)).getPageCount()).toBe(1);
    } else {
      expect(await sharp(stored).metadata()).toMatchObject({ format: type.slice(6), width: 120, height: 80 });
    }
  }
});

test('When a PDF slip is a decompression bomb (an object stream of 1 GB), then it is refused within its time bound and the API answers other requests meanwhile', async () => {
  const bomb = await decompressionBombPdf();
  const orderNumber = await unpaidOrder();
  const started = Date.now();
  const pending = upload(orderNumber, bomb, 'slip.pdf', 'application/pdf').then((res) => ({ res, ms: Date.now() - started }));
  // While the bomb is being opened, the API's event loop is free.
  await new Promise((r) => setTimeout(r, 1_000));
  const probeStarted = Date.now();
  expect((await request(api.app).get(`/v1/orders/${orderNumber}`).set(bearer(account.ownerToken))).status).toBe(200);
  expect(Date.now() - probeStarted).toBeLessThan(1_000);
  const { res, ms } = await pending;
  expectRefused(res, /must open within 5 s/);
  expect(ms).toBeLessThan(8_000);
  expect(await slipsOf(orderNumber)).toEqual([]);
  expect(await statusOf(orderNumber)).toBe('unpaid');
});

test('When the file name tries path traversal or a double extension, then only a cleaned name is kept and the download name is ours', async () => {
  const orderNumber = await unpaidOrder();
  const res = await upload(orderNumber, png, '../../etc/passwd.png.exe');
  expect(res.status).toBe(201);
  const [stored] = await slipsOf(orderNumber);
  expect(stored!.file_name).not.toMatch(/[/\\]/);
  expect(stored!.content_type).toBe('image/png');
  const served = await request(api.app).get(`/v1/orders/${orderNumber}/slip`).set(bearer(account.ownerToken));
  expect(served.headers['content-disposition']).toBe(`attachment; filename="slip-${orderNumber}.png"`);
});

test('When a client trickles a slip body and never finishes, then the server cuts the request (408) instead of waiting for ever, and nothing is stored', async () => {
  const orderNumber = await unpaidOrder();
  const server = applyServerTimeouts(http.createServer({ connectionsCheckingInterval: 100 }, api.app), { requestTimeoutMs: 800, headersTimeoutMs: 500, keepAliveTimeoutMs: 500 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const started = Date.now();
  const answer = await new Promise<string>((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      const head = [
        `POST /v1/orders/${orderNumber}/slip HTTP/1.1`,
        'Host: localhost',
        `Authorization: Bearer ${account.ownerToken}`,
        'Content-Type: multipart/form-data; boundary=x',
        'Content-Length: 1000000',
        '',
        '--x\r\nContent-Disposition: form-data; name="slip"; filename="s.png"\r\nContent-Type: image/png\r\n\r\n',
      ].join('\r\n');
      // The file starts as a PNG does, so its first bytes pass the type check at once and only the timeout can end
      // the request (dripped from the first byte, the eighth would decide the type just as the timeout fires).
      socket.write(Buffer.concat([Buffer.from(head, 'utf8'), PNG_SIGNATURE]));
    });
    const drip = setInterval(() => socket.write('a'), 100);
    let received = '';
    socket.on('data', (c: Buffer) => (received += c.toString('utf8')));
    socket.on('close', () => {
      clearInterval(drip);
      resolve(received);
    });
    socket.on('error', () => undefined);
  });
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(answer).toMatch(/^HTTP\/1\.1 408/);
  expect(await slipsOf(orderNumber)).toEqual([]);
});

test('When one user keeps uploading slips, then past the upload limit 429 with Retry-After, nothing more is stored, and other users and other requests go on', async () => {
  const limited = appVariant(api, { uploadRateLimit: { limit: 2, windowMs: 60_000 } });
  const send = (token: string, orderNumber: string) =>
    request(limited).post(`/v1/orders/${orderNumber}/slip`).set(bearer(token)).attach('slip', png, { filename: 'slip.png', contentType: 'image/png' });
  // Two uploads (the second refused by the order's state, 409, but counted: an attempt reads a body all the same).
  const first = await unpaidOrder();
  expect((await send(account.ownerToken, first)).status).toBe(201);
  expect((await send(account.ownerToken, first)).status).toBe(409);
  const second = await unpaidOrder();
  const refused = await send(account.ownerToken, second);
  expect({ status: refused.status, code: refused.body.error?.code }).toEqual({ status: 429, code: 'too_many_requests' });
  expect(refused.body.error.message).toMatch(/at most 2 slip uploads per 60 s/);
  expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  expect(await slipsOf(second)).toEqual([]);
  // Reading is not uploading; another user of the account has a budget of its own.
  expect((await request(limited).get(`/v1/orders/${second}`).set(bearer(account.ownerToken))).status).toBe(200);
  const other = await createTestAccount(api.t.db.pool);
  const theirs = String((await request(api.app).post('/v1/orders').set(bearer(other.ownerToken)).send({ wallet: 'credit', amount: 100_000 })).body.orderNumber);
  expect((await send(other.ownerToken, theirs)).status).toBe(201);
});
