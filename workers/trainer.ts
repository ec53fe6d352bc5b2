/**
 * The training worker. Start it as a module worker with no permissions; send
 * it a `start` message and, to stop early, a `cancel` message. It trains in
 * chunks of about `chunkMs` milliseconds and yields to its event loop between
 * chunks, so a cancel arrives within one chunk.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { type Dataset, DivergedError, evaluate, loopSettings, Mlp, trainSteps } from "../mod.ts";
import { decisionGrid } from "./grid.ts";
import type { TrainOptions } from "../nn/train.ts";
import {
  type DoneMessage,
  type ErrorMessage,
  type FinalMetrics,
  type FromWorker,
  parseToWorker,
  type StartMessage,
  type Step,
  warmUpSchemas,
} from "./protocol.ts";

let cancelled = false;
let started = false;

function send(message: FromWorker, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

self.onmessage = (event: MessageEvent<unknown>) => {
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
      if (started) return;
      started = true;
      train(message).catch((error) => {
        send({
          type: "error",
          kind: "exception",
          message: String((error as Error)?.message ?? error),
          stack: (error as Error)?.stack,
          step: 0,
          elapsedMs: 0,
        });
      });
      break;
    case "cancel":
      cancelled = true;
      break;
    default: {
      const never: never = message;
      throw new TypeError(`Cannot handle the message: ${JSON.stringify(never)}`);
    }
  }
};

warmUpSchemas();
send({ type: "ready" });

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
  try {
    let finished = false;
    while (!finished && !cancelled) {
      const chunkEnd = performance.now() + start.chunkMs;
      do {
        const next = steps.next();
        if (next.done) {
          finished = true;
          break;
        }
        history.push(next.value);
      } while (performance.now() < chunkEnd);
      sendProgress();
      if (!finished) await yieldToEventLoop();
    }
  } catch (error) {
    sendProgress();
    const diverged = error instanceof DivergedError;
    const failure: ErrorMessage = {
      type: "error",
      kind: diverged ? "diverged" : "exception",
      message: String((error as Error)?.message ?? error),
      stack: diverged ? undefined : (error as Error)?.stack,
      // The step that failed, numbered as the whole run numbers it (from 1).
      step: diverged ? error.step : before + history.length + 1,
      elapsedMs: performance.now() - t0,
    };
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
  if (start.grid > 0 && spec.nin === 2 && spec.inputs.length === 2) {
    done.grid = decisionGrid(model, start, spec.loss);
  }
  // The grid's typed arrays move to the main thread without a copy.
  send(done, done.grid ? [done.grid.classes.buffer, done.grid.confidence.buffer] : []);
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
