/**
 * The messages between the playground page and its training worker: a
 * discriminated union on `type` each way, with zod schemas that the
 * receiving side checks. Only plain data crosses: settings, numbers, text.
 *
 * @module
 */
import { z } from "zod";
import { MlpJsonSchema, OptimizerStateSchema, StepSchema } from "../../workers/protocol.ts";
import { HEX_COLOUR, type TrainSettings } from "../../mod.ts";
import type { PageMessage } from "./data.ts";

/** Settings as the page gives them: config keys, as given (the worker checks each). */
const GivenSchema = z.record(z.string(), z.unknown());

/** A run to go on from: the report's model, its optimizer and its history. */
export const SeedRunSchema = z.object({
  model: MlpJsonSchema,
  optimizer: OptimizerStateSchema,
  history: z.array(StepSchema),
});

/** Page to worker: messages and their schemas. */
export const ToPlaygroundSchema = z.discriminatedUnion("type", [
  /** Make the data and the model from these settings, at step 0 (or from `seed`). */
  z.object({
    type: z.literal("setup"),
    given: GivenSchema,
    csvText: z.string().optional(),
    seed: SeedRunSchema.optional(),
  }),
  /** Train until the run's `steps`. */
  z.object({ type: z.literal("play") }),
  /** Stop after the current step. */
  z.object({ type: z.literal("pause") }),
  /** One step. */
  z.object({ type: z.literal("step") }),
  /** Change the learning rate or the penalties from the next step on. */
  z.object({
    type: z.literal("change"),
    lr: z.number().optional(),
    l1: z.number().optional(),
    l2: z.number().optional(),
  }),
  /**
   * Set one parameter of the model (the bias when `input` is the neuron's
   * input count) from the next step on; recorded in the run's changes.
   */
  z.object({
    type: z.literal("weight"),
    layer: z.number().int().nonnegative(),
    neuron: z.number().int().nonnegative(),
    input: z.number().int().nonnegative(),
    value: z.number(),
  }),
  /** Add a point of `label` at `at` (or, with `remove`, remove the nearest): answered by `csv`. */
  z.object({
    type: z.literal("point"),
    at: z.array(z.number()),
    label: z.number(),
    remove: z.boolean(),
  }),
  /** The run's files as they are: answered by `files`. */
  z.object({ type: z.literal("files") }),
  /** The colour the network diagram is drawn on from now (the page's dark card), or none (light). */
  z.object({ type: z.literal("paper"), paper: z.string().regex(HEX_COLOUR).optional() }),
]);

/** A message to the worker. */
export type ToPlayground = z.infer<typeof ToPlaygroundSchema>;

/** Where the run is, after each batch of steps. */
export interface PlaygroundStatus {
  /** Steps done. */
  step: number;
  /** Steps the run trains to. */
  steps: number;
  /** The last step's loss, as `history.csv` writes it; empty before the first step. */
  loss: string;
  /** Whether it is training. */
  playing: boolean;
  /** Every setting, defaults filled in (the controls show them). */
  config: TrainSettings;
  /** The `deno task train ...` command that reruns it. */
  command: string;
  /** Changes made mid-run, one line each ("lr 0.1 from step 31"). */
  changes: string[];
  /** Why it stopped, when it failed. */
  error?: string;
}

/** Worker to page. */
export type FromPlayground =
  /** What the view shows, as a live run sends it. */
  | { type: "page"; messages: PageMessage[] }
  | { type: "status"; status: PlaygroundStatus }
  /** The settings cannot make a run: one line. */
  | { type: "error"; message: string }
  /** The data with a point added or removed, as a CSV file. */
  | { type: "csv"; name: string; text: string; problem: "classification" | "regression" }
  /** `model.json`, `history.csv` and the data's CSV, as the CLI writes them. */
  | { type: "files"; model: string; history: string }
  /** Points of each built-in dataset, for the thumbnails. */
  | { type: "thumbnails"; thumbnails: Record<string, { x: number[][]; y: number[] }> };

/** Checks a message to the worker. */
export function parseToPlayground(data: unknown): ToPlayground {
  return ToPlaygroundSchema.parse(data);
}
