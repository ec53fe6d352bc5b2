/// <reference lib="webworker" />
/**
 * The playground's training worker, bundled into the page and started from
 * a Blob URL. It makes the run with the CLI's own code (`setUpRun`, `Mlp`,
 * `trainSteps` on the compiled path), so the same settings give the same
 * data, weights and losses as `deno task train`, bit for bit; it trains in
 * short chunks and posts what the view needs at a bounded rate.
 *
 * @module
 */
import {
  BUILTIN_DATASETS,
  compileFeatures,
  DivergedError,
  evaluate,
  loopSettings,
  Mlp,
  networkSvg,
  type OptimizerState,
  type TrainRun,
  trainSteps,
} from "../../mod.ts";
import type { FinalMetrics, Step } from "../../workers/protocol.ts";
import { gridBounds, gridMaker } from "../../workers/grid.ts";
import { historyCell, historyCsv } from "../history_csv.ts";
import { modelFileOf } from "../run_file.ts";
import { runInfo } from "../run_info.ts";
import { reproduceCommand, type RunSetup, setUpRun } from "../setup.ts";
import type { PartialConfig } from "../config.ts";
import { configFromJson } from "../config.ts";
import type { GridJson, PageMessage, RunInfo } from "./data.ts";
import { networkOptions } from "./network.ts";
import {
  type FromPlayground,
  parseToPlayground,
  type PlaygroundStatus,
  type ToPlayground,
} from "./playground_protocol.ts";

/** Milliseconds of training between two looks at the message queue. */
const CHUNK_MS = 25;
/** Milliseconds between two posts of new steps. */
const PROGRESS_MS = 100;
/** Milliseconds between two snapshots with a grid (more when a grid takes long). */
const SNAPSHOT_MS = 250;
/** Cells per side of the live grid. */
const LIVE_GRID = 60;
/** Milliseconds between two network diagrams drawn here (the page's costliest drawing). */
const NETWORK_MS = 2000;

interface Run {
  setup: RunSetup;
  model: Mlp;
  train: TrainRun;
  history: Step[];
  sent: number;
  playing: boolean;
  changes: string[];
  makeGrid?: () => GridJson;
  lastProgress: number;
  nextSnapshot: number;
  nextNetwork: number;
  info: RunInfo;
  t0: number;
  error?: string;
}

let run: Run | undefined;
/** Messages wait here while a setup is under way. */
let queue: Promise<void> = Promise.resolve();

function send(message: FromPlayground): void {
  self.postMessage(message);
}

self.onmessage = (event: MessageEvent<unknown>) => {
  let message: ToPlayground;
  try {
    message = parseToPlayground(event.data);
  } catch (error) {
    send({ type: "error", message: `Cannot read the message: ${(error as Error).message}` });
    return;
  }
  queue = queue.then(() => handle(message)).catch((error) => {
    send({ type: "error", message: String((error as Error)?.message ?? error) });
  });
};

async function handle(message: ToPlayground): Promise<void> {
  switch (message.type) {
    case "setup":
      await setup(message);
      break;
    case "play":
      if (run && !run.playing && run.history.length < run.setup.config.steps && !run.error) {
        run.playing = true;
        status();
        setTimeout(() => loop(run!), 0);
      }
      break;
    case "pause":
      if (run) {
        run.playing = false;
        flush(run, true);
      }
      break;
    case "step":
      if (run && !run.playing) {
        advance(run, 1);
        flush(run, true);
      }
      break;
    case "change":
      if (run) change(run, message);
      break;
    case "weight":
      if (run) weight(run, message);
      break;
    case "point":
      if (run) point(run, message);
      break;
    case "files":
      if (run) files(run);
      break;
    case "paper":
      paper = message.paper;
      break;
    default: {
      const never: never = message;
      throw new TypeError(`Cannot handle the message: ${JSON.stringify(never)}`);
    }
  }
}

/** The colour the page draws the network on (its dark card), or none: light. */
let paper: string | undefined;

/** How many setups began: one that a newer one overtook while it waited stops there. */
let setups = 0;

