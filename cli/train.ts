/**
 * `denograd train`: checks the settings, trains in a worker with no
 * permissions while showing progress, and writes `model.json`,
 * `history.csv` and `report.html` to the output folder, even when the run is
 * cancelled (Ctrl-C) or fails.
 *
 * The command runs in five parts, one function each: settings (flags, a
 * `--config` file, `--resume`), set-up (data and model), the run (the worker),
 * the writes, and the summary.
 *
 * @module
 */
import { z } from "zod";
import { defaultLrTableText, isBuiltinDataset, REGRESSION_LR } from "../mod.ts";
import { makeTrainSpec, type Step } from "../workers/protocol.ts";
import {
  spawnTrainer,
  type TrainerPool,
  trainInWorker,
  type WorkerOutcome,
} from "../workers/client.ts";
import { gridBounds } from "../workers/grid.ts";
import { escapeControls, EXIT, show, UsageError } from "./_errors.ts";
import {
  formatBytes,
  INPUT_LIMITS,
  type OutDirHold,
  prepareOutDir,
  prepareRunsRoot,
  readJsonFile,
  runDirName,
  writeFileSet,
  writeRunDir,
} from "./_fs.ts";
import { type RunSignals, watchSignals } from "./_signals.ts";
import { loadChartJs } from "./_chart_js.ts";
import { makeProgress, type Progress } from "./_progress.ts";
import {
  configFlagOptions,
  configFromFlags,
  configFromJson,
  configHelp,
  type PartialConfig,
} from "./config.ts";
import { countParameters, MODEL_FILE_FORMAT, type ModelFile } from "./model_file.ts";
import { renderPage, reportParts, runEnd, runInfo, snapshotJson, timelineCount } from "./report.ts";
import type { SnapshotJson } from "./page/data.ts";
import { LiveServer, openBrowser } from "./_live.ts";
import { reproduceCommand, type RunSetup, setUpRun, shellQuote } from "./setup.ts";
import { type FlagValues, parseFlags } from "./_flags.ts";
import { checkResumeData, readResume, type Resume, resumedSettings } from "./_resume.ts";
import { parseDecimal } from "../nn/data/csv.ts";
import { historyCsv } from "./history_csv.ts";
import { modelFileOf as runModelFile } from "./run_file.ts";
import { packedSeed } from "./playground_page.ts";
import { PLAYGROUND_GZ } from "./page/_playground_packed.ts";

export { historyCsv };

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

/** The `train` help text, made from the settings table. */
export const TRAIN_HELP = `Train an MLP in a worker and write a report.

Usage: denograd train [flags]

The default run is micrograd's demo: moons, 100 samples, noise 0.1, a 2-16-16-1
relu MLP, svm loss, L2 1e-4, 100 steps of SGD from lr 1 with linear decay.

Settings:
${configHelp().join("\n")}

Run:
  --config FILE      a JSON file of settings (names as in model.json's "config"),
                     or a model.json to rerun; flags override it
  --resume FILE      a run's model.json to go on from, with its weights, optimizer
                     state and history; --steps then counts the new steps. The
                     learning rate goes on from the run's last step's (or --lr):
                     constant keeps it, linear decays it to a tenth over the new
                     steps, cosine toward 0; it never jumps back to the start.
                     The file is checked whole first (optimizer state, step
                     counts, the data's inputs and classes): nothing is written
                     for a file that does not fit its run
  --out DIR          where files go (default: a fresh folder under runs/)
  --force            replace a run already in the --out folder
  --format FORMAT    text or ndjson (one JSON object per line) (default text)
  --serve            watch it learn: serve a live view on 127.0.0.1 and print
                     its link (needs --allow-net=127.0.0.1)
  --port PORT        the live view's port (default: any free one); implies --serve
  --open             also open the live view in the default browser, and start
                     training once it is open (at most 15 s); implies --serve
  --quiet            print only the report's path
  --debug            print stack traces
  -h, --help         show this help

Default learning rates for classification, by optimizer, loss and hidden
activation (found by a sweep over moons, circles, xor and spiral:
bench/lr_sweep.ts):
${defaultLrTableText().map((line) => `  ${line}`).join("\n")}
For regression: ${Object.entries(REGRESSION_LR).map(([o, lr]) => `${o} ${lr}`).join(", ")}.

Progress shows step k of N (steps count from 1) with the loss and accuracy
(R^2 for regression) measured before that step's update; "loss" includes the
L2 and L1 penalties, "data loss" does not. The summary's figures are measured
after the last update, without penalties.

Writes model.json, history.csv and report.html, all three or none; a new
folder under runs/ appears only with them. Ctrl-C, SIGTERM, SIGHUP or SIGQUIT
stops training and still writes them, marked cancelled (exit 130, 143, 129,
131); a second Ctrl-C quits at once. An --out folder that holds a run is
refused unless --force, and one that another run is writing to is refused.
Inputs are read up to a size cap: ${formatBytes(INPUT_LIMITS.csv)} for a CSV file, ${
  formatBytes(INPUT_LIMITS.model)
} for a
--config or --resume file. Exit codes: 0 done, 1 training failed, 2 bad usage
or input, 130/143/129/131 stopped by a signal.
`;

