/**
 * `denograd train`: checks the settings, trains in a worker with no
 * permissions while showing progress, and writes `model.json`,
 * `history.csv` and `report.html` to the output folder, even when the run is
 * cancelled (Ctrl-C) or fails.
 *
 * @module
 */
import { z } from "zod";
import type { Step } from "../workers/protocol.ts";
import { spawnTrainer, trainInWorker, type WorkerOutcome } from "../workers/client.ts";
import { escapeControls, EXIT, show, UsageError } from "./_errors.ts";
import {
  formatBytes,
  INPUT_LIMITS,
  makeRunDir,
  prepareOutDir,
  readJsonFile,
  writeFileSet,
} from "./_fs.ts";
import { watchSignals } from "./_signals.ts";
import { defaultLrTableText } from "../nn/default_lr.ts";
import { loadChartJs } from "./_chart_js.ts";
import { makeProgress } from "./_progress.ts";
import {
  BUILTIN_DATASETS,
  configFlagOptions,
  configFromFlags,
  configFromJson,
  configHelp,
  type PartialConfig,
} from "./config.ts";
import { MODEL_FILE_FORMAT, type ModelFile } from "./model_file.ts";
import { renderReport } from "./report.ts";
import { reproduceCommand, type RunSetup, setUpRun } from "./setup.ts";
import { parseFlags } from "./_flags.ts";

/** Where `train` writes; tests pass their own. */
export interface CommandIo {
  /** Standard output. */
  stdout: (text: string) => void;
  /** Standard error. */
  stderr: (text: string) => void;
  /** Whether standard output is a terminal. */
  tty: boolean;
  /** Terminal width (read at each use, as the terminal may be resized). */
  readonly columns?: number;
}

/** The `train` help text. */
export const TRAIN_HELP = `Train an MLP in a worker and write a report.

Usage: denograd train [flags]

The default run is micrograd's demo: moons, 100 samples, noise 0.1, a 2-16-16-1
relu MLP, svm loss, L2 1e-4, 100 steps of SGD from lr 1 with linear decay.

Settings:
${configHelp().join("\n")}

Output:
  --out DIR          where files go (default: a fresh folder under runs/)
  --config FILE      a JSON file of settings (names as in model.json's "config"),
                     or a model.json to rerun; flags override it
  --format FORMAT    text or ndjson (one JSON object per line) (default text)
  --force            replace a run already in the --out folder
  --quiet            print only the report's path
  --debug            print stack traces
  -h, --help         show this help

Default learning rates, by optimizer, loss and hidden activation (found by
a sweep over moons, circles, xor and spiral: bench/lr_sweep.ts):
${defaultLrTableText().map((line) => `  ${line}`).join("\n")}

Progress shows step k of N (steps count from 1) with the loss and accuracy
measured before that step's update; "loss" includes the L2 penalty, "data
loss" does not. The summary's figures are measured after the last update,
without L2.

Writes model.json, history.csv and report.html, all three or none. Ctrl-C,
SIGTERM or SIGHUP stops training and still writes them, marked cancelled (exit
130, 143, 129); a second Ctrl-C quits at once. An --out folder that holds a run
is refused unless --force. Inputs are read up to a size cap: ${
  formatBytes(INPUT_LIMITS.csv)
} for a CSV
file, ${
  formatBytes(INPUT_LIMITS.model)
} for a --config file (it may be a run's model.json). Exit codes: 0 done,
1 training failed, 2 bad usage or input, 130/143/129 stopped by a signal.
`;

const FormatSchema = z.enum(["text", "ndjson"]);

export { SIGINT_ECHO_MS } from "./_signals.ts";

/** The settings of a `--config` file, and whether it is a run's `model.json`. */
async function readConfigFile(path: string): Promise<{ settings: PartialConfig; run: boolean }> {
  const doc = await readJsonFile(path, "train", "--config", INPUT_LIMITS.model);
  // A model.json reruns its run: its settings are under "config".
  const run = doc as { format?: unknown; config?: unknown } | null;
  if (typeof run === "object" && run?.format === MODEL_FILE_FORMAT) {
    return { settings: configFromJson(run.config, path), run: true };
  }
  return { settings: configFromJson(doc, path), run: false };
}

/**
 * Merges a `--config` file's settings and the flags, flags first. A run's
 * `model.json` records the size of its data (`samples`, `noise`, `classes`);
 * they describe that data only, so they are dropped when `--dataset` names
 * another, or when the data is a CSV file (which may have changed since).
 */
function mergeSettings(
  file: { settings: PartialConfig; run: boolean },
  flags: PartialConfig,
): PartialConfig {
  let fromFile = file.settings;
  const dataset = flags.dataset ?? fromFile.dataset ?? "moons";
  const generated = (BUILTIN_DATASETS as readonly string[]).includes(dataset);
  if (file.run && (dataset !== fromFile.dataset || !generated)) {
    const { samples: _samples, noise: _noise, classes: _classes, ...rest } = fromFile;
    fromFile = rest;
  }
  return { ...fromFile, ...flags };
}

