/**
 * The messages between the CLI and the training worker: a discriminated
 * union on `type` each way, with zod schemas that both sides use to check
 * what they receive. Only plain data crosses threads.
 *
 * @module
 */
import { z } from "zod";

const finite = z.number();
const count = z.int().min(0);

/** A dataset as plain arrays. */
export const DatasetSchema: z.ZodType<DatasetMessage> = z.object({
  x: z.array(z.array(finite)),
  y: z.array(count),
  classes: z.int().min(2),
});

/** A dataset as it crosses threads. */
export interface DatasetMessage {
  /** Feature vectors. */
  x: number[][];
  /** Class labels from 0. */
  y: number[];
  /** How many classes. */
  classes: number;
}

/** Everything the worker needs to build and train the model. */
export const TrainSpecSchema = z.object({
  nin: z.int().min(1),
  nouts: z.array(z.int().min(1)).min(1),
  activation: z.enum(["relu", "tanh", "sigmoid", "linear"]),
  loss: z.enum(["svm", "mse", "bce", "ce"]),
  optimizer: z.enum(["sgd", "momentum", "adam", "adamw"]),
  lr: z.number().positive(),
  lrSchedule: z.enum(["constant", "linear", "cosine"]),
  steps: z.int().min(1),
  batchSize: count,
  l2: z.number().min(0),
  seed: z.int(),
  engine: z.enum(["compiled", "value"]),
});

/** What the worker trains, from {@linkcode TrainSpecSchema}. */
export type TrainSpec = z.infer<typeof TrainSpecSchema>;

/**
 * Which snapshots of the model the worker sends while it trains: the
 * report's timeline (`timeline` moments, dense early, see `timelineSteps` in
 * `workers/snapshots.ts`) and, for a live page, one every `liveMs`
 * milliseconds with a fresh decision grid.
 */
export const WatchSchema = z.object({
  /** How many moments of the run the timeline keeps; 0 for none. */
  timeline: z.int().min(0).max(200),
  /** Milliseconds between two live snapshots; 0 for none. */
  liveMs: z.number().min(0),
});

/** Which snapshots the worker sends, from {@linkcode WatchSchema}. */
export type Watch = z.infer<typeof WatchSchema>;

/** Main to worker: train this model on this data. */
export const StartMessageSchema = z.object({
  type: z.literal("start"),
  spec: TrainSpecSchema,
  train: DatasetSchema,
  test: DatasetSchema.optional(),
  /** Cells per side of the decision-boundary grid (2-D data only); 0 for none. */
  grid: z.int().min(0).max(400),
  /** Milliseconds of training between two yields to the event loop. */
  chunkMs: z.number().positive().max(10_000),
  /** Snapshots of the model to send as it trains (see {@linkcode WatchSchema}); none by default. */
  watch: WatchSchema.optional(),
});

/** Main to worker: stop after the current step and send what was trained. */
export const CancelMessageSchema = z.object({ type: z.literal("cancel") });

/** Every message the worker accepts. */
export const ToWorkerSchema = z.discriminatedUnion("type", [
  StartMessageSchema,
  CancelMessageSchema,
]);

/** A start message. */
export type StartMessage = z.infer<typeof StartMessageSchema>;
/** A cancel message. */
export type CancelMessage = z.infer<typeof CancelMessageSchema>;
/** Every message the worker accepts. */
export type ToWorker = z.infer<typeof ToWorkerSchema>;

/** One step's metrics, as `trainSteps` yields them. */
export const StepSchema = z.object({
  step: count,
  loss: finite,
  dataLoss: finite,
  accuracy: z.number().min(0).max(1),
  lr: finite,
  testLoss: finite.optional(),
  testAccuracy: z.number().min(0).max(1).optional(),
});

/** One step's metrics. */
export type Step = z.infer<typeof StepSchema>;

/**
 * Worker to main: sent once per chunk of steps. It carries every step since
 * the previous progress message, so the main thread builds the history (and
 * checks it) while the worker trains on, and `done` need not carry it.
 */
