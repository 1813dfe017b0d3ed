/**
 * docker-compose.yml and the cluster profile (`npm run start:cluster`) run the same Temporal: the same server,
 * SQL tool and UI versions, the same schema steps, the same static and dynamic config files, the same namespace
 * retention; and every variable either of them sets for the server is one its config template reads.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { projectRoot } from '../../config/paths';
import { DEFAULT_RETENTION_DAYS, loadClusterSettings } from '../../scripts/cluster/cluster-settings';
import { schemaSteps } from '../../scripts/cluster/temporal-schema';
import { DYNAMIC_CONFIG_FILE, SERVER_ARGS, serverEnv, TEMPORAL_CONFIG_DIR, UI_SERVER_ARGS } from '../../scripts/cluster/temporal-server';
import { loadSettings } from '../../config/settings';
import { TEMPORAL_SERVER_VERSION, TEMPORAL_UI_VERSION } from '../../scripts/temporal-binaries';

interface Service {
  image?: string;
  entrypoint?: string[];
  command?: string[];
  environment?: Record<string, string>;
  volumes?: { source: string; target: string; type: string }[] | string[];
}

const compose = parse(execFileSync('docker-compose', ['-f', path.join(projectRoot(), 'docker-compose.yml'), 'config'], { encoding: 'utf8' })) as { services: Record<string, Service> };
const service = (name: string): Service => {
  const s = compose.services[name];
  if (!s) throw new Error(`docker-compose.yml has no service ${name}`);
  return s;
};
const serverVersion = TEMPORAL_SERVER_VERSION.slice(1);
const configTemplate = fs.readFileSync(path.join(projectRoot(), TEMPORAL_CONFIG_DIR, 'server.yaml'), 'utf8');

/** Where a service mounts the project's config/temporal, as the root it passes to `--root`. */
function mountedRoot(s: Service): string {
  const mounts = (s.volumes ?? []).map((v) => (typeof v === 'string' ? { source: v.split(':')[0]!, target: v.split(':')[1]! } : v));
  const mount = mounts.find((m) => path.resolve(projectRoot(), m.source) === path.join(projectRoot(), TEMPORAL_CONFIG_DIR));
  if (!mount) throw new Error(`the service does not mount ${TEMPORAL_CONFIG_DIR}`);
  expect(mount.target.endsWith(`/${TEMPORAL_CONFIG_DIR}`)).toBe(true);
  return mount.target.slice(0, -TEMPORAL_CONFIG_DIR.length - 1);
}

test('When compose and the cluster profile pin Temporal, then they pin the same server, SQL tool and UI releases', () => {
  expect(service('temporal').image).toBe(`temporalio/server:${serverVersion}`);
  for (const oneShot of ['temporal-schema', 'temporal-namespace']) expect(service(oneShot).image).toMatch(new RegExp(`^temporalio/admin-tools:${serverVersion.replace(/\./g, '\\.')}-`));
  expect(service('temporal-ui').image).toBe(`temporalio/ui:${TEMPORAL_UI_VERSION.slice(1)}`);
  expect(Object.values(compose.services).map((s) => s.image ?? '')).not.toContainEqual(expect.stringMatching(/auto-setup/));
});

test('When compose prepares the databases, then its one-shot runs exactly the cluster profile\'s SQL tool steps on PostgreSQL', () => {
  const schema = service('temporal-schema');
  expect(schema.environment).toMatchObject({ SQL_PLUGIN: 'postgres12', SQL_HOST: 'postgres' });
  const script = (schema.command ?? []).join('\n').split('\n').map((l) => l.trim()).filter(Boolean);
  expect(script).toEqual(schemaSteps().map((s) => `temporal-sql-tool --db ${s.database} ${s.args.join(' ')}`));
});

test('When compose starts the server and the UI, then they read the same static, dynamic and UI config files with the same arguments', () => {
  const temporal = service('temporal');
  const root = mountedRoot(temporal);
  expect((temporal.command ?? []).join(' ')).toContain(`temporal-server --root ${root} ${SERVER_ARGS.join(' ')}`);
  const dynamicConfig = path.relative(projectRoot(), DYNAMIC_CONFIG_FILE);
  expect(temporal.environment?.TEMPORAL_DYNAMIC_CONFIG_FILE).toBe(`${root}/${dynamicConfig}`);
  const ui = service('temporal-ui');
  expect(ui.entrypoint).toEqual(['./ui-server', '--root', mountedRoot(ui), ...UI_SERVER_ARGS]);
});

test('When either runner sets the server\'s variables, then each is one config/temporal/server.yaml reads', () => {
  const read = new Set([...configTemplate.matchAll(/env "(\w+)"/g)].map((m) => m[1]));
  const cluster = serverEnv(loadSettings({}), loadClusterSettings({}), { host: '127.0.0.1', port: 5432, user: 'u', password: 'p' });
  const set = [...Object.keys(service('temporal').environment ?? {}), ...Object.keys(cluster).filter((k) => k !== 'PATH')];
  expect(set.filter((k) => !read.has(k))).toEqual([]);
});

test('When compose registers the namespace, then it keeps closed orders as long as the cluster profile does', () => {
  const script = (service('temporal-namespace').command ?? []).join('\n');
  expect(script).toContain(`temporal operator namespace create -n default --retention ${DEFAULT_RETENTION_DAYS}d`);
  expect(loadClusterSettings({}).TEMPORAL_RETENTION_DAYS).toBe(DEFAULT_RETENTION_DAYS);
});
