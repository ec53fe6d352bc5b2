/**
 * The training worker. Start it as a module worker with no permissions; send
 * it a `start` message and, to stop early, a `cancel` message. (Imported
 * rather than started, it serves a port instead: {@linkcode serveTrainer}.) It trains in
 * chunks of about `chunkMs` milliseconds and yields to its event loop between
 * chunks, so a cancel arrives within one chunk. Once a run has ended (its
 * `done` or `error` sent), the worker takes another `start`, so a sweep
 * reuses one worker for many trials.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import {
  compileFeatures,
  type Dataset,
  DivergedError,
  evaluate,
  type Features,
  loopSettings,
  Mlp,
  trainSteps,
} from "../mod.ts";
import { decisionGrid, gridBounds, gridMaker } from "./grid.ts";
import { timelineSteps } from "./snapshots.ts";
import type { TrainOptions } from "../nn/train/train.ts";
import {
  type DoneMessage,
  type ErrorMessage,
  type FinalMetrics,
  type FromWorker,
  type Grid,
  parseToWorker,
  type SnapshotMessage,
  type StartMessage,
  type Step,
  warmUpSchemas,
} from "./protocol.ts";

let cancelled = false;
/** Whether a run is going on: a start then is ignored; once it ended, the worker takes another. */
let running = false;

/** Where the trainer's messages come from and go: the worker's own scope, or a port. */
export interface TrainerEndpoint {
  /** Posts a message to the trainer's client. */
  postMessage(message: unknown, transfer: Transferable[]): void;
  /** Called with each message from the client. */
  onmessage: ((event: MessageEvent<unknown>) => void) | null;
}

let endpoint: TrainerEndpoint | undefined;

function send(message: FromWorker, transfer: Transferable[] = []): void {
  endpoint!.postMessage(message, transfer);
}

/**
 * Serves the training protocol on `port` (at most one per thread): the
 * worker's own scope when this module is a worker's entry, or one end of a
 * `MessageChannel` for a trainer in the calling thread, which a thread that
 * is itself a worker (a sweep's trial worker) uses, as a worker started from
 * a worker takes about half a second to start in Deno.
 */
export function serveTrainer(port: TrainerEndpoint): void {
  endpoint = port;
  port.onmessage = onMessage;
  warmUpSchemas();
  send({ type: "ready" });
}

function onMessage(event: MessageEvent<unknown>): void {
  let message;
  try {
    message = parseToWorker(event.data);
  } catch (error) {
    send({
      type: "error",
      kind: "exception",
      message: (error as Error).message,
      step: 0,
      elapsedMs: 0,
    });
    return;
  }
  switch (message.type) {
    case "start":
      if (running) return;
      running = true;
      cancelled = false;
      train(message).catch((error) => {
        send({
          type: "error",
          kind: "exception",
          message: String((error as Error)?.message ?? error),
          stack: (error as Error)?.stack,
          step: 0,
          elapsedMs: 0,
        });
      }).finally(() => running = false);
      break;
    case "cancel":
      cancelled = true;
      break;
    default: {
      const never: never = message;
      throw new TypeError(`Cannot handle the message: ${JSON.stringify(never)}`);
    }
  }
}

if (import.meta.main) serveTrainer(self as unknown as TrainerEndpoint);

/** Lets queued messages (a cancel) in. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function allFinite(model: Mlp): boolean {
  return model.parameters().every((p) => Number.isFinite(p.data));
}

async function train(start: StartMessage): Promise<void> {
  const { spec } = start;
  const t0 = performance.now();
  const model = spec.resume
    ? Mlp.fromJSON(spec.resume.model)
    : new Mlp(spec.nin, spec.nouts, { activation: spec.activation, seed: spec.seed });
  const trainSet: Dataset = start.train;
  const before = spec.resume?.stepsDone ?? 0;
  const options: TrainOptions = {
    ...loopSettings(spec),
    test: start.test,
    ...(spec.resume ? { start: { step: before, optimizer: spec.resume.optimizer } } : {}),
  };
  const history: Step[] = [];
  let sent = 0;
  /** Sends the steps not sent yet, if any. */
  const sendProgress = () => {
    if (sent === history.length) return;
    send({
      type: "progress",
      metrics: history[history.length - 1],
      newSteps: history.slice(sent),
      done: history.length,
      steps: spec.steps,
      elapsedMs: performance.now() - t0,
    });
    sent = history.length;
  };
  const steps = trainSteps(model, trainSet, options);
  const watcher = makeWatcher(model, start, () => steps.sync());
  try {
    let finished = false;
    watcher.after(0);
    while (!finished && !cancelled) {
      const chunkEnd = performance.now() + start.chunkMs;
      do {
        const next = steps.next();
        if (next.done) {
          finished = true;
          break;
        }
        history.push(next.value);
        watcher.after(history.length);
      } while (performance.now() < chunkEnd);
      sendProgress();
      watcher.live(history.length);
      if (!finished) await yieldToEventLoop();
    }
    // A cancelled run ends here: its model's Values catch up.
    steps.return();
    watcher.end(history.length);
  } catch (error) {
    sendProgress();
    const failure = errorMessage(error, before + history.length + 1, t0);
    if (allFinite(model)) {
      failure.model = model.toJSON();
      failure.optimizer = steps.optimizer.toJSON();
    }
    send(failure);
    return;
  }
  const elapsedMs = performance.now() - t0;
  const done: DoneMessage = {
    type: "done",
    status: history.length < spec.steps ? "cancelled" : "completed",
    stepsDone: history.length,
    model: model.toJSON(),
    optimizer: steps.optimizer.toJSON(),
    final: finalMetrics(model, start),
    elapsedMs,
  };
  if (planeGridded(start)) {
    done.grid = decisionGrid(model, start, spec.loss, planeFeatures(start));
  }
  // The grid's typed arrays move to the main thread without a copy.
  send(done, done.grid ? [done.grid.classes.buffer, done.grid.confidence.buffer] : []);
}

