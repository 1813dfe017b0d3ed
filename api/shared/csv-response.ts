/**
 * CSV answers streamed from a database cursor through csv-stringify, with backpressure end to end: a statement of a
 * million lines goes out without being held in memory (bench/statement-csv.ts measures it). A client that goes away
 * stops the cursor; a failure after the first bytes cuts the answer (its status was sent already).
 */
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';
import type { Request, Response } from 'express';
import { stringify } from 'csv-stringify';

/** A CSV column: the header and the row field it takes. */
export interface CsvColumn<T> {
  header: string;
  value: (row: T) => string | number | null;
}

/** Sends `rows` as `fileName`, one CSV record per row under a header line. */
export async function sendCsv<T>(req: Request, res: Response, fileName: string, rows: Readable, columns: CsvColumn<T>[]): Promise<void> {
  res.status(200);
  res.set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${fileName}"` });
  const toRecord = new Transform({
    objectMode: true,
    transform(row: T, _encoding, done) {
      done(null, columns.map((c) => c.value(row) ?? ''));
    },
  });
  try {
    await pipeline(rows, toRecord, stringify({ header: true, columns: columns.map((c) => c.header) }), res);
  } catch (err) {
    // The client went away (nothing to answer), or the cursor failed mid-way: the connection is cut, the log says why.
    if (!res.writableFinished && (err as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE') req.log?.error({ err }, 'CSV stream failed');
    res.destroy();
  }
}