const FormatSchema = z.enum(["text", "ndjson"]);

/** How long `--open` waits for the page to connect before training starts anyway. */
const OPEN_WAIT_MS = 15_000;

/** Everything the flags and files ask for, checked, before any data is made. */
interface Request {
  settings: PartialConfig;
  resume?: Resume;
  out?: string;
  force: boolean;
  /** Serve the live view (on this port; undefined for any free one). */
  serve?: { port?: number; open: boolean };
  format: "text" | "ndjson";
  quiet: boolean;
  debug: boolean;
}

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
  const dataset = flags.dataset ?? fromFile.dataset;
  const csv = dataset !== undefined && !isBuiltinDataset(dataset);
  if (file.run && (dataset !== fromFile.dataset || csv)) {
    const { samples: _samples, noise: _noise, classes: _classes, ...rest } = fromFile;
    fromFile = rest;
  }
  return { ...fromFile, ...flags };
}

/** Settings: flags, a config file and a run to resume, merged and checked. */
async function readRequest(values: FlagValues): Promise<Request> {
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
  // One decimal grammar for every number: no hex, octal or empty port.
  const port = values.port === undefined ? undefined : parseDecimal(values.port as string);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    throw new UsageError(
      `Cannot train as '--port' must be a whole number from 0 to 65535: current value is ${
        show(values.port)
      }`,
    );
  }
  const serve = values.serve === true || port !== undefined || values.open === true;
  const flags = configFromFlags(values);
  if (typeof values.resume === "string" && typeof values.config === "string") {
    throw new UsageError(
      "Cannot train as '--resume' and '--config' do not go together: a resumed run keeps its own settings",
    );
  }
  let settings: PartialConfig;
  let resume: Resume | undefined;
  if (typeof values.resume === "string") {
    resume = await readResume(values.resume);
    settings = mergeSettings({ settings: resumedSettings(resume, flags), run: true }, flags);
  } else {
    const fromFile = typeof values.config === "string"
      ? await readConfigFile(values.config)
      : { settings: {}, run: false };
    settings = mergeSettings(fromFile, flags);
  }
  return {
    settings,
    resume,
    out,
    force: values.force === true,
    ...(serve ? { serve: { port, open: values.open === true } } : {}),
    format: format.data,
    quiet: values.quiet === true,
    debug: values.debug === true,
  };
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

/** What was trained, as `model.json` records it. */
function modelFileOf(
  request: Request,
  setup: RunSetup,
  outcome: WorkerOutcome,
  wallTimeMs: number,
): ModelFile {
  const done = outcome.type === "done";
  const status = done ? outcome.status : "failed";
  const before = request.resume?.run.stepsDone ?? 0;
  const stepsDone = before + (done ? outcome.stepsDone : outcome.history.length);
  // A cancelled run stopped after its last step; a failed one at the step that failed.
  const stoppedAtStep = done ? (status === "cancelled" ? stepsDone : undefined) : outcome.step;
  const command = reproduceCommand(setup.config) +
    (request.resume ? ` --resume ${shellQuote(request.resume.file)}` : "");
  return runModelFile(setup, {
    status,
    stoppedAtStep,
    ...(done ? {} : { error: outcome.message }),
    stepsDone,
    ...(done ? { final: outcome.final } : {}),
    wallTimeMs,
    command,
    resumedFrom: request.resume?.file,
    model: outcome.model,
    optimizer: outcome.optimizer,
  });
}

