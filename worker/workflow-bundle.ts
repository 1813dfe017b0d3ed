/**
 * The workflow bundle the worker runs, built at its start in a child process: webpack's modules, its heap and the
 * young generation it grows while bundling then leave with the child, instead of staying in the worker's process
 * (about 100 MiB of its RSS while it bundled in-process, and webpack's ~400 modules kept loaded). The bundle is the
 * one `Worker.create` built from `workflowsPath`: the same workflows, the same interceptors.
 */
import { fork } from 'node:child_process';
import type { Logger } from 'pino';

/** Path of the workflow interceptors module, bundled with the workflows. */
export const WORKFLOW_INTERCEPTORS_PATH = require.resolve('../workflows/shared/interceptors');

/** Path of the workflows module, for bundling. */
export const WORKFLOWS_PATH = require.resolve('../workflows');

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** What the child sends its parent: a log line of the bundler, then the bundle or the reason there is none. */
type ChildMessage = { log: { level: Level; message: string; meta?: Record<string, unknown> } } | { code: string } | { error: string };

/** Bundles the workflows in a child Node process (this file as its script) and resolves with the bundle's code. */
export function bundleWorkflowsInChildProcess(logger: Logger): Promise<{ code: string }> {
  return new Promise((resolve, reject) => {
    // No execArgv: the worker's heap flags (and an --inspect port) are not the bundler's.
    const child = fork(__filename, ['--bundle-workflows'], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    let code: string | undefined;
    let failure: string | undefined;
    child.on('message', (message: ChildMessage) => {
      if ('log' in message) logger[message.log.level](message.log.meta ?? {}, message.log.message);
      else if ('code' in message) code = message.code;
      else failure = message.error;
    });
    child.once('error', reject);
    child.once('exit', (exitCode, signal) => {
      if (code !== undefined) resolve({ code });
      else reject(new Error(`bundling the workflows failed: ${failure ?? `the bundler exited with ${signal ?? `code ${exitCode}`}`}`));
    });
  });
}

/** The child: bundles, sends the code, exits. */
async function bundleInThisProcess(): Promise<void> {
  const send = (message: ChildMessage) => new Promise<void>((resolve) => process.send!(message, () => resolve()));
  const log = (level: Level) => (message: string, meta?: Record<string, unknown>) => void send({ log: { level, message, ...(meta ? { meta } : {}) } });
  try {
    // Loaded here only: the worker's process never loads webpack.
    const { bundleWorkflowCode } = await import('@temporalio/worker');
    const logger = { trace: log('trace'), debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), log: (level: string, message: string, meta?: Record<string, unknown>) => log(level.toLowerCase() as Level)(message, meta) };
    const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, workflowInterceptorModules: [WORKFLOW_INTERCEPTORS_PATH], logger });
    await send({ code });
  } catch (err) {
    await send({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
  process.disconnect();
}

if (require.main === module && process.argv[2] === '--bundle-workflows' && process.send) {
  // The worker stopped (or died) while we bundled: nobody wants the bundle.
  process.once('disconnect', () => process.exit(0));
  void bundleInThisProcess();
}
