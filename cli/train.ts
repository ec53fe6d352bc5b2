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
import { EXIT, show, UsageError } from "./_errors.ts";
import { ensureDir, makeRunDir, readJsonFile, writeFileAtomic } from "./_fs.ts";
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
import {
  renderPage,
  renderReport,
  runEnd,
  runInfo,
  snapshotJson,
  timelineCount,
} from "./report.ts";
import type { SnapshotJson } from "./page/data.ts";
import { LiveServer, openBrowser } from "./_live.ts";
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
  --quiet            print only the report's path
  --serve            watch it learn: serve a live view on 127.0.0.1 and print
                     its link (needs --allow-net=127.0.0.1)
  --port PORT        the live view's port (default: any free one); implies --serve
  --open             also open the live view in the default browser, and start
                     training once it is open (at most 15 s); implies --serve
  --debug            print stack traces
  -h, --help         show this help

Writes model.json, history.csv and report.html. Ctrl-C stops training and
still writes them (exit 130); a second Ctrl-C quits at once. Exit codes: 0 done,
1 training failed, 2 bad usage or input, 130 interrupted.
`;

const FormatSchema = z.enum(["text", "ndjson"]);

/** How long `--open` waits for the page to connect before training starts anyway. */
const OPEN_WAIT_MS = 15_000;

/**
 * A second SIGINT sooner than this after the first is taken as the same
 * Ctrl-C (`deno task` forwards the terminal's SIGINT to the process that
 * already received it), not as a request to quit at once.
 */
export const SIGINT_ECHO_MS = 250;

/** The settings of a `--config` file, and whether it is a run's `model.json`. */
async function readConfigFile(path: string): Promise<{ settings: PartialConfig; run: boolean }> {
  const doc = await readJsonFile(path, "train", "--config");
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
    quiet: { type: "boolean" },
    serve: { type: "boolean" },
    port: { type: "string" },
    open: { type: "boolean" },
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
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    throw new UsageError(
      `Cannot train as '--port' must be a whole number from 0 to 65535: current value is ${
        show(values.port)
      }`,
    );
  }
  const serve = values.serve === true || port !== undefined || values.open === true;
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

  // Everything is checked: from here on, files are written.
  let dir: string;
  try {
    dir = out ?? await makeRunDir(setup.source.kind === "generated" ? setup.source.name : "csv");
    if (out !== undefined) await ensureDir(out);
  } catch (error) {
    worker.terminate();
    throw error;
  }
  const paths = {
    model: `${dir}/model.json`,
    history: `${dir}/history.csv`,
    report: `${dir}/report.html`,
  };

  const quiet = values.quiet === true;
  const ndjson = format.data === "ndjson";
  let live: LiveServer | undefined;
  if (serve) {
    try {
      live = LiveServer.start({
        port,
        html: renderPage({ chartJs, title: `denograd: ${runInfo(setup).dataset} - starting` }),
      });
    } catch (error) {
      worker.terminate();
      throw error;
    }
    live.run(runInfo(setup));
    if (ndjson) {
      io.stdout(JSON.stringify({ type: "live", url: live.url }) + "\n");
      io.stderr(`Live: ${live.url}\n`);
    } else {
      io.stdout(`Live: ${live.url}\n`);
    }
    if (values.open) {
      const why = await openBrowser(live.url);
      if (why) io.stderr(`Cannot open a browser as ${why}: open the link above\n`);
      // The page opening shows the run from step 1 (and its loading does not slow the first steps).
      else await live.waitForPage(OPEN_WAIT_MS);
    }
  }
  const snapshots: SnapshotJson[] = [];
  const progress = makeProgress({
    format: format.data,
    quiet,
    tty: io.tty,
    columns: () => io.columns,
    write: io.stdout,
  });
  const controller = new AbortController();
  let firstInterrupt: number | undefined;
  const onSigint = () => {
    const now = performance.now();
    if (firstInterrupt === undefined) {
      firstInterrupt = now;
      controller.abort();
      progress.end();
      io.stderr("Stopping after this step and writing the report (Ctrl-C again to quit now)\n");
    } else if (now - firstInterrupt >= SIGINT_ECHO_MS) {
      // A run folder made for this run and still empty goes too.
      if (out === undefined) {
        try {
          Deno.removeSync(dir);
        } catch {
          // Not empty: what is there stays.
        }
      }
      Deno.exit(EXIT.interrupted);
    }
    // A SIGINT right after the first is the same Ctrl-C twice: `deno task`
    // forwards the terminal's SIGINT to its child, which got it already.
  };
  let listening = false;
  try {
    Deno.addSignalListener("SIGINT", onSigint);
    listening = true;
  } catch {
    // No SIGINT on this platform: training runs to the end.
  }

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
      watch: {
        timeline: timelineCount(parameterCount(setup.nin, setup.nouts)),
        liveMs: live ? 400 : 0,
      },
    }, {
      // After Ctrl-C the bar is closed: late progress is not drawn.
      onProgress: (m) => {
        live?.progress(m);
        controller.signal.aborted || progress.update(m);
      },
      onSnapshot: (m) => {
        if (m.timeline) snapshots.push(snapshotJson(m));
        live?.snapshot(m);
      },
      signal: controller.signal,
      worker,
    });
  } finally {
    if (listening) Deno.removeSignalListener("SIGINT", onSigint);
  }
  if (!controller.signal.aborted) progress.end();
  const wallTimeMs = performance.now() - t0;

  const run = modelFileOf(setup, outcome, wallTimeMs);
  const history = outcome.history;
  await writeFileAtomic(paths.history, historyCsv(history));
  await writeFileAtomic(paths.model, JSON.stringify(run, null, 2) + "\n");
  await writeFileAtomic(
    paths.report,
    renderReport({ run, setup, history, snapshots }, { chartJs }),
  );
  if (live) {
    // The page may have been opened from anywhere: it shows where the files are in full.
    const full = async (path: string) => await Deno.realPath(path).catch(() => path);
    live.end(runEnd(run, setup, {
      report: await full(paths.report),
      model: await full(paths.model),
      history: await full(paths.history),
    }));
    await live.close();
  }

  const code = run.status === "completed"
    ? EXIT.ok
    : run.status === "cancelled"
    ? EXIT.interrupted
    : EXIT.failed;
  if (outcome.type === "error") {
    const what = outcome.kind === "diverged" ? "Training diverged" : "Training failed";
    io.stderr(`${what}: ${outcome.message}; the report is marked failed\n`);
    if (values.debug && outcome.stack) io.stderr(outcome.stack + "\n");
  } else if (outcome.status === "cancelled") {
    io.stderr(`Cancelled at step ${outcome.stepsDone} of ${setup.config.steps}\n`);
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
      ? `train accuracy ${(f.trainAccuracy * 100).toFixed(1)}% (data loss ${
        f.trainLoss.toFixed(4)
      })${
        f.testAccuracy !== undefined ? `, test accuracy ${(f.testAccuracy * 100).toFixed(1)}%` : ""
      }`
      : "no usable model";
    io.stdout(
      `${run.status === "completed" ? "Trained" : "Stopped"} ${
        setup.source.kind === "generated" ? setup.source.name : setup.source.file
      }: ${run.stepsDone} steps in ${(wallTimeMs / 1000).toFixed(2)} s; ${metrics}\n`,
    );
    io.stdout(`Model: ${paths.model}\n`);
  }
  io.stdout(`Report: ${paths.report}\n`);
  return code;
}