/** The run: trains in the worker while showing progress; a signal (Ctrl-C) cancels it. */
async function runInWorker(
  request: Request,
  setup: RunSetup,
  worker: Worker,
  progress: Progress,
  signals: RunSignals,
  live: LiveServer | undefined,
  trainers?: TrainerPool,
): Promise<{ outcome: WorkerOutcome; wallTimeMs: number; snapshots: SnapshotJson[] }> {
  const snapshots: SnapshotJson[] = [];
  const { config } = setup;
  const resume = request.resume;
  const t0 = performance.now();
  let outcome: WorkerOutcome;
  try {
    outcome = await trainInWorker({
      type: "start",
      spec: makeTrainSpec(config, {
        nin: setup.nin,
        nouts: setup.nouts,
        inputs: setup.inputNames,
        features: setup.featureNames,
        ...(resume
          ? {
            resume: {
              model: resume.run.model,
              optimizer: resume.run.optimizer,
              stepsDone: resume.run.stepsDone,
            },
          }
          : {}),
      }),
      train: setup.train,
      ...(setup.test ? { test: setup.test } : {}),
      grid: setup.inputNames.length === 2 ? 80 : 0,
      ...(setup.inputNames.length === 2 ? { plane: gridBounds(setup.points.x) } : {}),
      chunkMs: 50,
      watch: {
        timeline: timelineCount(countParameters([setup.nin, ...setup.nouts])),
        liveMs: live ? 400 : 0,
      },
    }, {
      onProgress: (m) => {
        live?.progress(m);
        // After Ctrl-C the bar is closed: late progress is not drawn.
        signals.signal.aborted || progress.update(m);
      },
      onSnapshot: (m) => {
        if (m.timeline) snapshots.push(snapshotJson(m));
        live?.snapshot(m);
      },
      signal: signals.signal,
      worker,
      ...(trainers ? { release: (w: Worker) => trainers.give(w) } : {}),
    });
  } catch (error) {
    signals.dispose();
    throw error;
  }
  if (!signals.signal.aborted) progress.end();
  return { outcome, wallTimeMs: performance.now() - t0, snapshots };
}

/** The writes: history, model and report, each whole or not at all. */
async function writeRun(
  out: string | { base: string },
  run: ModelFile,
  history: Step[],
  setup: RunSetup,
  snapshots: SnapshotJson[],
  chartJs: string,
): Promise<{ model: string; history: string; report: string }> {
  const files = {
    "history.csv": historyCsv(history),
    "model.json": JSON.stringify(run, null, 2) + "\n",
    "report.html": reportParts({ run, setup, history, snapshots }, {
      chartJs,
      // A report of a built-in dataset opens as the playground, seeded with the run.
      ...(run.model && run.optimizer && isBuiltinDataset(setup.config.dataset)
        ? {
          playground: {
            page: PLAYGROUND_GZ,
            seed: await packedSeed({
              given: setup.config as unknown as Record<string, unknown>,
              model: run.model,
              optimizer: run.optimizer,
              history,
            }),
          },
        }
        : {}),
    }),
  };
  // A new run folder under runs/ appears with its files, whole, or not at all.
  const dir = typeof out === "string" ? out : await writeRunDir(out.base, files);
  if (typeof out === "string") {
    await writeFileSet(
      Object.fromEntries(Object.entries(files).map(([name, text]) => [`${dir}/${name}`, text])),
    );
  }
  return {
    model: `${dir}/model.json`,
    history: `${dir}/history.csv`,
    report: `${dir}/report.html`,
  };
}

/** The likely cause of a divergence: regression labels of a large scale, else the lr. */
function divergenceCause(setup: RunSetup): string {
  const lr = `try a smaller --lr than ${setup.config.lr}`;
  if (setup.config.problem !== "regression") return lr;
  let scale = 0;
  for (const y of setup.points.y) scale = Math.max(scale, Math.abs(y));
  return scale >= 1e3
    ? `the labels reach ${scale.toPrecision(3)} in size: divide them by a power of ten (or ${lr})`
    : lr;
}

