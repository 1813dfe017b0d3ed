/**
 * Command-line flags of a benchmark: `--name value` or `--name=value`, each declared with its default, so
 * `--help` lists them and a typo stops the run instead of silently measuring the default.
 */
import { parseArgs } from 'node:util';

/** A flag's default: a number, a string, or a list of numbers written `1,20,100`. */
export type FlagDefault = number | string | number[];

type Parsed<T extends Record<string, FlagDefault>> = { [K in keyof T]: T[K] extends number ? number : T[K] extends number[] ? number[] : string };

/** Parses `argv` against `defaults`; prints the flags and exits on `--help`. */
export function parseFlags<T extends Record<string, FlagDefault>>(usage: string, defaults: T, argv: string[] = process.argv.slice(2)): Parsed<T> {
  const options: Record<string, { type: 'string' | 'boolean' }> = Object.fromEntries(Object.keys(defaults).map((k) => [k, { type: 'string' }]));
  options.help = { type: 'boolean' };
  const values: Record<string, string | boolean | undefined> = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  if (values.help) {
    const lines = Object.entries(defaults).map(([k, v]) => `  --${k} ${Array.isArray(v) ? v.join(',') : String(v)}`);
    process.stdout.write(`${usage}\n\nFlags (defaults shown):\n${lines.join('\n')}\n`);
    process.exit(0);
  }
  const out: Record<string, FlagDefault> = {};
  for (const [key, fallback] of Object.entries(defaults)) {
    const raw = values[key];
    if (typeof raw !== 'string') {
      out[key] = fallback;
    } else if (typeof fallback === 'number') {
      out[key] = toNumber(key, raw);
    } else if (Array.isArray(fallback)) {
      out[key] = raw.split(',').map((part) => toNumber(key, part));
    } else {
      out[key] = raw;
    }
  }
  return out as Parsed<T>;
}

function toNumber(key: string, raw: string): number {
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${key}: "${raw}" is not a non-negative number`);
  return n;
}
