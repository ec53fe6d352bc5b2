/**
 * `model.json`: the trained model with everything about its run, and the
 * zod schema that checks it when `predict`, `graph` or `--resume` reads it
 * back.
 *
 * The version rule: the format tag ({@linkcode MODEL_FILE_FORMAT}) changes
 * only when a field is renamed or changes meaning. Settings are only ever
 * added, each with a default that does what the versions before it did, so
 * a file written by an earlier version (which lacks the settings added
 * since) still loads: the missing settings take their defaults, resolved
 * from the settings it has, as `train` resolves them.
 *
 * @module
 */
import { z } from "zod";
import { Mlp } from "../mod.ts";
import { BUILTIN_DATASETS } from "../mod.ts";
import { FinalMetricsSchema, MlpJsonSchema, OptimizerStateSchema } from "../workers/protocol.ts";
import { show, UsageError } from "./_errors.ts";
import { INPUT_LIMITS, readJsonFile, readTextCapped } from "./_fs.ts";
import { StoredConfigSchema, type TrainConfig } from "./config.ts";
import { resolveSettings } from "../mod.ts";

/** The format tag of `model.json`: see the version rule above. */
export const MODEL_FILE_FORMAT = "denograd.run/1";

/** The version of denograd that writes `model.json` (recorded as `version`). */
export const DENOGRAD_VERSION = "0.1.0";

/** How a run ended. */
export const RunStatusSchema = z.enum(["completed", "cancelled", "failed"]);

/** The schema of `model.json`. */
export const ModelFileSchema = z.object({
  format: z.literal(MODEL_FILE_FORMAT),
  /** The denograd version that wrote it; absent in files of 0.1.0 and before. */
  version: z.string().max(64).optional(),
  status: RunStatusSchema,
  /** For a cancelled or failed run: the step it stopped at. */
  stoppedAtStep: z.int().min(0).optional(),
  /** For a failed run: why. */
  error: z.string().optional(),
  /** `Mlp.toJSON()`; absent when a failed run left non-finite parameters. */
  model: MlpJsonSchema.optional(),
  /** The optimizer's state with that model, so that `--resume` can go on. */
  optimizer: OptimizerStateSchema.optional(),
  /** The `model.json` of the run this one resumed. */
  resumedFrom: z.string().optional(),
  parameterCount: z.int().min(0),
  /** The run's settings; those added after the file was written take their defaults. */
  config: StoredConfigSchema.transform((c): TrainConfig => resolveSettings(c)),
  dataset: z.discriminatedUnion("kind", [
    z.object({
      kind: z.literal("generated"),
      name: z.enum(BUILTIN_DATASETS),
      samples: z.int().min(1),
      noise: z.number().min(0),
      classes: z.int().min(0),
      seed: z.int(),
    }),
    z.object({
      kind: z.literal("csv"),
      file: z.string(),
      rows: z.int().min(1),
      features: z.int().min(1),
      featureNames: z.array(z.string()).optional(),
      classNames: z.array(z.string()).optional(),
    }),
  ]),
  /** The data's own input names, which `config.features` are written over. */
  inputNames: z.array(z.string()).min(1).optional(),
  /** The model's input names: the feature expressions, or the inputs. */
  featureNames: z.array(z.string()).min(1),
  /** Class names; none for regression. */
  classNames: z.array(z.string()),
  /** Loss and accuracy after the last update (absent for a failed run). */
  final: FinalMetricsSchema.optional(),
  stepsDone: z.int().min(0),
  wallTimeMs: z.number().min(0),
  createdAt: z.string(),
  command: z.string(),
  /** The per-step history, a CSV file beside this one. */
  history: z.string(),
});

/** The contents of `model.json`. */
export type ModelFile = z.infer<typeof ModelFileSchema>;

/**
 * The largest model a `model.json` may hold: above what `train` can make
 * (16 hidden layers of 1,024, as many inputs as a CSV has columns), below
 * what would exhaust memory.
 */
export const MODEL_LIMITS = {
  layers: 17,
  inputs: 1_000_000,
  width: 4096,
  parameters: 20_000_000,
} as const;

/** The model part of a `model.json`, as its schema reads it. */
type MlpJson = NonNullable<ModelFile["model"]>;

/** The weights and biases of an MLP of these layer sizes, input first: `sum (nin + 1) * nout`. */
export function countParameters(sizes: readonly number[]): number {
  let count = 0;
  for (let l = 1; l < sizes.length; l++) count += (sizes[l - 1] + 1) * sizes[l];
  return count;
}

/**
 * Checks the shapes of a model file's model against its sizes before
 * anything is built from it: every size within {@linkcode MODEL_LIMITS},
 * each layer's arrays as long as `nin` and `nouts` say, and the parameter
 * count as recorded.
 *
 * @returns a description of the first problem, or `undefined` when none.
 */
