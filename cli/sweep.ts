/**
 * `denograd sweep`: many `train` runs from one command. A setting flag given
 * more than once makes a grid; `--random N` samples ranges. Each trial is a
 * normal run folder written by the `train` command's own code in a worker,
 * under the sweep folder beside its plan (`sweep.json`) and a compare page.
 *
 * The folder is the state: a trial is done when its folder is there (each is
 * written under a temporary name and renamed into place), so a rerun skips
 * what is done, and shards (`--shard I/N`, `--index I`) on several machines
 * sharing the folder split the plan.
 *
 * @module
 */
import { EXIT, show, UsageError } from "./_errors.ts";
import { ensureDir, makeRunDir } from "./_fs.ts";
import {
  intFlag,
  MAX_TRIALS,
  planSweep,
  SWEEP_FORMAT,
  type SweepPlan,
  type Trial,
} from "./_sweep_plan.ts";
import { configFromFlags } from "./config.ts";
import { shellQuote } from "./setup.ts";
import type { CommandIo } from "./train.ts";
import { readRunFile } from "./model_file.ts";
import { RunReader, writeComparePage } from "./compare.ts";
import { loadChartJs } from "./_chart_js.ts";
import { SIGINT_ECHO_MS, STOP_SIGNALS, type StopSignal } from "./_signals.ts";
import { parseFromTrialWorker, type ToTrialWorker } from "./_sweep_protocol.ts";
import { deathOf, defaultWorkers, dropEarlyTrialWorkers, takeTrialWorker } from "./_sweep_lanes.ts";

/** The `sweep` help text. */
export const SWEEP_HELP = `Train many runs: a grid or a random search over train's settings.

Usage: denograd sweep [train settings] [flags]

A settings flag (see 'denograd train --help') given more than once is a grid:
  --lr 0.01 --lr 0.1 --layers 8 --layers 16,16 --seed 1 --seed 2   (8 trials)
With --random N, a number's flag may be a range lo..hi, sampled log-uniformly
for --lr and uniformly otherwise (integers rounded); a flag given more than
once is picked from; a flag given once is fixed:
  --random 20 --lr 0.001..1 --layers 8 --layers 16,16 --steps 50

Flags:
  --random N         sample N trials instead of the grid
  --sweep-seed S     the seed of --random's samples (default 0)
  --out DIR          the sweep folder (default: a fresh folder under runs/);
                     run the same sweep into it again to do what is left
  --workers N        trials at once, each in a worker (default: the cores, ${defaultWorkers()})
  --shard I/N        run trials I-1, I-1+N, I-1+2N... only (I from 1 to N); needs --out
  --index I          run trial I only (from 0); 'env' reads SLURM_ARRAY_TASK_ID or
                     JOB_COMPLETION_INDEX; needs --out
  --commands         write the plan, then print one shell command per trial
  --quiet            print only the sweep folder's path
  --debug            print stack traces
  -h, --help         show this help

Writes DIR/sweep.json (the plan), DIR/trial-000/... (model.json, history.csv,
report.html each, as 'train' writes them) and DIR/compare.html; prints DIR last.
A sweep holds at most ${MAX_TRIALS} trials. Ctrl-C stops the trials running, keeps
the finished ones and exits 130; run the sweep again to finish it.
`;

/** The first environment variable that holds the batch runner's task index. */
export const INDEX_VARIABLES = ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"] as const;

function fail(why: string): never {
  throw new UsageError(`Cannot sweep as ${why}`);
}

/** The plan's text, the same bytes from every shard. */
function planJson(plan: SweepPlan): string {
  return JSON.stringify(plan, null, 2) + "\n";
}

/**
 * Gets the sweep folder ready: made if missing, refused when it holds
 * something else than this sweep; `sweep.json` is written once, by a link
 * that fails when another shard was first, and must then hold the same plan.
 */