async function setup(message: Extract<ToPlayground, { type: "setup" }>): Promise<void> {
  const mine = ++setups;
  if (run) run.playing = false;
  run = undefined;
  let given: PartialConfig;
  let made: RunSetup;
  try {
    given = configFromJson(message.given, "the page's settings");
    made = await setUpRun(given, { csvText: message.csvText });
  } catch (error) {
    send({ type: "error", message: (error as Error).message });
    return;
  }
  const seed = message.seed;
  const model = seed
    ? Mlp.fromJSON(seed.model)
    : new Mlp(made.nin, made.nouts, { activation: made.config.activation, seed: made.config.seed });
  const history = seed ? [...seed.history] : [];
  const r: Run = {
    setup: made,
    model,
    train: trainFrom(made, model, seed?.optimizer, history.length),
    history,
    sent: 0,
    playing: false,
    changes: [],
    lastProgress: 0,
    nextSnapshot: 0,
    nextNetwork: 0,
    info: runInfo(made),
    t0: performance.now(),
  };
  const plane = made.inputNames.length === 2 && made.config.problem === "classification";
  if (plane) {
    const { inputNames, featureNames, config } = made;
    const crossed = featureNames.join(",") !== inputNames.join(",");
    const make = gridMaker(
      model,
      gridBounds(made.points.x),
      LIVE_GRID,
      config.loss,
      crossed ? compileFeatures(featureNames, inputNames) : undefined,
    );
    r.makeGrid = () => {
      const g = make();
      return { ...g, classes: Array.from(g.classes), confidence: Array.from(g.confidence) };
    };
  }
  // The dataset pictures reach the page before its first run says it is ready (step 0), so that
  // drawing them is not in the first frames of a Play pressed at once.
  await thumbnails();
  if (mine !== setups) return;
  run = r;
  send({ type: "page", messages: [{ type: "run", info: r.info }] });
  flush(r, true);
}

/** The training generator from where the run is, with its settings as they are now. */
function trainFrom(
  setup: RunSetup,
  model: Mlp,
  optimizer: OptimizerState | undefined,
  done: number,
): TrainRun {
  const { config } = setup;
  return trainSteps(model, setup.train, {
    ...loopSettings(config),
    steps: Math.max(1, config.steps - done),
    test: setup.test,
    ...(optimizer ? { start: { step: done, optimizer } } : {}),
  });
}

/** Runs up to `count` steps; false when the run is over. */
function advance(r: Run, count: number): boolean {
  for (let i = 0; i < count; i++) {
    if (r.history.length >= r.setup.config.steps || r.error) return false;
    try {
      const next = r.train.next();
      if (next.done) return false;
      r.history.push(next.value);
    } catch (error) {
      r.error = error instanceof DivergedError ? error.message : String((error as Error).message);
      r.playing = false;
      return false;
    }
  }
  return true;
}

function loop(r: Run): void {
  if (run !== r || !r.playing) return;
  const end = performance.now() + CHUNK_MS;
  let more = true;
  while (more && performance.now() < end) more = advance(r, 1);
  if (!more) r.playing = false;
  flush(r, !more);
  if (r.playing) setTimeout(() => loop(r), 0);
}

/** Posts the new steps, a snapshot and the status, at most at the bounded rates (or now). */
function flush(r: Run, now: boolean): void {
  const t = performance.now();
  if (!now && t - r.lastProgress < PROGRESS_MS) return;
  r.lastProgress = t;
  const messages: PageMessage[] = [];
  if (r.sent < r.history.length) {
    messages.push({
      type: "progress",
      newSteps: r.history.slice(r.sent),
      done: r.history.length,
      steps: r.setup.config.steps,
      elapsedMs: t - r.t0,
    });
    r.sent = r.history.length;
  }
  if (now || t >= r.nextSnapshot) {
    const t1 = performance.now();
    // The model's Values catch up with the parameters the run trains.
    r.train.sync();
    const params = r.model.parameters();
    const grid = r.makeGrid?.();
    const t2 = performance.now();
    // The diagram is drawn here, off the page's thread: at most every NETWORK_MS, and at a stop.
    const drawNetwork = now || t >= r.nextNetwork;
    const network = drawNetwork
      ? networkSvg(r.model, networkOptions(r.info, false, paper))
      : undefined;
    const t3 = performance.now();
    // Each drawing takes at most a twentieth of the worker's time: the grid's cost sets the
    // snapshots' pace, the diagram's its own (were it to slow the grid, the plane would freeze).
    if (drawNetwork) r.nextNetwork = t3 + Math.max(NETWORK_MS, 20 * (t3 - t2));
    messages.push({
      type: "snapshot",
      snapshot: {
        step: r.history.length,
        params: params.map((p) => p.data),
        grads: params.map((p) => r.history.length === 0 ? 0 : p.grad),
      },
      timeline: false,
      ...(grid ? { grid } : {}),
      ...(network !== undefined ? { network } : {}),
    });
    r.nextSnapshot = t3 + Math.max(SNAPSHOT_MS, 20 * (t2 - t1));
  }
  if (messages.length > 0) send({ type: "page", messages });
  status();
}

function status(): void {
  const r = run;
  if (!r) return;
  const last = r.history.at(-1);
  const s: PlaygroundStatus = {
    step: r.history.length,
    steps: r.setup.config.steps,
    loss: historyCell(last?.loss),
    playing: r.playing,
    config: r.setup.config,
    command: reproduceCommand(r.setup.config),
    changes: r.changes,
    ...(r.error ? { error: r.error } : {}),
  };
  send({ type: "status", status: s });
}

