/**
 * Every refusal the API can answer has its Bahasa Indonesia: the sources of api/, db/ and workflows/ are read
 * with the TypeScript compiler and every message a refusal is built from is collected (HttpError messages, the
 * rules of fields, the workflows' refusals and invalid inputs, the ledger's errors, the slip's rules, zod's
 * messages in our schemas, the transition tables' reasons); each, with its values stood in for, must translate.
 * Then the translation itself: values pass through, statuses are named in Indonesian, fields keep their names.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { projectRoot } from '../../config/paths';
import { localizeError, translateText } from '../../api/shared/error-language';

const ROOT = projectRoot();
/** Calls whose argument at the index is a refusal's text. */
const CALLS: Record<string, number[]> = { HttpError: [2], refuse: [0], invalid: [1], InvalidLedgerInputError: [1], SlipImageRefused: [0], refused: [0], StatementFormatError: [0] };
/** zod methods whose string argument is a rule. */
const ZOD_METHODS = new Set(['min', 'max', 'int', 'positive', 'regex', 'refine', 'email', 'length', 'nonnegative', 'nonempty', 'enum', 'number', 'string', 'date', 'datetime', 'union', 'url', 'lte', 'gte', 'multipleOf']);
/** Properties and variables whose literal value is a refusal's text. */
const NAMES = new Set(['rule', 'refused', 'message', 'error']);
/** Files whose strings are not refusals (the OpenAPI text, the checkers' reports, the names table). */
const SKIP = /openapi|names\.ts$|ledger-checker|gift-lots-checker|invariants|statement\.ts$|error-translations|migrate\.ts$/;

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

/** A literal's text with each `${…}` stood in for by a value. */
function sample(node: ts.Node): string | null {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return node.head.text + node.templateSpans.map((s) => `X${s.literal.text}`).join('');
  return null;
}

function calleeName(node: ts.CallExpression | ts.NewExpression): string {
  const e = node.expression;
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return '';
}

/** Every refusal text of the sources, with where it is. */
function refusalTexts(): { file: string; text: string }[] {
  const found: { file: string; text: string }[] = [];
  for (const file of ['api', 'db', 'workflows'].flatMap((d) => walk(path.join(ROOT, d)))) {
    if (SKIP.test(file)) continue;
    const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const add = (node: ts.Node | undefined) => {
      const text = node && sample(node);
      if (text !== null && text !== undefined) found.push({ file: path.relative(ROOT, file), text });
    };
    const transitions = file.endsWith('transitions.ts');
    const visit = (node: ts.Node): void => {
      if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && node.arguments) {
        const name = calleeName(node);
        const indexes = Object.hasOwn(CALLS, name) ? CALLS[name]! : [];
        node.arguments.forEach((arg, i) => {
          if (indexes.includes(i) || (ZOD_METHODS.has(name) && ts.isPropertyAccessExpression(node.expression))) add(arg);
        });
      }
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.SuperKeyword && file.includes('ledger-errors')) add(node.arguments[0]);
      if (ts.isPropertyAssignment(node) && NAMES.has(node.name.getText(source))) add(node.initializer);
      if (ts.isVariableDeclaration(node) && NAMES.has(node.name.getText(source))) add(node.initializer);
      // The transition tables: a refusal reason is returned by an arrow function or a return statement.
      if (transitions && ts.isArrowFunction(node)) add(node.body);
      if (transitions && ts.isReturnStatement(node)) add(node.expression);
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

/** A text that is only values and punctuation (`X: X`) says nothing to translate. */
const onlyValues = (text: string) =>
  /^[\w.-]+: X$/.test(text) || text.replace(/X/g, '').replace(/[^A-Za-z]+/g, ' ').trim().split(' ').filter((w) => w.length > 1).length === 0;

test('When every refusal text of the sources is collected, then each one translates to Bahasa Indonesia', () => {
  const texts = refusalTexts().filter((t) => !onlyValues(t.text) && /\s/.test(t.text));
  // The scan finds the refusals it is meant to (a guard against a scan that finds nothing).
  expect(texts.length).toBeGreaterThan(150);
  expect(texts.map((t) => t.text)).toEqual(expect.arrayContaining(['is not a known field', 'the order is being approved', 'only a Dealing order can be approved; this one is X']));
  const untranslated = texts.filter((t) => translateText(t.text) === null).map((t) => `${t.file}: ${t.text}`);
  expect(untranslated).toEqual([]);
});

test('When a refusal is translated, then values and field names pass through and statuses are named in Indonesian', () => {
  expect(translateText('order 1261124583017 is Payment Failure (final) and can no longer change')).toBe('pesanan 1261124583017 berstatus Pembayaran gagal (final) dan tidak dapat diubah lagi');
  expect(translateText('lines.1.amount: must be a multiple of 500 visitors (one pack is IDR 300,000); packs cannot be split; lines.0.wallet: credit appears twice; one line per wallet')).toBe(
    'lines.1.amount: harus kelipatan 500 pengunjung (satu paket IDR 300,000); paket tidak dapat dipecah; lines.0.wallet: credit muncul dua kali; satu baris per dompet',
  );
  expect(translateText('Too small: expected string to have >=1 characters')).toBe('Terlalu kecil: teks seharusnya memiliki paling sedikit 1 karakter');
  expect(translateText('something nobody wrote a row for')).toBeNull();
  const error = { code: 'invalid_input', message: 'amount: must be greater than 0', fields: [{ path: 'amount', rule: 'must be greater than 0' }] };
  expect(localizeError(error, 'en')).toBe(error);
  expect(localizeError(error, 'id')).toEqual({ code: 'invalid_input', message: 'amount: harus lebih dari 0', fields: [{ path: 'amount', rule: 'harus lebih dari 0' }] });
});
