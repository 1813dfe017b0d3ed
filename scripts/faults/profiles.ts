/**
 * The stacks a fault campaign runs against: `dev` is `npm start`'s (the Temporal dev server on SQLite, one
 * worker, one API process); `cluster` is `npm run start:cluster`'s (the Temporal server on PostgreSQL, two
 * workers, two API processes on one port). Either way the campaign sees its restartable processes by kind, each
 * with a label naming the instance.
 */
import { loadSettings } from '../../config/settings';
import { startClusterStack } from '../cluster/cluster-stack';
import { isolatedClusterEnv } from '../cluster/cluster-env';
import { startDevStack, type StackProcess, type StackProcessName } from '../dev-stack';
import { isolatedStackEnv } from '../stack-env';

/** The stack profiles a campaign can run on. */
export const PROFILES = ['dev', 'cluster'] as const;
/** One of them. */
export type Profile = (typeof PROFILES)[number];

/** A restartable process and which instance of its kind it is (`worker-2`). */
export type LabelledProcess = StackProcess & { readonly label: string };

/** A started stack as the campaign uses it. */
export interface CampaignStack {
  apiUrl: string;
  databaseUrl: string;
  temporalAddress: string;
  /** The sandbox gateway and the key that pays its invoices, for the online top-ups. */
  gateway: { url: string; apiKey: string };
  processes: Record<StackProcessName, LabelledProcess[]>;
  stop(): Promise<void>;
}

/** Starts `profile` on free ports in `dataDir`, with `policyFile` and `extraEnv`. */
export async function startCampaignStack(profile: Profile, dataDir: string, policyFile: string, extraEnv: NodeJS.ProcessEnv): Promise<CampaignStack> {
  const gatewayOf = (env: NodeJS.ProcessEnv) => ({ url: `http://127.0.0.1:${env.SANDBOX_GATEWAY_PORT}`, apiKey: loadSettings(env).PAYMENT_PROVIDER_API_KEY });
  if (profile === 'cluster') {
    const isolated = await isolatedClusterEnv(dataDir, policyFile);
    const stack = await startClusterStack({ ...isolated.env, ...extraEnv });
    return { apiUrl: isolated.apiUrl, databaseUrl: isolated.databaseUrl, temporalAddress: isolated.temporalAddress, gateway: gatewayOf(isolated.env), processes: stack.processes, stop: () => stack() };
  }
  const isolated = await isolatedStackEnv(dataDir, policyFile);
  const stack = await startDevStack({ ...isolated.env, ...extraEnv });
  const processes: CampaignStack['processes'] = { temporal: [], postgres: [], gateway: [], worker: [], api: [] };
  for (const p of Object.values(stack.processes)) processes[p.name].push({ ...p, label: p.name });
  return { apiUrl: isolated.apiUrl, databaseUrl: isolated.databaseUrl, temporalAddress: isolated.temporalAddress, gateway: gatewayOf(isolated.env), processes, stop: () => stack() };
}
