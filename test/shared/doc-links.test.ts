/**
 * The README is the front door and the details live in docs/: text moves between those files, and a moved heading
 * breaks every link to it without a sound. So every relative Markdown link in README.md and docs/*.md must reach a
 * file or folder of the repository and, when it names an anchor, a heading of that file, slugged the way GitHub
 * slugs headings. Links that leave the repository (`../shared/DOMAIN.md`, kept beside the clone) and web addresses
 * are not checked here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../config/paths';

const ROOT = projectRoot();

function markdownFiles(): string[] {
  const docs = path.join(ROOT, 'docs');
  const inDocs = fs.readdirSync(docs).filter((f) => f.endsWith('.md')).map((f) => path.join(docs, f));
  return [path.join(ROOT, 'README.md'), ...inDocs];
}

/** Lines outside fenced code blocks (fences may be indented inside list items). */
function proseLines(text: string): { line: string; number: number }[] {
  const out: { line: string; number: number }[] = [];
  let fenced = false;
  text.split('\n').forEach((line, i) => {
    if (/^\s*```/.test(line)) fenced = !fenced;
    else if (!fenced) out.push({ line, number: i + 1 });
  });
  return out;
}

/** GitHub's heading ids: the heading's text, lower-cased, punctuation dropped, spaces as hyphens, repeats numbered. */
function headingSlugs(text: string): Set<string> {
  const seen = new Map<string, number>();
  const slugs = new Set<string>();
  for (const { line } of proseLines(text)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const visible = heading.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[`*]/g, '');
    const base = visible.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    slugs.add(count === 0 ? base : `${base}-${count}`);
  }
  return slugs;
}

/** Each relative link of a Markdown file that does not resolve, as "file:line target (why)". */
function brokenLinks(file: string): string[] {
  const broken: string[] = [];
  const where = (n: number) => `${path.relative(ROOT, file)}:${n}`;
  for (const { line, number } of proseLines(fs.readFileSync(file, 'utf8'))) {
    const withoutCode = line.replace(/`[^`]*`/g, '');
    for (const [, target = ''] of withoutCode.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
      const [pathPart = '', anchor] = target.split('#', 2);
      const resolved = pathPart ? path.resolve(path.dirname(file), decodeURIComponent(pathPart)) : file;
      if (path.relative(ROOT, resolved).startsWith('..')) continue; // outside the repository
      if (!fs.existsSync(resolved)) {
        broken.push(`${where(number)} ${target} (no such file)`);
        continue;
      }
      if (anchor === undefined) continue;
      if (!resolved.endsWith('.md')) {
        broken.push(`${where(number)} ${target} (an anchor on a file that is not Markdown)`);
        continue;
      }
      if (!headingSlugs(fs.readFileSync(resolved, 'utf8')).has(anchor)) {
        broken.push(`${where(number)} ${target} (no heading with this anchor)`);
      }
    }
  }
  return broken;
}

test('When a heading is slugged, then the anchor is the one GitHub gives it', () => {
  const slugs = headingSlugs(
    [
      '# API walk-through: a bank-transfer top-up against `npm start`',
      '## `npm run start:cluster`',
      "### 1. Ceiling: the dev server's own rate, and its SQLite pragmas",
      '## Metrics',
      '## Metrics',
      '```sh',
      '# 1. a comment in a code block',
      '```',
    ].join('\n'),
  );
  expect([...slugs]).toEqual([
    'api-walk-through-a-bank-transfer-top-up-against-npm-start',
    'npm-run-startcluster',
    '1-ceiling-the-dev-servers-own-rate-and-its-sqlite-pragmas',
    'metrics',
    'metrics-1',
  ]);
});

test('When README.md and docs/*.md link to a file or a heading, then the file and the heading exist', () => {
  const files = markdownFiles();
  expect(files.length).toBeGreaterThan(5);
  expect(files.flatMap(brokenLinks)).toEqual([]);
});
