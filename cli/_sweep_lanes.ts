/**
 * A sweep's trial workers (`_sweep_worker.ts`), started as early as can be:
 * `cli/main.ts` starts those a sweep will want before the sweep's own code
 * loads, so that the workers load theirs at the same time.
 *
 * @module
 */

/** Trial workers started early, not yet taken. */
const early: Worker[] = [];

/** Why a trial worker died before its trial was handed to it (its first error). */
const deaths = new WeakMap<Worker, string>();

/**
 * A trial worker: it runs whole trials, each the `train` command, so the
 * main thread only hands them out. It inherits the process's permissions;
 * `train` sandboxes its own training.
 */
export function startTrialWorker(): Worker {
  const worker = new Worker(new URL("./_sweep_worker.ts", import.meta.url), { type: "module" });
  // Until a trial is handed to it: an error now would have no one to tell.
  worker.onerror = (event: ErrorEvent) => {
    event.preventDefault();
    if (!deaths.has(worker)) deaths.set(worker, event.message);
  };
  return worker;
}

/** Why `worker` died before its trial was handed to it, if it did. */
export function deathOf(worker: Worker): string | undefined {
  return deaths.get(worker);
}

/**
 * Starts the trial workers that `sweep args` will use, up to one per core,
 * read cheaply from `args` (`--workers N`, one for `--index`; none for `--help`, `--commands`
 * or an `--out` folder that holds a sweep already, which may be done); the
 * sweep checks its flags itself and drops the workers it does not take
 * ({@linkcode dropEarlyTrialWorkers}).
 */
export function startEarlyTrialWorkers(args: string[]): void {
  const value = (flag: string) => {
    const at = args.findLastIndex((a) => a === flag || a.startsWith(`${flag}=`));
    return at < 0
      ? undefined
      : args[at].startsWith(`${flag}=`)
      ? args[at].slice(flag.length + 1)
      : args[at + 1] ?? "";
  };
  if (value("--help") !== undefined || args.includes("-h") || value("--commands") !== undefined) {
    return;
  }
  const out = value("--out");
  if (out !== undefined && hasSweep(out)) return;
  const workers = value("--workers");
  let lanes = workers === undefined
    ? defaultWorkers()
    : /^\d{1,3}$/.test(workers)
    ? Number(workers)
    : 0;
  if (value("--index") !== undefined) lanes = Math.min(lanes, 1);
  // No more than the cores: more gain nothing at the start, and flags not checked yet (a typo
  // beside --workers 256) must not start hundreds of threads.
  for (let i = 0; i < Math.min(lanes, defaultWorkers()); i++) early.push(startTrialWorker());
}

/** Trials at once when `--workers` is not given: the number of cores. */
export function defaultWorkers(): number {
  return navigator.hardwareConcurrency ?? 1;
}

/** Whether `dir` holds a sweep's plan already. */
function hasSweep(dir: string): boolean {
  try {
    Deno.statSync(`${dir}/sweep.json`);
    return true;
  } catch {
    return false;
  }
}

/** A trial worker: one started early, else a new one. */
export function takeTrialWorker(): Worker {
  return early.shift() ?? startTrialWorker();
}

/** Stops the trial workers started early and not taken. */
export function dropEarlyTrialWorkers(): void {
  for (const worker of early.splice(0)) worker.terminate();
}