export const ProgressMessageSchema = z.object({
  type: z.literal("progress"),
  /** The latest step. */
  metrics: StepSchema,
  /** Every step since the previous progress message, `metrics` last. */
  newSteps: z.array(StepSchema).min(1),
  /** Steps done so far. */
  done: count,
  /** Steps asked for. */
  steps: z.int().min(1),
  /** Milliseconds since training began. */
  elapsedMs: z.number().min(0),
});

/** The model's loss and accuracy after the last update. */
export const FinalMetricsSchema = z.object({
  trainLoss: finite,
  trainAccuracy: z.number().min(0).max(1),
  testLoss: finite.optional(),
  testAccuracy: z.number().min(0).max(1).optional(),
});

/** The model's loss and accuracy after the last update. */
export type FinalMetrics = z.infer<typeof FinalMetricsSchema>;

/**
 * The model's prediction over a `size` by `size` grid spanning
 * `[xMin, xMax] × [yMin, yMax]`, row by row from `yMin`: the class of each
 * cell and how sure the model is (0 to 1).
 */
export const GridSchema = z.object({
  size: z.int().min(2),
  xMin: finite,
  xMax: finite,
  yMin: finite,
  yMax: finite,
  /** The predicted class per cell, row by row from yMin (typed, so it transfers without a copy). */
  classes: z.instanceof(Uint8Array),
  /** How sure the model is per cell, from 0 to 1. */
  confidence: z.instanceof(Float64Array),
}).refine(
  (g) => g.classes.length === g.size * g.size && g.confidence.length === g.size * g.size,
  { message: "classes and confidence must have size * size cells", path: ["classes"] },
);

/** A decision-boundary grid, from {@linkcode GridSchema}. */
export type Grid = z.infer<typeof GridSchema>;

/** The model as `Mlp.toJSON()` gives it (checked in full by `Mlp.fromJSON`). */
export const MlpJsonSchema = z.object({
  format: z.literal("denograd.mlp/1"),
  nin: z.int().min(1),
  nouts: z.array(z.int().min(1)).min(1),
  activation: z.enum(["relu", "tanh", "sigmoid", "linear"]),
  outputActivation: z.enum(["relu", "tanh", "sigmoid", "linear"]),
  layers: z.array(z.object({ weights: z.array(z.array(finite)), biases: z.array(finite) })),
});

/** Worker to main: training ended, completed or cancelled. */
export const DoneMessageSchema = z.object({
  type: z.literal("done"),
  status: z.enum(["completed", "cancelled"]),
  /** Steps done (the step a cancelled run stopped at). */
  stepsDone: count,
  model: MlpJsonSchema,
  final: FinalMetricsSchema,
  grid: GridSchema.optional(),
  elapsedMs: z.number().min(0),
});

/** Worker to main: training failed. */
export const ErrorMessageSchema = z.object({
  type: z.literal("error"),
  /** `diverged` for a non-finite loss, `exception` for anything else. */
  kind: z.enum(["diverged", "exception"]),
  message: z.string(),
  stack: z.string().optional(),
  /** The step that failed. */
  step: count,
  /** The model as it was, when every parameter is still finite. */
  model: MlpJsonSchema.optional(),
  elapsedMs: z.number().min(0),
});

/**
 * Worker to main: the model's parameters (and their grads) after `step`
 * updates, in the order of `Mlp.parameters()`. Step 0 is the model before
 * training. Typed arrays, so they transfer without a copy.
 */
export const SnapshotMessageSchema = z.object({
  type: z.literal("snapshot"),
  /** Updates applied so far: 0 before training, `steps` at the end. */
  step: count,
  params: z.instanceof(Float64Array),
  /** The grads of the last step's loss (zeros at step 0). */
  grads: z.instanceof(Float64Array),
  /** Whether this is one of the timeline's moments (else a live snapshot only). */
  timeline: z.boolean(),
  /** The decision grid at this step, for live snapshots over 2-D data. */
  grid: GridSchema.optional(),
});

/** A snapshot message. */
export type SnapshotMessage = z.infer<typeof SnapshotMessageSchema>;

