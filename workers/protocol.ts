/**
 * The messages between the CLI and the training worker: a discriminated
 * union on `type` each way, with zod schemas that both sides use to check
 * what they receive. Only plain data crosses threads.
 *
 * @module
 */
import { z } from "zod";
import type { MlpJson, OptimizerState, ScopeSettings, SettingKey, TrainSettings } from "../mod.ts";
import {
  ACTIVATIONS,
  checkSetting,
  resolveSettings,
  SETTING_KEYS,
  settingProblem,
  SETTINGS,
} from "../mod.ts";

const finite = z.number();
const count = z.int().min(0);

/**
 * The zod schema of one setting: the table's one check ({@linkcode settingProblem}),
 * whose message becomes the issue's, and the value as the run uses it.
 */
function schemaOfSetting(key: SettingKey): z.ZodType {
  return z.unknown().transform((value, ctx) => {
    const problem = settingProblem(key, value);
    if (problem === undefined) return checkSetting(key, value);
    ctx.addIssue({ code: "custom", message: problem });
    return z.NEVER;
  });
}

/** A schema made from the table, with the type the table gives its values. */
function typed<T>(schema: z.ZodType): z.ZodType<T> {
  return schema as z.ZodType<T>;
}

const SCHEMAS = Object.fromEntries(
  SETTING_KEYS.map((k) => [k, schemaOfSetting(k)]),
) as Record<SettingKey, z.ZodType>;

/** The zod schema of one setting of the table in `nn/train/settings.ts`. */
export function settingSchema<K extends SettingKey>(key: K): z.ZodType<TrainSettings[K]> {
  return typed(SCHEMAS[key]);
}

/** The schema of every setting, resolved, as `model.json` stores them under `config`. */
export const TrainSettingsSchema: z.ZodType<TrainSettings> = typed(z.strictObject(SCHEMAS));

/** Some of the settings, each checked as in {@linkcode TrainSettingsSchema}; no unknown key. */
export const PartialSettingsSchema: z.ZodType<Partial<TrainSettings>> = typed(
  z.strictObject(SCHEMAS).partial(),
);

/** A dataset as plain arrays. */
export const DatasetSchema: z.ZodType<DatasetMessage> = z.object({
  x: z.array(z.array(finite)),
  y: z.array(finite),
  classes: z.int().min(0).refine((k) => k !== 1, "a classification needs at least 2 classes"),
}).refine(
  (d) => d.classes === 0 || d.y.every((c) => Number.isInteger(c) && c >= 0 && c < d.classes),
  { message: "each label must be a class from 0 to classes - 1", path: ["y"] },
);

/** A dataset as it crosses threads. */
export interface DatasetMessage {
  /** Feature vectors. */
  x: number[][];
  /** Class labels from 0, or real targets for regression. */
  y: number[];
  /** How many classes; 0 for regression. */
  classes: number;
}

/** The settings the worker uses: those of the model and of the training loop. */
const SPEC_KEYS = SETTING_KEYS.filter((k) => SETTINGS[k].scope !== "data" || k === "problem");

/** The settings of {@linkcode SPEC_KEYS}. */
type SpecSettings =
  & ScopeSettings<"model" | "train">
  & Pick<TrainSettings, "problem">;

/** An optimizer's state, as `Optimizer.toJSON()` gives it. */
export const OptimizerStateSchema: z.ZodType<OptimizerState> = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("sgd"),
    lr: finite,
    momentum: finite,
    nesterov: z.boolean(),
    weightDecay: finite,
    steps: count,
    buffers: z.array(finite),
  }),
  z.object({
    type: z.literal("adam"),
    lr: finite,
    beta1: finite,
    beta2: finite,
    eps: finite,
    weightDecay: finite,
    decoupled: z.boolean(),
    steps: count,
    m: z.array(finite),
    v: z.array(finite),
  }),
]);