/** Refuses an `--out` that exists but is not a folder. */
async function checkOutDir(out: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(out);
  } catch {
    return; // Not there (made later) or not readable (ensureDir explains).
  }
  if (!info.isDirectory) {
    throw new UsageError(
      `Cannot train as '--out' must be a folder's path: ${show(out)} is a file`,
    );
  }
}

function parameterCount(nin: number, nouts: number[]): number {
  let n = 0;
  let fan = nin;
  for (const out of nouts) {
    n += (fan + 1) * out;
    fan = out;
  }
  return n;
}

/** The history as CSV, one row per step. */
export function historyCsv(history: Step[]): string {
  const lines = ["step,loss,data_loss,accuracy,lr,test_loss,test_accuracy"];
  for (const h of history) {
    lines.push(
      [h.step, h.loss, h.dataLoss, h.accuracy, h.lr, h.testLoss ?? "", h.testAccuracy ?? ""].join(
        ",",
      ),
    );
  }
  return lines.join("\n") + "\n";
}

function modelFileOf(setup: RunSetup, outcome: WorkerOutcome, wallTimeMs: number): ModelFile {
  const done = outcome.type === "done";
  const status = done ? outcome.status : "failed";
  const stoppedAtStep = done
    ? (status === "cancelled" ? outcome.stepsDone : undefined)
    : outcome.step;
  // Keys in reading order: what happened first, the big arrays last.
  const run: ModelFile = {
    format: MODEL_FILE_FORMAT,
    status,
    ...(stoppedAtStep !== undefined ? { stoppedAtStep } : {}),
    ...(done ? {} : { error: outcome.message }),
    stepsDone: done ? outcome.stepsDone : outcome.history.length,
    ...(done ? { final: outcome.final } : {}),
    wallTimeMs,
    createdAt: new Date().toISOString(),
    command: reproduceCommand(setup.config, setup.source),
    config: setup.config,
    dataset: setup.source,
    featureNames: setup.featureNames,
    classNames: setup.classNames,
    parameterCount: parameterCount(setup.nin, setup.nouts),
    history: "history.csv",
    ...(outcome.model ? { model: outcome.model } : {}),
  };
  return run;
}

