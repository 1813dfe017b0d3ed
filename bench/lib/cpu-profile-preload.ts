/**
 * A CPU profiler for the stack's child processes, loaded with `NODE_OPTIONS=--require <this file>` (Node 20 does
 * not take `--cpu-prof` in NODE_OPTIONS). It profiles from load to exit and writes
 * `<BENCH_CPU_PROF_DIR>/<script>-<pid>-<thread>.cpuprofile`, which bench/profile-summary.ts reads.
 */
import fs from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';
import { threadId } from 'node:worker_threads';

const dir = process.env.BENCH_CPU_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  const script = path.basename(path.dirname(process.argv[1] ?? 'node')) + '-' + path.basename(process.argv[1] ?? 'node', '.js');
  process.on('exit', () => {
    // The in-thread inspector session answers synchronously, so the profile is written before the process ends.
    session.post('Profiler.stop', (err, result) => {
      if (!err) fs.writeFileSync(path.join(dir, `${script}-${process.pid}-${threadId}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
