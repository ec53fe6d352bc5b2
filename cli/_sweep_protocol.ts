/**
 * The messages between `sweep` and its trial workers (`_sweep_worker.ts`):
 * a discriminated union on `type` each way, checked with zod on arrival.
 * A trial worker runs whole trials (the `train` command) one after another.
 *
 * @module
 */
import { z } from "zod";

/** Main to trial worker: run one trial, the `train` command with `args`. */
export const TrialMessageSchema = z.object({
  type: z.literal("trial"),
  /** The trial's index in the plan. */
  index: z.int().min(0),
  /** The `train` flags, `--out` and `--quiet` included. */
  args: z.array(z.string()),
});

/**
 * Main to trial worker, once, as it starts: the text of Chart.js's UMD
 * bundle, which every trial's report holds, read once by the main thread
 * (so that no worker loads it); a trial waits for it before it trains.
 */
export const ChartJsMessageSchema = z.object({
  type: z.literal("chart-js"),
  text: z.string(),
});

/** Main to trial worker, instead of `chart-js`: it cannot be read, and why. */
export const NoAssetsMessageSchema = z.object({
  type: z.literal("no-assets"),
  message: z.string(),
});

/** Trial worker to main: the trial ended, with `train`'s exit code and what it printed on stderr. */
export const TrialEndMessageSchema = z.object({
  type: z.literal("trial-end"),
  index: z.int().min(0),
  code: z.int(),
  stderr: z.string(),
});

/** A message to a trial worker. */
export type ToTrialWorker = z.infer<typeof ToTrialWorkerSchema>;
/** A message from a trial worker. */
export type FromTrialWorker = z.infer<typeof TrialEndMessageSchema>;

const ToTrialWorkerSchema = z.discriminatedUnion("type", [
  TrialMessageSchema,
  ChartJsMessageSchema,
  NoAssetsMessageSchema,
]);
const FromTrialWorkerSchema = z.discriminatedUnion("type", [TrialEndMessageSchema]);

/** Checks a message a trial worker received; throws a TypeError naming the first issue. */
export function parseToTrialWorker(data: unknown): ToTrialWorker {
  return parsed(ToTrialWorkerSchema, data, "from the sweep");
}

/** Checks a message the sweep received from a trial worker; throws a TypeError naming the first issue. */
export function parseFromTrialWorker(data: unknown): FromTrialWorker {
  return parsed(FromTrialWorkerSchema, data, "from a trial worker");
}

function parsed<T>(schema: z.ZodType<T>, data: unknown, side: string): T {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const path = issue?.path.length ? issue.path.join(".") : "(root)";
  throw new TypeError(`Cannot accept a message ${side} as '${path}' is invalid: ${issue?.message}`);
}
