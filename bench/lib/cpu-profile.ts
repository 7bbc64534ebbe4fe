import path from 'node:path';

/**
 * Node flags for a forked helper: with BENCH_CPU_PROF set to a folder, the child writes a V8
 * CPU profile into its `<name>` subfolder when it exits, to see where a benchmark's time
 * goes. The numbers of a profiled run are not comparable with an unprofiled one.
 */
export function profiledExecArgv(name: string): string[] {
  const folder = process.env.BENCH_CPU_PROF;
  if (!folder) return process.execArgv;
  return [...process.execArgv, '--cpu-prof', `--cpu-prof-dir=${path.resolve(folder, name)}`];
}
