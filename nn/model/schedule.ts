/**
 * Learning-rate schedules: functions from the step number (0-based) to the
 * learning rate of that step.
 *
 * @module
 */
import { cos } from "../../engine/math.ts";

/** A learning rate per step; `k` counts from 0. */
export type LrSchedule = (k: number) => number;

/** The schedules the training loop knows by name. */
export type ScheduleName = "constant" | "linear" | "cosine";

/** Every {@linkcode ScheduleName}. */
export const SCHEDULE_NAMES: readonly ScheduleName[] = ["constant", "linear", "cosine"];

function checkLr(lr0: number): void {
  if (!(lr0 > 0) || !Number.isFinite(lr0)) {
    throw new RangeError(
      `Cannot make the schedule as 'lr0' must be a positive number: current value is ${lr0}`,
    );
  }
}

function checkSteps(steps: number): void {
  if (!Number.isInteger(steps) || steps < 1) {
    throw new RangeError(
      `Cannot make the schedule as 'steps' must be a positive integer: current value is ${steps}`,
    );
  }
}

/**
 * The same learning rate at every step.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { constantLr } from "../../mod.ts";
 * assert.equal(constantLr(0.1)(99), 0.1);
 * ```
 */
export function constantLr(lr0: number): LrSchedule {
  checkLr(lr0);
  return () => lr0;
}

/**
 * Micrograd's decay, `lr0 * (1 - 0.9 * k / steps)`: from lr0 down to a tenth
 * of it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { linearDecayLr } from "../../mod.ts";
 * const lr = linearDecayLr(1, 100);
 * assert.equal(lr(0), 1);
 * assert.equal(lr(50), 0.55);
 * ```
 */
export function linearDecayLr(lr0: number, steps: number): LrSchedule {
  checkLr(lr0);
  checkSteps(steps);
  return (k) => lr0 * (1 - 0.9 * k / steps);
}

/** Options for {@linkcode cosineLr}. */
export interface CosineLrOptions {
  /**
   * The learning rate at step `steps` and after.
   *
   * @default {0}
   */
  minLr?: number;
}

/**
 * Cosine annealing from lr0 at step 0 to `minLr` at step `steps`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cosineLr } from "../../mod.ts";
 * const lr = cosineLr(0.1, 10);
 * assert.equal(lr(0), 0.1);
 * assert.equal(lr(10), 0);
 * assert.equal(cosineLr(0.1, 10, { minLr: 0.01 })(10), 0.01);
 * ```
 */
export function cosineLr(lr0: number, steps: number, options: CosineLrOptions = {}): LrSchedule {
  const { minLr = 0 } = options;
  checkLr(lr0);
  checkSteps(steps);
  if (!(minLr >= 0 && minLr <= lr0)) {
    throw new RangeError(
      `Cannot make the schedule as 'minLr' must be from 0 to lr0 (${lr0}): current value is ${minLr}`,
    );
  }
  return (k) => minLr + 0.5 * (lr0 - minLr) * (1 + cos(Math.PI * Math.min(k, steps) / steps));
}

/** Options for {@linkcode makeSchedule}. */
export interface ScheduleOptions {
  /**
   * The length of the run, over which `linear` and `cosine` decay.
   *
   * @default {100}
   */
  steps?: number;
}

/**
 * A schedule by name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeSchedule } from "../../mod.ts";
 * const lr = makeSchedule("linear", 1, { steps: 10 });
 * assert.equal(lr(5), 0.55);
 * ```
 *
 * @throws {RangeError} when the name is unknown or `lr0` or `steps` is out of range.
 */
export function makeSchedule(
  name: ScheduleName,
  lr0: number,
  options: ScheduleOptions = {},
): LrSchedule {
  const { steps = 100 } = options;
  switch (name) {
    case "constant":
      return constantLr(lr0);
    case "linear":
      return linearDecayLr(lr0, steps);
    case "cosine":
      return cosineLr(lr0, steps);
    default: {
      const never: never = name;
      throw new RangeError(
        `Cannot make the schedule as its name must be one of ${
          SCHEDULE_NAMES.join(", ")
        }: current value is ${JSON.stringify(never)}`,
      );
    }
  }
}