async function prepareSweepDir(dir: string, plan: SweepPlan): Promise<void> {
  let info: Deno.FileInfo | undefined;
  try {
    info = await Deno.stat(dir);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  if (info && !info.isDirectory) fail(`'--out' must be a folder's path: ${show(dir)} is a file`);
  await ensureDir(dir);
  const text = planJson(plan);
  const target = `${dir}/sweep.json`;
  let current: string | undefined;
  try {
    current = await Deno.readTextFile(target);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  if (current === undefined) {
    const names: string[] = [];
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.name.startsWith(".")) names.push(entry.name);
    }
    if (names.includes("model.json")) {
      fail(`'--out' ${show(dir)} holds a run, not a sweep: choose a new or empty folder`);
    }
    if (names.length > 0) {
      fail(
        `'--out' ${show(dir)} holds files but no sweep.json (${
          names.slice(0, 3).map((n) => show(n)).join(", ")
        }): choose a new or empty folder`,
      );
    }
    const tmp = `${dir}/.sweep.json.${crypto.randomUUID().slice(0, 8)}.tmp`;
    await Deno.writeTextFile(tmp, text);
    try {
      await Deno.link(tmp, target);
    } catch (error) {
      if (error instanceof Deno.errors.AlreadyExists) current = await Deno.readTextFile(target);
      // A file system without hard links: a rename, atomic too (a shard that raced writes the same bytes).
      else await Deno.rename(tmp, target);
    } finally {
      await Deno.remove(tmp).catch(() => {});
    }
  }
  if (current !== undefined && current !== text) {
    let format: unknown;
    try {
      format = JSON.parse(current)?.format;
    } catch {
      // Not JSON: another sweep's file or a broken one.
    }
    if (format !== SWEEP_FORMAT) {
      fail(`${show(target)} is not a denograd sweep plan (format ${SWEEP_FORMAT})`);
    }
    fail(
      `'--out' ${
        show(dir)
      } holds another sweep (its sweep.json differs): choose another folder, or give that sweep's flags`,
    );
  }
}

/** Whether a trial's folder is there, checked: a folder that does not hold its run is refused. */
async function trialDone(dir: string, trial: Trial): Promise<boolean> {
  const folder = `${dir}/${trial.name}`;
  try {
    await Deno.stat(folder);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
  const path = `${folder}/model.json`;
  const what = `the trial ${show(path)}`;
  const file = await readRunFile(path, "sweep", what);
  const want = configFromFlags(flagValues(trial.args)) as Record<string, unknown>;
  const had = file.config as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(want)) {
    if (JSON.stringify(had[key]) !== JSON.stringify(value)) {
      fail(
        `${what} has ${key} ${show(had[key])} where the plan has ${
          show(value)
        }: remove that folder`,
      );
    }
  }
  return true;
}

/** `--flag value` pairs as parsed flag values. */
function flagValues(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i += 2) out[args[i].slice(2)] = args[i + 1];
  return out;
}

/** The trial indices this process runs: all, a shard's or one. */
function chosenIndices(values: Record<string, unknown>, count: number): number[] {
  const all = Array.from({ length: count }, (_, i) => i);
  if (values.shard !== undefined && values.index !== undefined) {
    fail("'--shard' and '--index' do not go together: give one");
  }
  if (typeof values.shard === "string") {
    const m = /^(\d+)\/(\d+)$/.exec(values.shard);
    const [i, n] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
    if (!(n >= 1 && i >= 1 && i <= n)) {
      fail(`'--shard' must be I/N with I from 1 to N: current value is ${show(values.shard)}`);
    }
    return all.filter((k) => k % n === i - 1);
  }
  if (typeof values.index === "string") {
    let text = values.index;
    if (text === "env") {
      const found = INDEX_VARIABLES.map((name) => {
        const state = Deno.permissions.querySync({ name: "env", variable: name }).state;
        return state === "granted" ? Deno.env.get(name) : undefined;
      }).find((v) => v !== undefined);
      if (found === undefined) {
        fail(
          `'--index env' found neither ${
            INDEX_VARIABLES.join(" nor ")
          } (or Deno may not read them)`,
        );
      }
      text = found;
    }
    if (!/^\d+$/.test(text) || Number(text) >= count) {
      fail(`'--index' must be a trial from 0 to ${count - 1}: current value is ${show(text)}`);
    }
    return [Number(text)];
  }
  return all;
}

/** What the trials did. */
interface Tally {
  done: number;
  skipped: number;
  failed: string[];
  refused?: string;
  crashed: string[];
}

/** The sweep's watch of stop signals, from {@linkcode watchStops}. */
interface SweepStops {
  /** The first stop signal, if any came. */
  readonly stopped: StopSignal | undefined;
  /** Stops watching. */
  dispose(): void;
}

/**
 * Watches the stop signals: the first one is noted (each trial's `train`
 * stops itself); a second one removes the `temps` folders and quits at once.
 */