/** Runs `train` with `args`; resolves with the exit code. */
export async function trainCommand(args: string[], io: CommandIo): Promise<number> {
  const { values } = parseFlags("train", args, {
    ...configFlagOptions(),
    out: { type: "string" },
    config: { type: "string" },
    format: { type: "string" },
    force: { type: "boolean" },
    quiet: { type: "boolean" },
    debug: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.stdout(TRAIN_HELP);
    return EXIT.ok;
  }
  const format = FormatSchema.safeParse(values.format ?? "text");
  if (!format.success) {
    throw new UsageError(
      `Cannot train as '--format' must be text or ndjson: current value is ${show(values.format)}`,
    );
  }
  const out = values.out as string | undefined;
  if (out !== undefined && out.trim() === "") {
    throw new UsageError(`Cannot train as '--out' must be a folder's path: current value is ""`);
  }
  if (out !== undefined) await checkOutDir(out);
  // The worker starts loading while the settings and the data are checked.
  const worker = spawnTrainer();
  let setup: RunSetup;
  let chartJs: string;
  try {
    const fromFile = typeof values.config === "string"
      ? await readConfigFile(values.config)
      : { settings: {}, run: false };
    setup = await setUpRun(mergeSettings(fromFile, configFromFlags(values)));
    chartJs = await loadChartJs();
  } catch (error) {
    worker.terminate();
    throw error;
  }

  // Everything is checked: from here on, files are written. Signals stop the run, not the process.
  const signals = watchSignals();
  let dir: string;
  try {
    if (out !== undefined) await prepareOutDir(out, { force: values.force === true });
    dir = out ?? await makeRunDir(setup.source.kind === "generated" ? setup.source.name : "csv");
  } catch (error) {
    signals.dispose();
    worker.terminate();
    throw error;
  }
  // A run folder made for this run and still empty goes when a second signal quits at once.
  if (out === undefined) signals.onQuit(() => Deno.removeSync(dir));
  const paths = {
    model: `${dir}/model.json`,
    history: `${dir}/history.csv`,
    report: `${dir}/report.html`,
  };

  const quiet = values.quiet === true;
  const ndjson = format.data === "ndjson";
  const progress = makeProgress({
    format: format.data,
    quiet,
    tty: io.tty,
    columns: () => io.columns,
    write: io.stdout,
  });
  const controller = { signal: signals.signal };
  signals.onStop((name) => {
    progress.end();
    io.stderr(
      `Stopping after this step and writing the report (${name}; ${
        name === "SIGINT" ? "Ctrl-C" : "a signal"
      } again to quit now)\n`,
    );
  });

  const t0 = performance.now();
  let outcome: WorkerOutcome;
  try {
    outcome = await trainInWorker({
      type: "start",
      spec: {
        nin: setup.nin,
        nouts: setup.nouts,
        activation: setup.config.activation,
        loss: setup.config.loss,
        optimizer: setup.config.optimizer,
        lr: setup.config.lr,
        lrSchedule: setup.config.lrSchedule,
        steps: setup.config.steps,
        batchSize: setup.config.batchSize,
        l2: setup.config.l2,
        seed: setup.config.seed,
        engine: setup.config.engine,
      },
      train: { x: setup.train.x, y: setup.train.y, classes: setup.train.classes },
      ...(setup.test
        ? { test: { x: setup.test.x, y: setup.test.y, classes: setup.test.classes } }
        : {}),
      grid: setup.nin === 2 ? 80 : 0,
      chunkMs: 50,
    }, {
      // After Ctrl-C the bar is closed: late progress is not drawn.
      onProgress: (m) => controller.signal.aborted || progress.update(m),
      signal: controller.signal,
      worker,
    });
  } catch (error) {
    signals.dispose();
    throw error;
  }
  if (!controller.signal.aborted) progress.end();
  const wallTimeMs = performance.now() - t0;

  const run = modelFileOf(setup, outcome, wallTimeMs);
  const history = outcome.history;
  const points = setup.nin === 2
    ? {
      x: [...setup.train.x, ...(setup.test?.x ?? [])],
      y: [...setup.train.y, ...(setup.test?.y ?? [])],
      test: [...setup.train.x.map(() => false), ...(setup.test?.x.map(() => true) ?? [])],
    }
    : undefined;
  const grid = outcome.type === "done" ? outcome.grid : undefined;
  try {
    await writeFileSet({
      [paths.history]: historyCsv(history),
      [paths.model]: JSON.stringify(run, null, 2) + "\n",
      [paths.report]: renderReport({ run, history, points, grid }, { chartJs }),
    });
  } catch (error) {
    // Nothing was written: a run folder made for this run goes too.
    if (out === undefined) await Deno.remove(dir).catch(() => {});
    throw error;
  } finally {
    signals.dispose();
  }

  // A signal during the writes still sets the exit code: the files are whole either way.
  const code = signals.exitCode ??
    (run.status === "completed"
      ? EXIT.ok
      : run.status === "cancelled"
      ? EXIT.interrupted
      : EXIT.failed);
  if (outcome.type === "error") {
    const what = outcome.kind === "diverged" ? "Training diverged" : "Training failed";
    const hint = outcome.kind === "diverged"
      ? `; try a smaller --lr than ${setup.config.lr} (the report is marked failed)`
      : "; the report is marked failed";
    io.stderr(`${what}: ${outcome.message}${hint}\n`);
    if (values.debug && outcome.stack) io.stderr(outcome.stack + "\n");
  } else if (outcome.status === "cancelled") {
    io.stderr(
      `Cancelled at step ${outcome.stepsDone} of ${setup.config.steps}${
        signals.received && signals.received !== "SIGINT" ? ` (${signals.received})` : ""
      }\n`,
    );
  }
  if (ndjson) {
    io.stdout(
      JSON.stringify({
        type: "end",
        status: run.status,
        stepsDone: run.stepsDone,
        ...(run.error !== undefined ? { error: run.error } : {}),
        ...(run.final ? { final: run.final } : {}),
        wallTimeMs: Math.round(wallTimeMs),
        model: paths.model,
        history: paths.history,
        report: paths.report,
      }) + "\n",
    );
    return code;
  }
  if (!quiet) {
    const f = run.final;
    const metrics = f
      ? `after the last update: train accuracy ${(f.trainAccuracy * 100).toFixed(1)}%, data loss ${
        f.trainLoss.toFixed(4)
      } (without L2)${
        f.testAccuracy !== undefined ? `, test accuracy ${(f.testAccuracy * 100).toFixed(1)}%` : ""
      }`
      : "no usable model";
    io.stdout(
      `${run.status === "completed" ? "Trained" : "Stopped"} ${
        setup.source.kind === "generated" ? setup.source.name : escapeControls(setup.source.file)
      }: ${run.stepsDone} steps in ${(wallTimeMs / 1000).toFixed(2)} s; ${metrics}\n`,
    );
    io.stdout(`Model: ${paths.model}\n`);
  }
  // `--quiet` prints the bare path, for `open "$(deno task -q train --quiet)"`.
  io.stdout(quiet ? `${paths.report}\n` : `Report: ${paths.report}\n`);
  return code;
}