/** The summary: one line on how it went, where the files are. */
function summarize(
  io: CommandIo,
  request: Request,
  setup: RunSetup,
  run: ModelFile,
  outcome: WorkerOutcome,
  paths: { model: string; history: string; report: string },
  wallTimeMs: number,
  signal: string | undefined,
): void {
  if (outcome.type === "error") {
    const what = outcome.kind === "diverged" ? "Training diverged" : "Training failed";
    const hint = outcome.kind === "diverged"
      ? `; ${divergenceCause(setup)} (the report is marked failed)`
      : "; the report is marked failed";
    // The cause is named once, here, where the flags are known.
    const message = outcome.message.replace(/; try a smaller learning rate$/, "");
    io.stderr(`${what}: ${message}${hint}\n`);
    if (request.debug && outcome.stack) io.stderr(outcome.stack + "\n");
  } else if (outcome.status === "cancelled") {
    const total = (request.resume?.run.stepsDone ?? 0) + setup.config.steps;
    const by = signal && signal !== "SIGINT" ? ` (${signal})` : "";
    io.stderr(`Cancelled at step ${run.stepsDone} of ${total}${by}\n`);
  }
  if (request.format === "ndjson") {
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
    return;
  }
  if (!request.quiet) {
    const f = run.final;
    const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
    const test = (text: string | undefined) => text === undefined ? "" : `, test ${text}`;
    const metrics = f === undefined
      ? "no usable model"
      : setup.config.problem === "regression"
      ? `after the last update: train MSE ${f.trainMse?.toFixed(4)}, R^2 ${f.trainR2?.toFixed(3)}${
        test(
          f.testR2 === undefined
            ? undefined
            : `MSE ${f.testMse?.toFixed(4)}, R^2 ${f.testR2.toFixed(3)}`,
        )
      }`
      : `after the last update: train accuracy ${pct(f.trainAccuracy ?? 0)}, data loss ${
        f.trainLoss.toFixed(4)
      } (without penalties)${
        test(f.testAccuracy === undefined ? undefined : `accuracy ${pct(f.testAccuracy)}`)
      }`;
    io.stdout(
      `${run.status === "completed" ? "Trained" : "Stopped"} ${
        setup.source.kind === "generated" ? setup.source.name : escapeControls(setup.source.file)
      }: ${run.stepsDone} steps in ${(wallTimeMs / 1000).toFixed(2)} s; ${metrics}\n`,
    );
    io.stdout(`Model: ${paths.model}\n`);
  }
  // `--quiet` prints the bare path, for `open "$(deno task -q train --quiet)"`.
  io.stdout(request.quiet ? `${paths.report}\n` : `Report: ${paths.report}\n`);
}

/** Prints the live view's link (and opens it, with `--open`). */
async function startLive(
  live: LiveServer,
  request: Request,
  setup: RunSetup,
  io: CommandIo,
): Promise<LiveServer> {
  live.run(runInfo(setup));
  if (request.format === "ndjson") {
    io.stdout(JSON.stringify({ type: "live", url: live.url }) + "\n");
    io.stderr(`Live: ${live.url}\n`);
  } else {
    io.stdout(`Live: ${live.url}\n`);
  }
  if (request.serve?.open) {
    const why = await openBrowser(live.url);
    if (why) io.stderr(`Cannot open a browser as ${why}: open the link above\n`);
    // The page opening shows the run from step 1 (and its loading does not slow the first steps).
    else await live.waitForPage(OPEN_WAIT_MS);
  }
  return live;
}

/** The flags of `train`: the settings' and the run's. */
function trainFlags() {
  return {
    ...configFlagOptions(),
    out: { type: "string" },
    config: { type: "string" },
    resume: { type: "string" },
    format: { type: "string" },
    force: { type: "boolean" },
    serve: { type: "boolean" },
    port: { type: "string" },
    open: { type: "boolean" },
    quiet: { type: "boolean" },
    debug: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  } as const;
}

/** Set-up: the data, the model's shape, a resumed run checked against them, Chart.js. */
async function prepareRun(
  request: Request,
  worker: Worker,
): Promise<{ setup: RunSetup; chartJs: string }> {
  try {
    const setup = await setUpRun(request.settings);
    if (request.resume) checkResumeData(request.resume, setup);
    return { setup, chartJs: await loadChartJs() };
  } catch (error) {
    worker.terminate();
    throw error;
  }
}

/** Where the run's files go: `--out` (held by this run) or, once written, a fresh folder under `runs/`. */
interface RunDir {
  out: string | { base: string };
  hold?: OutDirHold;
}

/** Binds the live view's port, before any folder is made: one that cannot be served writes nothing. */
function bindLive(
  request: Request,
  setup: RunSetup,
  chartJs: string,
  worker: Worker,
): LiveServer | undefined {
  try {
    return request.serve
      ? LiveServer.start({
        port: request.serve.port,
        html: renderPage({ chartJs, title: `denograd: ${runInfo(setup).dataset} - starting` }),
      })
      : undefined;
  } catch (error) {
    worker.terminate();
    throw error;
  }
}

/**
 * Claims the run's folder: an `--out` folder is checked and held by this run
 * until its files are written; a new run folder under `runs/` is made only then.
 */
