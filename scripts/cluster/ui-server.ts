/**
 * The Temporal UI server of the cluster profile (config/temporal/ui.yaml), on TEMPORAL_UI_PORT like the dev
 * server's UI, against the cluster's frontend. It embeds the UI's web assets.
 */
import { spawn } from 'node:child_process';
import { projectRoot } from '../../config/paths';
import type { Settings } from '../../config/settings';
import { prefixOutput, stopChild, type Started } from '../dev-stack';
import { waitForPort } from '../net';
import { resolveTemporalUiServer } from '../temporal-binaries';
import { UI_SERVER_ARGS } from './temporal-server';

/** Starts the UI server and waits until it listens. */
export async function startUiServer(settings: Settings): Promise<Started> {
  const ui = await resolveTemporalUiServer();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    TEMPORAL_ADDRESS: settings.TEMPORAL_ADDRESS,
    TEMPORAL_UI_HOST: '127.0.0.1',
    TEMPORAL_UI_PORT: String(settings.TEMPORAL_UI_PORT),
    TEMPORAL_NAMESPACE: settings.TEMPORAL_NAMESPACE,
    // Served over plain HTTP on this machine only; behind TLS in production the cookie stays secure.
    TEMPORAL_UI_COOKIE_INSECURE: 'true',
    TEMPORAL_UI_HIDE_LOGS: 'true',
  };
  const child = spawn(ui.path, ['--root', projectRoot(), ...UI_SERVER_ARGS], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  prefixOutput(child, 'temporal-ui');
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the Temporal UI server exited with code ${code}`))));
  exited.catch(() => undefined);
  const stop = () => stopChild(child, 10_000);
  try {
    await Promise.race([waitForPort(settings.TEMPORAL_UI_PORT, '127.0.0.1', 60_000), exited]);
  } catch (err) {
    await stop();
    throw err;
  }
  return { child, stop };
}
