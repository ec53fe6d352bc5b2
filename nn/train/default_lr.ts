/**
 * The default learning rate for each optimizer, loss and hidden activation:
 * a small table found by a sweep, so that every combination trains sensibly
 * with the defaults (no run diverges, and each reaches about the best
 * accuracy any rate on the grid gives).
 *
 * How the table was made (`deno run --allow-read bench/lr_sweep.ts` reruns
 * it): every optimizer x loss x activation, on moons, circles, xor and
 * spiral (3 classes; bce does not apply), with the CLI's defaults otherwise
 * (100 samples, noise 0.1, hidden layers 16,16, L2 1e-4, 100 full-batch
 * steps, linear decay), seeds 1337, 1 and 2, for rates 0.001, 0.003, 0.01,
 * 0.03, 0.1, 0.3, 1, 3 and 10. A run counts as diverged when its loss turns
 * non-finite or grows past 100 times its first value. The rate chosen has
 * the best mean final accuracy among the rates that never diverged and whose
 * next larger rate diverged in at most a quarter of its runs; the optimizer's former default
 * (sgd 1, momentum 0.1, adam and adamw 0.01) stays where it never diverged
 * and is within 2 points of that. With the linear activation no rate does
 * better than a linear model can (about 65% on these sets): those entries
 * are the rates that stay stable.
 *
 * @module
 */

/** The optimizers the table covers. */
export type DefaultLrOptimizer = "sgd" | "momentum" | "adam" | "adamw";

/** What {@linkcode defaultLr} chooses by. */
export interface DefaultLrOptions {
  /** The optimizer: `sgd`, `momentum`, `adam` or `adamw`. */
  optimizer: string;
  /** The loss: `svm`, `mse`, `bce` or `ce` (others get the optimizer's base rate). */
  loss: string;
  /** The hidden activation: `relu`, `tanh`, `sigmoid` or `linear`. */
  activation: string;
}

/** The rate per optimizer for a loss or activation the table does not list. */
export const BASE_LR: Readonly<Record<DefaultLrOptimizer, number>> = {
  sgd: 1,
  momentum: 0.1,
  adam: 0.01,
  adamw: 0.01,
};

/**
 * The table: `DEFAULT_LR_TABLE[optimizer][loss]` holds the rates for the
 * activations relu, tanh, sigmoid and linear, in that order.
 */
export const DEFAULT_LR_TABLE: Readonly<
  Record<DefaultLrOptimizer, Readonly<Record<string, readonly [number, number, number, number]>>>
> = {
  //                 relu   tanh  sigmoid linear
  sgd: {
    svm: [1, 1, 3, 0.01],
    mse: [0.03, 0.03, 0.1, 0.003],
    bce: [1, 1, 1, 0.01],
    ce: [1, 1, 1, 0.1],
  },
  momentum: {
    svm: [0.1, 0.1, 1, 0.1],
    mse: [0.1, 0.1, 0.1, 0.01],
    bce: [0.1, 0.1, 1, 0.1],
    ce: [0.1, 0.1, 1, 0.1],
  },
  adam: {
    svm: [0.1, 0.3, 1, 0.01],
    mse: [0.01, 0.1, 0.1, 0.01],
    bce: [0.1, 0.1, 1, 0.01],
    ce: [0.1, 0.3, 0.3, 0.01],
  },
  adamw: {
    svm: [0.1, 0.3, 1, 0.01],
    mse: [0.01, 0.1, 0.1, 0.01],
    bce: [0.1, 0.1, 1, 0.01],
    ce: [0.1, 0.3, 1, 0.01],
  },
};

const ACTIVATION_COLUMN: Readonly<Record<string, number>> = {
  relu: 0,
  tanh: 1,
  sigmoid: 2,
  linear: 3,
  // ReLU-like: relu's rates (tests/trust_default_lr_test.ts trains moons with them).
  gelu: 0,
  "leaky-relu": 0,
};

/**
 * The learning rate to start from when none is given, for an optimizer, a
 * loss and a hidden activation (see the module's notes for how the table
 * was found). A loss or activation the table does not list gets the
 * optimizer's {@linkcode BASE_LR}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultLr } from "../../mod.ts";
 * // micrograd's demo: SGD from 1 with the svm loss and relu.
 * assert.equal(defaultLr({ optimizer: "sgd", loss: "svm", activation: "relu" }), 1);
 * // mse grows its gradient with the error: a much smaller step.
 * assert.equal(defaultLr({ optimizer: "sgd", loss: "mse", activation: "tanh" }), 0.03);
 * ```
 *
 * @throws {RangeError} for an optimizer the table does not know.
 */
export function defaultLr(options: DefaultLrOptions): number {
  const { optimizer, loss, activation } = options;
  if (!Object.hasOwn(DEFAULT_LR_TABLE, optimizer)) {
    throw new RangeError(
      `Cannot choose a learning rate as 'optimizer' must be sgd, momentum, adam or adamw: current value is ${
        JSON.stringify(optimizer)
      }`,
    );
  }
  const o = optimizer as DefaultLrOptimizer;
  const rates = Object.hasOwn(DEFAULT_LR_TABLE[o], loss) ? DEFAULT_LR_TABLE[o][loss] : undefined;
  const column = Object.hasOwn(ACTIVATION_COLUMN, activation)
    ? ACTIVATION_COLUMN[activation]
    : undefined;
  return rates !== undefined && column !== undefined ? rates[column] : BASE_LR[o];
}

/**
 * The table as text, one line per optimizer and loss, for `--help`:
 * `sgd       svm   1      1      3      0.01`.
 */
export function defaultLrTableText(): string[] {
  const cell = (x: string, width = 8) => x.padEnd(width);
  const head = `${cell("", 15)}${Object.keys(ACTIVATION_COLUMN).map((a) => cell(a)).join("")}`;
  const lines = [head.trimEnd()];
  for (const [optimizer, losses] of Object.entries(DEFAULT_LR_TABLE)) {
    for (const [loss, rates] of Object.entries(losses)) {
      const row = `${cell(optimizer, 10)}${cell(loss, 5)}${
        rates.map((r) => cell(String(r))).join("")
      }`;
      lines.push(row.trimEnd());
    }
  }
  return lines;
}