function watchStops(temps: Set<string>): SweepStops {
  let stopped: StopSignal | undefined;
  let stoppedAt = 0;
  const listeners: [StopSignal, () => void][] = [];
  for (const name of Object.keys(STOP_SIGNALS) as StopSignal[]) {
    const listener = () => {
      if (stopped === undefined) {
        stopped = name;
        stoppedAt = performance.now();
        return;
      }
      // The same Ctrl-C forwarded by `deno task`; a second one quits at once.
      if (name === "SIGINT" && performance.now() - stoppedAt < SIGINT_ECHO_MS) return;
      for (const tmp of temps) {
        try {
          Deno.removeSync(tmp, { recursive: true });
        } catch {
          // Quitting anyway.
        }
      }
      Deno.exit(STOP_SIGNALS[name]);
    };
    try {
      Deno.addSignalListener(name, listener);
      listeners.push([name, listener]);
    } catch {
      // Not on this platform.
    }
  }
  return {
    get stopped() {
      return stopped;
    },
    dispose() {
      for (const [name, listener] of listeners) Deno.removeSignalListener(name, listener);
    },
  };
}

/**
 * Runs `indices` of the plan, `workers` at a time: each trial is the `train`
 * command itself, run whole in a trial worker (one per lane, kept from trial
 * to trial) and training in that worker's own sandboxed worker, into a
 * temporary folder that is renamed into place once its files are whole. A
 * signal stops every trial (each `train` stops at its next step) and no new
 * one starts.
 */
async function runTrials(
  dir: string,
  plan: SweepPlan,
  indices: number[],
  workers: number,
  tally: Tally,
  progress: (running: number) => void,
  reader: RunReader,
): Promise<StopSignal | undefined> {
  // Read here once, while the trial workers load, not by each of them.
  const chartJs = loadChartJs();
  const sendChartJs = (worker: Worker) => {
    const post = (message: ToTrialWorker) => worker.postMessage(message);
    chartJs.then(
      (text) => post({ type: "chart-js", text }),
      (error: Error) => post({ type: "no-assets", message: error.message }),
    );
  };
  const queue = [...indices];
  const temps = new Set<string>();
  const stops = watchStops(temps);
  let running = 0;
  const lane = async () => {
    let worker: Worker | undefined;
    while (queue.length > 0 && stops.stopped === undefined && tally.refused === undefined) {
      const index = queue.shift()!;
      const trial = plan.trials[index];
      const tmp = `${dir}/.${trial.name}.${crypto.randomUUID().slice(0, 8)}.tmp`;
      temps.add(tmp);
      running++;
      progress(running);
      if (worker === undefined) {
        worker = takeTrialWorker();
        sendChartJs(worker);
      }
      const { code, stderr } = await trainTrial(worker, index, [
        ...trial.args,
        "--out",
        tmp,
        "--quiet",
      ]);
      // Only a worker whose trial went well takes the next one.
      if (code !== EXIT.ok) {
        worker.terminate();
        worker = undefined;
      }
      running--;
      const last = stderr.trim().split("\n").at(-1) ?? "";
      const whole = (code === EXIT.ok || code === EXIT.failed) && await isRun(tmp);
      if (stops.stopped === undefined && whole) {
        // The run is whole (completed, or failed as training diverged): its folder goes into place.
        try {
          await Deno.rename(tmp, `${dir}/${trial.name}`);
        } catch {
          // Another shard put it there first.
        }
        // The compare page's row, read while the other trials run.
        reader.read(`${dir}/${trial.name}`);
        if (code === EXIT.ok) tally.done++;
        else tally.failed.push(trial.name);
      } else if (code === EXIT.usage) {
        tally.refused ??= `${trial.name} (${trial.args.join(" ")}) is refused: ${
          last.replace(/^Cannot train as /, "")
        }`;
      } else if (stops.stopped === undefined) tally.crashed.push(`${trial.name}: ${last}`);
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
      temps.delete(tmp);
      progress(running);
    }
    worker?.terminate();
  };
  try {
    await Promise.all(Array.from({ length: Math.min(workers, queue.length) }, lane));
  } finally {
    stops.dispose();
  }
  return stops.stopped;
}

/** Runs one trial in `worker`: `train`'s exit code and what it printed on stderr. */
function trainTrial(
  worker: Worker,
  index: number,
  args: string[],
): Promise<{ code: number; stderr: string }> {
  const death = deathOf(worker);
  if (death !== undefined) {
    return Promise.resolve({ code: EXIT.failed, stderr: `The trial worker crashed: ${death}` });
  }
  return new Promise((resolve) => {
    worker.onmessage = (event: MessageEvent<unknown>) => {
      try {
        const end = parseFromTrialWorker(event.data);
        resolve({ code: end.code, stderr: end.stderr });
      } catch (error) {
        resolve({ code: EXIT.failed, stderr: (error as Error).message });
      }
    };
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      resolve({ code: EXIT.failed, stderr: `The trial worker crashed: ${event.message}` });
    };
    const message: ToTrialWorker = { type: "trial", index, args };
    worker.postMessage(message);
  });
}