/** Worker to main: the worker has loaded and listens; sent once, before anything else. */
export const ReadyMessageSchema = z.object({ type: z.literal("ready") });

/** Every message the worker sends. */
export const FromWorkerSchema = z.discriminatedUnion("type", [
  ReadyMessageSchema,
  ProgressMessageSchema,
  SnapshotMessageSchema,
  DoneMessageSchema,
  ErrorMessageSchema,
]);

/** A ready message. */
export type ReadyMessage = z.infer<typeof ReadyMessageSchema>;
/** A progress message. */
export type ProgressMessage = z.infer<typeof ProgressMessageSchema>;
/** A done message. */
export type DoneMessage = z.infer<typeof DoneMessageSchema>;
/** An error message. */
export type ErrorMessage = z.infer<typeof ErrorMessageSchema>;
/** Every message the worker sends. */
export type FromWorker = z.infer<typeof FromWorkerSchema>;

/** A message that failed its schema. */
export class ProtocolError extends TypeError {
  /** Makes the error from the first issue zod found. */
  constructor(side: string, error: z.ZodError) {
    const issue = error.issues[0];
    const path = issue?.path.length ? issue.path.join(".") : "(root)";
    super(`Cannot accept a message ${side} as '${path}' is invalid: ${issue?.message}`);
    this.name = "ProtocolError";
  }
}

/**
 * Checks a message the worker received.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseToWorker } from "./protocol.ts";
 * assert.deepEqual(parseToWorker({ type: "cancel" }), { type: "cancel" });
 * assert.throws(() => parseToWorker({ type: "stop" }), TypeError);
 * ```
 *
 * @throws {ProtocolError} when `data` is not a valid message.
 */
export function parseToWorker(data: unknown): ToWorker {
  const r = ToWorkerSchema.safeParse(data);
  if (!r.success) throw new ProtocolError("from the main thread", r.error);
  return r.data;
}

/**
 * Checks a message the main thread received.
 *
 * @throws {ProtocolError} when `data` is not a valid message.
 */
export function parseFromWorker(data: unknown): FromWorker {
  const r = FromWorkerSchema.safeParse(data);
  if (!r.success) throw new ProtocolError("from the worker", r.error);
  return r.data;
}

/**
 * Runs every schema once on a tiny valid message, so that zod's first real
 * check (of a large start or done message) does not pay for its set-up.
 * Both sides call it while the worker loads, where it overlaps other work.
 */
export function warmUpSchemas(): void {
  const step = { step: 0, loss: 1, dataLoss: 1, accuracy: 0.5, lr: 0.1 };
  const model = {
    format: "denograd.mlp/1",
    nin: 1,
    nouts: [1],
    activation: "relu",
    outputActivation: "linear",
    layers: [{ weights: [[0]], biases: [0] }],
  };
  parseToWorker({
    type: "start",
    spec: {
      nin: 1,
      nouts: [1],
      activation: "relu",
      loss: "svm",
      optimizer: "sgd",
      lr: 1,
      lrSchedule: "linear",
      steps: 1,
      batchSize: 0,
      l2: 0,
      seed: 0,
      engine: "compiled",
    },
    train: { x: [[0], [1]], y: [0, 1], classes: 2 },
    grid: 0,
    chunkMs: 50,
  });
  parseToWorker({ type: "cancel" });
  parseFromWorker({ type: "ready" });
  parseFromWorker({
    type: "progress",
    metrics: step,
    newSteps: [step],
    done: 1,
    steps: 1,
    elapsedMs: 0,
  });
  parseFromWorker({
    type: "done",
    status: "completed",
    stepsDone: 1,
    model,
    final: { trainLoss: 1, trainAccuracy: 0.5 },
    grid: {
      size: 2,
      xMin: 0,
      xMax: 1,
      yMin: 0,
      yMax: 1,
      classes: new Uint8Array(4),
      confidence: new Float64Array(4),
    },
    elapsedMs: 0,
  });
  parseFromWorker({ type: "error", kind: "diverged", message: "", step: 0, model, elapsedMs: 0 });
}
