/** The production-shaped compose file is valid and wires every component the way DESIGN.md says. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../config/paths';

function composeConfig(): string {
  try {
    return execFileSync('docker-compose', ['-f', path.join(projectRoot(), 'docker-compose.yml'), 'config'], { encoding: 'utf8' });
  } catch (err) {
    throw new Error(`docker-compose config failed (install the Debian package docker-compose; npm test does, as root): ${String(err)}`);
  }
}

test('When docker-compose reads the stack, then it is valid and has every service with a health check where others wait on it', () => {
  const config = composeConfig();
  for (const service of ['postgres', 'temporal', 'temporal-ui', 'mail', 'gateway', 'worker', 'api']) {
    expect(config).toMatch(new RegExp(`^  ${service}:`, 'm'));
  }
  expect(config).toMatch(/DB: postgres12/);
  expect(config).toMatch(/DATABASE_URL: postgres:\/\/topup:topup@postgres:5432\/topup/);
  expect(config).toMatch(/SMTP_URL: smtp:\/\/mail:1025/);
  expect(config.match(/healthcheck:/g)?.length).toBeGreaterThanOrEqual(3);
});