async function claimRunDir(
  request: Request,
  setup: RunSetup,
  context: { signals: RunSignals; worker: Worker; live?: LiveServer },
): Promise<RunDir> {
  const { signals, worker, live } = context;
  let hold: OutDirHold | undefined;
  const out = request.out ??
    { base: runDirName(setup.source.kind === "generated" ? setup.source.name : "csv") };
  try {
    if (request.out !== undefined) {
      hold = await prepareOutDir(request.out, { force: request.force });
    } else await prepareRunsRoot();
  } catch (error) {
    signals.dispose();
    worker.terminate();
    await live?.close(0);
    throw error;
  }
  // An --out folder made for this run and still empty goes when a second signal quits at once.
  if (hold?.created) signals.onQuit(() => Deno.removeSync(request.out!));
  return { out, hold };
}

/** The progress display; a first signal closes it and says what happens next. */
function startProgress(request: Request, io: CommandIo, signals: RunSignals): Progress {
  const progress = makeProgress({
    format: request.format,
    quiet: request.quiet,
    tty: io.tty,
    columns: () => io.columns,
    write: io.stdout,
  });
  signals.onStop((name) => {
    progress.end();
    io.stderr(
      `Stopping after this step and writing the report (${name}; ${
        name === "SIGINT" ? "Ctrl-C" : "a signal"
      } again to quit now)\n`,
    );
  });
  return progress;
}

/** Where a run's three files went. */
type RunPaths = { model: string; history: string; report: string };

/** The writes, then the live view's end: a write that fails removes an `--out` folder made for this run. */
async function finishRun(
  request: Request,
  dir: RunDir,
  run: ModelFile,
  trained: { history: Step[]; snapshots: SnapshotJson[] },
  context: { setup: RunSetup; chartJs: string; signals: RunSignals; live?: LiveServer },
): Promise<RunPaths> {
  const { setup, chartJs, signals, live } = context;
  let paths: RunPaths | undefined;
  try {
    paths = await writeRun(dir.out, run, trained.history, setup, trained.snapshots, chartJs);
    return paths;
  } catch (error) {
    // Nothing was written: an --out folder made for this run goes too.
    if (dir.hold?.created) await Deno.remove(request.out!).catch(() => {});
    throw error;
  } finally {
    dir.hold?.release();
    signals.dispose();
    if (live) {
      // The page may have been opened from anywhere: it shows where the files are in full.
      const full = async (path: string) => await Deno.realPath(path).catch(() => path);
      live.end(runEnd(
        run,
        setup,
        paths && {
          report: await full(paths.report),
          model: await full(paths.model),
          history: await full(paths.history),
        },
      ));
      await live.close();
    }
  }
}

/** Options for {@linkcode trainCommand}. */
export interface TrainCommandOptions {
  /**
   * Where the training worker comes from and goes back to once the run
   * ended (a sweep's trials reuse theirs); by default a fresh one, terminated.
   */
  trainers?: TrainerPool;
}

/** Runs `train` with `args`; resolves with the exit code. */
export async function trainCommand(
  args: string[],
  io: CommandIo,
  options: TrainCommandOptions = {},
): Promise<number> {
  const { values } = parseFlags("train", args, trainFlags());
  if (values.help) {
    io.stdout(TRAIN_HELP);
    return EXIT.ok;
  }
  const request = await readRequest(values);
  // The worker starts loading while the settings and the data are checked.
  const worker = options.trainers?.take() ?? spawnTrainer();
  const { setup, chartJs } = await prepareRun(request, worker);
  const live = bindLive(request, setup, chartJs, worker);
  // Everything is checked: from here on, files are written. Signals stop the run, not the process.
  const signals = watchSignals();
  const dir = await claimRunDir(request, setup, { signals, worker, live });
  for (const note of setup.notes) io.stderr(`${note}\n`);
  const progress = startProgress(request, io, signals);
  if (live) await startLive(live, request, setup, io);
  const { outcome, wallTimeMs, snapshots } = await runInWorker(
    request,
    setup,
    worker,
    progress,
    signals,
    live,
    options.trainers,
  );
  const run = modelFileOf(request, setup, outcome, wallTimeMs);
  const history = [...(request.resume?.history ?? []), ...outcome.history];
  const paths = await finishRun(request, dir, run, { history, snapshots }, {
    setup,
    chartJs,
    signals,
    live,
  });
  summarize(io, request, setup, run, outcome, paths, wallTimeMs, signals.received);
  // A signal during the writes still sets the exit code: the files are whole either way.
  return signals.exitCode ??
    (run.status === "completed"
      ? EXIT.ok
      : run.status === "cancelled"
      ? EXIT.interrupted
      : EXIT.failed);
}