/** A change of lr or penalties: the rest of the run goes on from here with it. */
function change(r: Run, m: Extract<ToPlayground, { type: "change" }>): void {
  const done = r.history.length;
  const config = { ...r.setup.config };
  for (const key of ["lr", "l1", "l2"] as const) {
    const v = m[key];
    if (v === undefined || v === config[key]) continue;
    config[key] = v;
    r.changes.push(`${key} ${v} from step ${done + 1}`);
  }
  r.setup = { ...r.setup, config };
  // The run so far ends here (its model's Values catch up); the rest starts from them.
  r.train.return();
  try {
    r.train = trainFrom(r.setup, r.model, done > 0 ? r.train.optimizer.toJSON() : undefined, done);
  } catch (error) {
    r.error = (error as Error).message;
  }
  status();
}

/** A weight (or bias) set by hand: the rest of the run goes on from the model with it. */
function weight(r: Run, m: Extract<ToPlayground, { type: "weight" }>): void {
  const neuron = r.model.layers[m.layer]?.neurons[m.neuron];
  if (!neuron || m.input > neuron.w.length) {
    send({
      type: "error",
      message: `Cannot set the weight as L${m.layer}.N${m.neuron} has no input ${m.input}`,
    });
    return;
  }
  const bias = m.input === neuron.w.length;
  // The run so far ends first (its model's Values catch up), then the weight changes.
  r.train.return();
  (bias ? neuron.b : neuron.w[m.input]).data = m.value;
  const done = r.history.length;
  const name = `L${m.layer}.N${m.neuron}.${bias ? "b" : `w${m.input}`}`;
  r.changes.push(`${name} = ${m.value} from step ${done + 1}`);
  try {
    r.train = trainFrom(r.setup, r.model, done > 0 ? r.train.optimizer.toJSON() : undefined, done);
  } catch (error) {
    r.error = (error as Error).message;
  }
  flush(r, true);
}

/** The data's points, with one added or the nearest removed, as a CSV file. */
function point(r: Run, m: Extract<ToPlayground, { type: "point" }>): void {
  const { x, y } = r.setup.points;
  const rows = x.map((row, i) => [...row, y[i]]);
  if (m.remove) {
    let best = -1;
    let bestD = Infinity;
    x.forEach((row, i) => {
      const d = row.reduce((s, v, j) => s + (v - (m.at[j] ?? 0)) ** 2, 0);
      if (d < bestD) [best, bestD] = [i, d];
    });
    if (best >= 0 && rows.length > 2) rows.splice(best, 1);
  } else {
    rows.push([...m.at.slice(0, r.setup.inputNames.length), m.label]);
  }
  const head = [...r.setup.inputNames, "label"].join(",");
  const text = [head, ...rows.map((row) => row.join(","))].join("\n") + "\n";
  send({ type: "csv", name: "points.csv", text, problem: r.setup.config.problem });
}

/** `model.json` and `history.csv` of the run as it is. */
function files(r: Run): void {
  r.train.sync();
  const { setup, model, history } = r;
  const done = history.length;
  const complete = done >= setup.config.steps;
  const { loss, problem } = setup.config;
  const t = evaluate(model, setup.train, { loss, problem });
  const final: FinalMetrics = { trainLoss: t.loss };
  if (t.accuracy !== undefined) final.trainAccuracy = t.accuracy;
  if (t.mse !== undefined) final.trainMse = t.mse;
  if (t.r2 !== undefined) final.trainR2 = t.r2;
  if (setup.test && setup.test.x.length > 0) {
    const e = evaluate(model, setup.test, { loss, problem });
    final.testLoss = e.loss;
    if (e.accuracy !== undefined) final.testAccuracy = e.accuracy;
    if (e.mse !== undefined) final.testMse = e.mse;
    if (e.r2 !== undefined) final.testR2 = e.r2;
  }
  const file = modelFileOf(setup, {
    status: complete ? "completed" : "cancelled",
    ...(complete ? {} : { stoppedAtStep: done }),
    stepsDone: done,
    final,
    wallTimeMs: performance.now() - r.t0,
    command: reproduceCommand(setup.config),
    model: model.toJSON(),
    optimizer: r.train.optimizer.toJSON(),
  });
  send({
    type: "files",
    model: JSON.stringify(file, null, 2) + "\n",
    history: historyCsv(history),
  });
}

let thumbed: Promise<void> | undefined;

/** Each built-in dataset's points, sent once, for the dataset picker's pictures. */
function thumbnails(): Promise<void> {
  return thumbed ??= sendThumbnails();
}

async function sendThumbnails(): Promise<void> {
  const out: Record<string, { x: number[][]; y: number[] }> = {};
  for (const dataset of BUILTIN_DATASETS) {
    const s = await setUpRun({ dataset, samples: 150 });
    out[dataset] = { x: s.points.x, y: s.points.y };
  }
  send({ type: "thumbnails", thumbnails: out });
}
