/** The production-shaped compose file is valid and wires every component the way DESIGN.md says. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../config/paths';

function composeConfig(): string {
  try {
    return execFileSync('docker-compose', ['-f', path.join(projectRoot(), 'docker-compose.yml'), 'config'], { encoding: 'utf8' });
  } catch (err) {
    throw new Error(`docker-compose config failed (install the Debian package docker-compose; npm test does, as root): ${String(err)}`);
  }
}

test('When docker-compose reads the stack, then it is valid and has every service with a health check where others wait on it', () => {
  const config = composeConfig();
  for (const service of ['postgres', 'temporal-schema', 'temporal', 'temporal-namespace', 'temporal-ui', 'mail', 'gateway', 'worker', 'api']) {
    expect(config).toMatch(new RegExp(`^  ${service}:`, 'm'));
  }
  // Temporal persists to PostgreSQL: its schema tool speaks the postgres12 plugin (test/e2e/compose-parity.test.ts
  // checks the rest against the cluster profile).
  expect(config).toMatch(/SQL_PLUGIN: postgres12/);
  expect(config).toMatch(/DATABASE_URL: postgres:\/\/topup:topup@postgres:5432\/topup/);
  expect(config).toMatch(/SMTP_URL: smtp:\/\/mail:1025/);
  expect(config.match(/healthcheck:/g)?.length).toBeGreaterThanOrEqual(3);
});

test("When docker-compose reads the stack, then the worker's metrics listen on the stack's network and reach the host on its loopback only", () => {
  const config = composeConfig();
  const worker = /^ {2}worker:\n((?: {4}.*\n| {6}.*\n)*)/m.exec(config)?.[1] ?? '';
  expect(worker).toMatch(/^ {6}WORKER_METRICS_HOST: 0\.0\.0\.0$/m);
  expect(worker).toMatch(/^ {4}- 127\.0\.0\.1:9464:9464\/tcp$/m);
  expect(config).not.toMatch(/^ {4}- 9464:9464/m);
});

test('When a fresh compose stack has no user, then the file says how to make the first admin, and the API and worker share the link secret and the public URL', () => {
  const file = fs.readFileSync(path.join(projectRoot(), 'docker-compose.yml'), 'utf8');
  expect(file).toContain('docker-compose run --rm api npm run admin -- create-admin --username alice --email alice@provider.example');
  const config = composeConfig();
  for (const service of ['api', 'worker']) {
    const block = new RegExp(`^ {2}${service}:\\n((?: {4}.*\\n| {6}.*\\n| {8}.*\\n)*)`, 'm').exec(config)?.[1] ?? '';
    expect({ service, secret: /PASSWORD_LINK_SECRET: \S{32,}/.test(block), url: /PUBLIC_URL: http/.test(block) }).toEqual({ service, secret: true, url: true });
  }
});