/** Whether `dir` holds a run's three files. */
async function isRun(dir: string): Promise<boolean> {
  for (const name of ["model.json", "history.csv", "report.html"]) {
    try {
      await Deno.stat(`${dir}/${name}`);
    } catch {
      return false;
    }
  }
  return true;
}

/** The shell commands that run each trial alone into its place. */
function trialCommands(plan: SweepPlan, dir: string): string[] {
  return plan.trials.map((_, i) =>
    ["deno", "task", "cli", "sweep", ...plan.args, "--out", dir, "--index", String(i)]
      .map(shellQuote).join(" ")
  );
}

/** Runs `sweep` with `args`; resolves with the exit code. */
export async function sweepCommand(args: string[], io: CommandIo): Promise<number> {
  try {
    return await sweep(args, io);
  } finally {
    dropEarlyTrialWorkers();
  }
}

async function sweep(args: string[], io: CommandIo): Promise<number> {
  const { values, plan } = planSweep(args);
  if (values.help) {
    io.stdout(SWEEP_HELP);
    return EXIT.ok;
  }
  const workers = intFlag(values, "workers", 1, 256) ?? defaultWorkers();
  const out = values.out as string | undefined;
  if (out !== undefined && out.trim() === "") {
    fail(`'--out' must be a folder's path: current value is ""`);
  }
  if (out === undefined && (values.shard !== undefined || values.index !== undefined)) {
    fail(
      `'--${
        values.shard !== undefined ? "shard" : "index"
      }' needs --out DIR: the folder its shards share`,
    );
  }
  const indices = chosenIndices(values, plan.trials.length);
  const dir = out ?? await makeRunDir("sweep");
  await prepareSweepDir(dir, plan);
  if (values.commands) {
    for (const line of trialCommands(plan, dir)) io.stdout(`${line}\n`);
    io.stderr(
      `Wrote the plan ${dir}/sweep.json: run the commands above from the repository root\n`,
    );
    return EXIT.ok;
  }
  const tally: Tally = { done: 0, skipped: 0, failed: [], crashed: [] };
  const todo: number[] = [];
  for (const i of indices) {
    if (await trialDone(dir, plan.trials[i])) tally.skipped++;
    else todo.push(i);
  }
  const t0 = performance.now();
  const total = indices.length;
  const line = (running: number) => {
    const finished = tally.done + tally.failed.length + tally.skipped;
    const s = ((performance.now() - t0) / 1000).toFixed(1);
    return `Sweep ${dir}: ${finished}/${total} trials done (${running} running${
      tally.skipped ? `, ${tally.skipped} done before` : ""
    }${tally.failed.length ? `, ${tally.failed.length} failed` : ""}), ${s} s`;
  };
  let shown = 0;
  const progress = (running: number) => {
    if (values.quiet) return;
    const finished = tally.done + tally.failed.length;
    if (io.tty) io.stderr(`\r\x1b[K${line(running)}`);
    else if (finished > shown) io.stderr(`${line(running)}\n`);
    shown = finished;
  };
  const reader = new RunReader(dir);
  const stopped = todo.length === 0
    ? undefined
    : await runTrials(dir, plan, todo, workers, tally, progress, reader);
  if (io.tty && !values.quiet && todo.length > 0) io.stderr("\n");
  await writeComparePage(dir, plan.trials.map((t) => `${dir}/${t.name}`), { reader });
  if (tally.refused !== undefined) fail(`trial ${tally.refused}`);
  if (!values.quiet) {
    if (stopped) {
      io.stderr(
        `Stopped (${stopped}): ${tally.done} trials finished and kept; run the same sweep again to do the rest\n`,
      );
    }
    if (tally.failed.length > 0) {
      io.stderr(`Training diverged in ${tally.failed.join(", ")} (marked failed in the page)\n`);
    }
    for (const c of tally.crashed) io.stderr(`A trial crashed: ${c}\n`);
    io.stdout(`Compare: ${dir}/compare.html\n`);
  }
  io.stdout(`${dir}\n`);
  if (stopped) return STOP_SIGNALS[stopped];
  return tally.crashed.length > 0 ? EXIT.failed : EXIT.ok;
}
