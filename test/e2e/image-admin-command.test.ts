/**
 * The first-admin step of the compose stack, `docker-compose run --rm api npm run admin -- create-admin …`, in the
 * image's own layout: the files the Dockerfile's final stage copies (dist/, the production packages, the migrations,
 * package.json and the bootstrap), no TypeScript sources. Docker cannot run here, so the layout is made in a folder,
 * from the Dockerfile's COPY lines, and `npm run admin` runs in it against a fresh database.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../config/paths';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

let db: TestDatabase;
let image: string;

beforeAll(async () => {
  db = await createTestDatabase({ empty: true });
  image = fs.mkdtempSync(path.join(os.tmpdir(), 'topup-image-'));
  const root = projectRoot();
  const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  // `COPY --from=build /app/<src>… <dest>` and `COPY <src> <dest>` of the final stage, as the image has them.
  for (const [, fromBuild, args] of finalStage.matchAll(/^COPY (--from=build )?(.+)$/gm)) {
    const parts = args!.trim().split(/\s+/);
    const dest = parts.pop()!;
    for (const src of parts) {
      const from = path.join(root, fromBuild ? path.relative('/app', src) : src);
      const to = dest.endsWith('/') ? path.join(image, dest, path.basename(from)) : path.join(image, dest);
      // node_modules is linked, not copied (670 MB; the image prunes it to the production packages).
      if (path.basename(from) === 'node_modules') fs.symlinkSync(from, to);
      else fs.cpSync(from, to, { recursive: true });
    }
  }
});

afterAll(async () => {
  fs.rmSync(image, { recursive: true, force: true });
  await db?.drop();
});

test('When npm run admin -- create-admin runs in the image, then it migrates the empty database and prints the setup link, with no sources to build', async () => {
  expect(fs.existsSync(path.join(image, 'tsconfig.json'))).toBe(false);
  expect(fs.existsSync(path.join(image, 'scripts', 'bootstrap.cjs'))).toBe(true);
  const child = spawn('npm', ['run', '--silent', 'admin', '--', 'create-admin', '--username', 'alice', '--email', 'alice@provider.example'], {
    cwd: image,
    env: { ...process.env, DATABASE_URL: db.url, PUBLIC_URL: 'https://topup.example.com', TEMPORAL_ADDRESS: '127.0.0.1:9' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const code = await new Promise((resolve) => child.once('exit', resolve));
  expect({ code, out }).toEqual({ code: 0, out: expect.stringContaining('Admin alice created (alice@provider.example).') });
  expect(out).toMatch(/https:\/\/topup\.example\.com\/set-password#token=[\w-]{43}/);
  // No Temporal at that address: the link is printed, and the command says it was not emailed.
  expect(out).toContain('The email could not be asked for');
  expect(out).not.toContain('installing npm packages');
  const admin = await db.pool.query<{ role: string; password: boolean }>(`SELECT role, password_hash IS NOT NULL AS password FROM users WHERE username = 'alice'`);
  expect(admin.rows).toEqual([{ role: 'admin', password: false }]);
}, 60_000);
