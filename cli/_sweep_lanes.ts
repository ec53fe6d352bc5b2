/**
 * A sweep's trial workers (`_sweep_worker.ts`), started as early as can be:
 * `cli/main.ts` starts those a sweep will want before the sweep's own code
 * loads, so that the workers load theirs at the same time.
 *
 * @module
 */

/** Trial workers started early, not yet taken. */
const early: Worker[] = [];

/**
 * A trial worker: it runs whole trials, each the `train` command, so the
 * main thread only hands them out. It inherits the process's permissions;
 * `train` sandboxes its own training.
 */
export function startTrialWorker(): Worker {
  return new Worker(new URL("./_sweep_worker.ts", import.meta.url), { type: "module" });
}

/**
 * Starts the trial workers that `sweep args` will use, read cheaply from
 * `args` (`--workers N`, one for `--index`, none for `--help` or
 * `--commands`); the sweep checks its flags itself and drops the workers it
 * does not take ({@linkcode dropEarlyTrialWorkers}).
 */
export function startEarlyTrialWorkers(args: string[]): void {
  const given = (flag: string) => args.some((a) => a === flag || a.startsWith(`${flag}=`));
  if (given("--help") || args.includes("-h") || given("--commands")) return;
  let lanes = navigator.hardwareConcurrency ?? 1;
  const at = args.findLastIndex((a) => a === "--workers" || a.startsWith("--workers="));
  if (at >= 0) {
    const text = args[at].startsWith("--workers=") ? args[at].slice(10) : args[at + 1];
    lanes = /^\d{1,3}$/.test(text ?? "") ? Number(text) : 0;
  }
  if (given("--index")) lanes = Math.min(lanes, 1);
  for (let i = 0; i < Math.min(lanes, 256); i++) early.push(startTrialWorker());
}

/** A trial worker: one started early, else a new one. */
export function takeTrialWorker(): Worker {
  return early.shift() ?? startTrialWorker();
}

/** Stops the trial workers started early and not taken. */
export function dropEarlyTrialWorkers(): void {
  for (const worker of early.splice(0)) worker.terminate();
}