export function modelShapeProblem(model: MlpJson, parameterCount?: number): string | undefined {
  const { nin, nouts, layers } = model;
  if (nouts.length > MODEL_LIMITS.layers) {
    return `it has ${nouts.length} layers, more than the ${MODEL_LIMITS.layers} allowed`;
  }
  if (nin > MODEL_LIMITS.inputs) {
    return `'nin' is ${nin}, more than the ${MODEL_LIMITS.inputs} allowed`;
  }
  const wide = nouts.findIndex((n) => n > MODEL_LIMITS.width);
  if (wide >= 0) {
    return `'nouts[${wide}]' is ${nouts[wide]}, more than the ${MODEL_LIMITS.width} allowed`;
  }
  const widths = [nin, ...nouts];
  const count = countParameters(widths);
  if (count > MODEL_LIMITS.parameters) {
    return `it has ${count} parameters, more than the ${MODEL_LIMITS.parameters} allowed`;
  }
  if (parameterCount !== undefined && parameterCount !== count) {
    return `'parameterCount' is ${parameterCount} but the layers hold ${count}`;
  }
  if (layers.length !== nouts.length) {
    return `'layers' has ${layers.length} layers but 'nouts' names ${nouts.length}`;
  }
  for (let i = 0; i < nouts.length; i++) {
    const { weights, biases } = layers[i];
    if (weights.length !== nouts[i] || biases.length !== nouts[i]) {
      return `'layers[${i}]' must have ${
        nouts[i]
      } weight rows and biases: current counts are ${weights.length} and ${biases.length}`;
    }
    const row = weights.findIndex((w) => w.length !== widths[i]);
    if (row >= 0) {
      return `'layers[${i}].weights[${row}]' must have ${widths[i]} weights: current count is ${
        weights[row].length
      }`;
    }
  }
  return undefined;
}

/** A model file read back, with its model rebuilt. */
export interface LoadedModel {
  /** The file's contents. */
  file: ModelFile;
  /** The model it holds. */
  model: Mlp;
}

/**
 * Reads and checks `model.json`, and rebuilds its model.
 *
 * @throws {UsageError} when the file is missing, not JSON, of another shape or has no model.
 */
export async function readModelFile(
  path: string,
  command: string,
  flag = "--model",
): Promise<LoadedModel> {
  const doc = await readJsonFile(path, command, flag, INPUT_LIMITS.model);
  const parsed = ModelFileSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue.path.length ? issue.path.join(".") : "(root)";
    throw new UsageError(
      `Cannot ${command} as '${flag}' ${
        show(path)
      } is not a denograd model file: '${at}' is invalid (${issue.message})`,
    );
  }
  const file = parsed.data;
  // A failed run may keep a model with finite but huge weights: not usable.
  if (file.status === "failed" || file.model === undefined) {
    throw new UsageError(
      `Cannot ${command} as '${flag}' ${
        show(path)
      } comes from a failed run and holds no usable model`,
    );
  }
  // Sizes and shapes first: nothing is allocated for a model that is not there.
  const problem = modelShapeProblem(file.model, file.parameterCount);
  if (problem !== undefined) {
    throw new UsageError(
      `Cannot ${command} as '${flag}' ${show(path)} holds a broken model: ${problem}`,
    );
  }
  const outputs = file.model.nouts[file.model.nouts.length - 1];
  if (outputs > 1 && file.classNames.length !== outputs) {
    throw new UsageError(
      `Cannot ${command} as '${flag}' ${
        show(path)
      } is inconsistent: the model has ${outputs} outputs but ${file.classNames.length} classes are named`,
    );
  }
  let model: Mlp;
  try {
    model = Mlp.fromJSON(file.model);
  } catch (error) {
    throw new UsageError(
      `Cannot ${command} as '${flag}' ${show(path)} holds a broken model: ${
        (error as Error).message.replace(/^Cannot read the model as /, "")
      }`,
    );
  }
  if (model.nin !== file.featureNames.length) {
    throw new UsageError(
      `Cannot ${command} as '${flag}' ${
        show(path)
      } is inconsistent: the model takes ${model.nin} inputs but ${file.featureNames.length} features are named`,
    );
  }
  return { file, model };
}

/**
 * Reads a run folder's `model.json` for a command over many runs (`sweep`,
 * `compare`): the file checked against the format, model or none. `what`
 * names it in messages ("the run 'runs/x/model.json'").
 *
 * @throws {UsageError} when the file is missing, not JSON or not a run file.
 */
export async function readRunFile(path: string, verb: string, what: string): Promise<ModelFile> {
  const fail = (why: string) => new UsageError(`Cannot ${verb} as ${why}`);
  const text = await readTextCapped(path, 64 * 2 ** 20, { verb, what });
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw fail(`${what} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = ModelFileSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw fail(
      `${what} is not a denograd run: '${
        issue.path.join(".") || "(root)"
      }' is invalid (${issue.message})`,
    );
  }
  return parsed.data;
}