/** Everything the worker needs to build and train the model. */
export interface TrainSpec extends SpecSettings {
  /** The model's inputs. */
  nin: number;
  /** Every layer's size, the outputs last. */
  nouts: number[];
  /** The data's raw input names. */
  inputs: string[];
  /** The model's inputs as expressions over `inputs` (the inputs themselves when no crosses). */
  features: string[];
  /** Where a resumed run starts: its weights, optimizer state and steps done. */
  resume?: { model: MlpJson; optimizer: OptimizerState; stepsDone: number };
}

/** The schema of {@linkcode TrainSpec}. */
export const TrainSpecSchema: z.ZodType<TrainSpec> = typed(z.object({
  ...Object.fromEntries(SPEC_KEYS.map((k) => [k, SCHEMAS[k]])),
  nin: z.int().min(1),
  nouts: z.array(z.int().min(1)).min(1),
  inputs: z.array(z.string()).min(1),
  features: z.array(z.string()).min(1),
  resume: z.object({
    model: z.lazy(() => MlpJsonSchema),
    optimizer: OptimizerStateSchema,
    stepsDone: count,
  }).optional(),
}));

/**
 * The spec of a run: the model and training settings picked from the whole
 * table, and the model's shape.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveSettings } from "../mod.ts";
 * import { makeTrainSpec } from "./protocol.ts";
 * const spec = makeTrainSpec(resolveSettings({}), {
 *   nin: 2, nouts: [16, 16, 1], inputs: ["x1", "x2"], features: ["x1", "x2"],
 * }));
 * assert.equal(spec.lr, 1);
 * assert.equal("dataset" in spec, false);
 * ```
 */
export function makeTrainSpec(
  settings: TrainSettings,
  shape: Pick<TrainSpec, "nin" | "nouts" | "inputs" | "features" | "resume">,
): TrainSpec {
  const picked = Object.fromEntries(SPEC_KEYS.map((k) => [k, settings[k]])) as SpecSettings;
  return { ...picked, ...shape };
}

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
  /** The square of the input plane that grids span (the raw inputs' extent, for feature crosses). */
  plane: z.object({ xMin: finite, xMax: finite, yMin: finite, yMax: finite }).optional(),
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
  step: z.int().min(1),
  loss: finite,
  dataLoss: finite,
  accuracy: z.number().min(0).max(1).optional(),
  mse: finite.optional(),
  r2: finite.optional(),
  lr: finite,
  testLoss: finite.optional(),
  testAccuracy: z.number().min(0).max(1).optional(),
  testMse: finite.optional(),
  testR2: finite.optional(),
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
  trainAccuracy: z.number().min(0).max(1).optional(),
  trainMse: finite.optional(),
  trainR2: finite.optional(),
  testLoss: finite.optional(),
  testAccuracy: z.number().min(0).max(1).optional(),
  testMse: finite.optional(),
  testR2: finite.optional(),
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
  activation: z.enum(ACTIVATIONS),
  outputActivation: z.enum(ACTIVATIONS),
  layers: z.array(z.object({ weights: z.array(z.array(finite)), biases: z.array(finite) })),
});

/** Worker to main: training ended, completed or cancelled. */
export const DoneMessageSchema = z.object({
  type: z.literal("done"),
  status: z.enum(["completed", "cancelled"]),
  /** Steps done (the step a cancelled run stopped at). */
  stepsDone: count,
  model: MlpJsonSchema,
  /** The optimizer's state, so that a later run can resume this one. */
  optimizer: OptimizerStateSchema.optional(),
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
  /** The optimizer's state with that model. */
  optimizer: OptimizerStateSchema.optional(),
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
  const step = { step: 1, loss: 1, dataLoss: 1, accuracy: 0.5, lr: 0.1 };
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
    spec: makeTrainSpec(resolveSettings({}), {
      nin: 1,
      nouts: [1],
      inputs: ["x1"],
      features: ["x1"],
    }),
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
    optimizer: {
      type: "sgd",
      lr: 1,
      momentum: 0,
      nesterov: false,
      weightDecay: 0,
      steps: 1,
      buffers: [],
    },
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