/** The error message of a run that threw: a divergence at its step, anything else at `failedStep`. */
function errorMessage(error: unknown, failedStep: number, t0: number): ErrorMessage {
  const diverged = error instanceof DivergedError;
  return {
    type: "error",
    kind: diverged ? "diverged" : "exception",
    message: String((error as Error)?.message ?? error),
    stack: diverged ? undefined : (error as Error)?.stack,
    // The step that failed, numbered as the whole run numbers it (from 1).
    step: diverged ? error.step : failedStep,
    elapsedMs: performance.now() - t0,
  };
}

/** Whether the run has a decision grid: classification over a 2-D input plane. */
function planeGridded(start: StartMessage): boolean {
  return start.grid > 0 && start.spec.inputs.length === 2 &&
    start.spec.problem === "classification";
}

/** The model's inputs from a point of the plane, when they are feature crosses. */
function planeFeatures(start: StartMessage): Features | undefined {
  const { inputs, features } = start.spec;
  const raw = features.length === inputs.length && features.every((f, i) => f === inputs[i]);
  return raw ? undefined : compileFeatures(features, inputs);
}

/** Cells per side of the live view's grid (the report's is `start.grid`). */
const LIVE_GRID = 60;

/**
 * Sends the snapshots that `start.watch` asks for: the timeline's moments
 * (`after`, called after each update) and live ones with a fresh grid
 * (`live`, called between chunks) every `liveMs`, or less often when a grid
 * takes long, so that the live view costs at most about 5% of training.
 * Each snapshot first calls `sync` (the run's `sync()`), which brings the
 * model's `Value`s up to date with the parameters the run trains.
 */
function makeWatcher(model: Mlp, start: StartMessage, sync: () => void) {
  const watch = start.watch ?? { timeline: 0, liveMs: 0 };
  const moments = timelineSteps(start.spec.steps, watch.timeline);
  const params = model.parameters();
  const gridded = watch.liveMs > 0 && planeGridded(start);
  const makeGrid = gridded
    ? gridMaker(
      model,
      start.plane ?? gridBounds([...start.train.x, ...(start.test?.x ?? [])]),
      Math.min(LIVE_GRID, start.grid),
      start.spec.loss,
      planeFeatures(start),
    )
    : undefined;
  let next = 0;
  let lastTimeline = -1;
  let nextLive = performance.now() + watch.liveMs;
  const snap = (step: number, timeline: boolean, grid?: Grid) => {
    sync();
    const message: SnapshotMessage = {
      type: "snapshot",
      step,
      params: Float64Array.from(params, (p) => p.data),
      grads: Float64Array.from(params, (p) => step === 0 ? 0 : p.grad),
      timeline,
      ...(grid ? { grid } : {}),
    };
    const transfer: Transferable[] = [message.params.buffer, message.grads.buffer];
    if (grid) transfer.push(grid.classes.buffer, grid.confidence.buffer);
    send(message, transfer);
    if (timeline) lastTimeline = step;
  };
  return {
    after(step: number): void {
      while (next < moments.length && moments[next] < step) next++;
      if (moments[next] === step) snap(step, true);
    },
    live(step: number): void {
      if (watch.liveMs <= 0 || performance.now() < nextLive) return;
      const t0 = performance.now();
      sync();
      const grid = makeGrid?.();
      const cost = performance.now() - t0;
      snap(step, false, grid);
      nextLive = performance.now() + Math.max(watch.liveMs, 20 * cost);
    },
    /** The last moment of a cancelled run joins the timeline too. */
    end(step: number): void {
      if (watch.timeline > 0 && lastTimeline !== step) snap(step, true);
    },
  };
}

function finalMetrics(model: Mlp, start: StartMessage): FinalMetrics {
  const { loss, problem } = start.spec;
  const t = evaluate(model, start.train, { loss, problem });
  const out: FinalMetrics = { trainLoss: t.loss };
  if (t.accuracy !== undefined) out.trainAccuracy = t.accuracy;
  if (t.mse !== undefined) out.trainMse = t.mse;
  if (t.r2 !== undefined) out.trainR2 = t.r2;
  if (start.test !== undefined && start.test.x.length > 0) {
    const e = evaluate(model, start.test, { loss, problem });
    out.testLoss = e.loss;
    if (e.accuracy !== undefined) out.testAccuracy = e.accuracy;
    if (e.mse !== undefined) out.testMse = e.mse;
    if (e.r2 !== undefined) out.testR2 = e.r2;
  }
  return out;
}
