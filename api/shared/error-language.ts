/**
 * Refusals in the language the caller asks for (`Accept-Language`: `en`, the default, or `id`): the message and each
 * field's rule are translated from the table of error-translations.ts; the field names, codes and values stay as
 * they are, so a program reads the same answer in either language.
 */
import type { Request } from 'express';
import { ERROR_TRANSLATIONS_ID, VALUE_TRANSLATIONS_ID } from './error-translations';

/** The languages refusals are written in. */
export type ErrorLanguage = 'en' | 'id';

/** The caller's language by `Accept-Language` (quality values honoured; `id-ID` counts as `id`); English otherwise. */
export function errorLanguage(req: Request): ErrorLanguage {
  return req.acceptsLanguages('en', 'id') === 'id' ? 'id' : 'en';
}

interface Row {
  pattern: RegExp;
  names: string[];
  template: string;
  /** Literal characters of the English: the more, the more specific, tried first. */
  weight: number;
}

const GENERIC_FIELD_ROW = '{field}: {rule}';

function compile(english: string, template: string): Row {
  const names: string[] = [];
  const source = english
    .split(/(\{\w+\})/)
    .map((part) => {
      const name = /^\{(\w+)\}$/.exec(part)?.[1];
      if (!name) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(name);
      return '(.+?)';
    })
    .join('');
  return { pattern: new RegExp(`^${source}$`, 's'), names, template, weight: english.replace(/\{\w+\}/g, '').length };
}

const ROWS: Row[] = ERROR_TRANSLATIONS_ID.filter(([en]) => en !== GENERIC_FIELD_ROW)
  .map(([en, id]) => compile(en, id))
  .sort((a, b) => b.weight - a.weight);

/** A field's path before its rule: `lines.0.amount`, `Idempotency-Key`, `(body)`. */
const FIELD_PREFIX = /^([A-Za-z_(][\w.()\-[\]]*): (.+)$/s;
/** Where one field's `path: rule` ends and the next begins. */
const FIELD_BOUNDARY = /; (?=[A-Za-z_(][\w.()\-[\]]*: )/;

/** A value inside a message: a status, a role, a unit named in Indonesian, or a message of its own; else as it is. */
function translateValue(value: string, depth: number): string {
  return VALUE_TRANSLATIONS_ID[value] ?? (depth < 3 ? translateText(value, depth + 1) : null) ?? value;
}

/**
 * The Indonesian of an English refusal text, or null when the table has no row for it: a whole message, a rule,
 * several `path: rule` parts joined by "; ", or one `path: rule` with the path kept.
 */
export function translateText(text: string, depth = 0): string | null {
  // Several fields' rules (fromZodError joins them): each part on its own, so no value swallows the next field.
  const parts = text.split(FIELD_BOUNDARY);
  if (parts.length > 1) {
    const translated = parts.map((part) => translateText(part, depth));
    return translated.every((p) => p !== null) ? translated.join('; ') : null;
  }
  const field = FIELD_PREFIX.exec(text);
  const rule = field ? translateText(field[2]!, depth) : null;
  if (field && rule !== null) return `${field[1]}: ${rule}`;
  for (const row of ROWS) {
    const match = row.pattern.exec(text);
    if (!match) continue;
    return row.template.replace(/\{(\w+)\}/g, (_all, name: string) => translateValue(match[row.names.indexOf(name) + 1] ?? '', depth));
  }
  return null;
}

/** A refusal's message and rules in `language` (English as written; a text with no row stays English). */
export function localizeError<E extends { message: string; fields: { path: string; rule: string }[] }>(error: E, language: ErrorLanguage): E {
  if (language === 'en') return error;
  return {
    ...error,
    message: translateText(error.message) ?? error.message,
    fields: error.fields.map((f) => ({ path: f.path, rule: translateText(f.rule) ?? f.rule })),
  };
}
