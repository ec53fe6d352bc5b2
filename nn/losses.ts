/**
 * Losses, penalties and accuracy for classification and regression.
 *
 * Binary losses take one score per sample; labels may be 0/1 or -1/+1.
 * Every loss is the mean over the batch, as one n-ary `sum` node times 1/n.
 *
 * @module
 */
import { type Operand, Value } from "../engine/value.ts";

function checkBatch(what: string, n: number, labels: readonly number[]): void {
  if (n === 0) {
    throw new RangeError(
      `Cannot compute ${what} as the batch must not be empty: current size is 0`,
    );
  }
  if (labels.length !== n) {
    throw new RangeError(
      `Cannot compute ${what} as there must be one label per sample (${n}): current length is ${labels.length}`,
    );
  }
}

/** Maps a binary label (0/1 or -1/+1) to -1/+1. */
function sign(what: string, y: number, i: number): number {
  if (y === 1) return 1;
  if (y === 0 || y === -1) return -1;
  throw new RangeError(
    `Cannot compute ${what} as 'labels[${i}]' must be 0/1 or -1/+1: current value is ${y}`,
  );
}

function mean(terms: Value[]): Value {
  return Value.sum(terms).mul(1 / terms.length);
}

/**
 * Micrograd's max-margin loss: `mean(relu(1 - y * score))` with y in {-1, +1}
 * (0 counts as -1).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { svmLoss, Value } from "../mod.ts";
 * const loss = svmLoss([new Value(2), new Value(0.5)], [1, 0]);
 * assert.equal(loss.data, 0.75); // (0 + 1.5) / 2
 * ```
 */
export function svmLoss(scores: readonly Value[], labels: readonly number[]): Value {
  checkBatch("the SVM loss", scores.length, labels);
  return mean(scores.map((s, i) => s.mul(-sign("the SVM loss", labels[i], i)).add(1).relu()));
}

/**
 * The multi-class hinge loss (as in CS231n):
 * `mean_i sum_{j != y_i} relu(1 + s_j - s_{y_i})`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { multiclassSvmLoss, Value } from "../mod.ts";
 * const scores = [[new Value(3), new Value(2.5), new Value(0)]];
 * assert.equal(multiclassSvmLoss(scores, [0]).data, 0.5); // relu(1 + 2.5 - 3) + relu(1 + 0 - 3)
 * ```
 */
export function multiclassSvmLoss(
  scores: readonly (readonly Value[])[],
  labels: readonly number[],
): Value {
  checkBatch("the multi-class SVM loss", scores.length, labels);
  return mean(scores.map((row, i) => {
    const y = checkClass("the multi-class SVM loss", labels[i], i, row.length);
    const terms: Value[] = [];
    row.forEach((s, j) => {
      if (j !== y) terms.push(s.sub(row[y]).add(1).relu());
    });
    return Value.sum(terms);
  }));
}

/**
 * Mean squared error, `mean((pred - target)^2)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mseLoss, Value } from "../mod.ts";
 * assert.equal(mseLoss([new Value(1), new Value(3)], [0, 1]).data, 2.5);
 * ```
 */
export function mseLoss(preds: readonly Value[], targets: readonly number[]): Value {
  checkBatch("the MSE loss", preds.length, targets);
  return mean(preds.map((p, i) => p.sub(targets[i]).pow(2)));
}

/**
 * Binary cross-entropy on logits, `mean(softplus(z) - y*z)` with y in [0, 1]
 * (-1 counts as 0). Stable for any logit: `softplus` never overflows.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bceWithLogitsLoss, Value } from "../mod.ts";
 * assert.equal(bceWithLogitsLoss([new Value(1000)], [1]).data, 0);
 * assert.equal(bceWithLogitsLoss([new Value(1000)], [0]).data, 1000);
 * ```
 */
export function bceWithLogitsLoss(logits: readonly Value[], labels: readonly number[]): Value {
  checkBatch("the BCE loss", logits.length, labels);
  return mean(logits.map((z, i) => {
    let y = labels[i];
    if (y === -1) y = 0;
    if (!(y >= 0 && y <= 1)) {
      throw new RangeError(
        `Cannot compute the BCE loss as 'labels[${i}]' must be from 0 to 1: current value is ${y}`,
      );
    }
    return y === 0 ? z.softplus() : z.softplus().sub(z.mul(y));
  }));
}

function checkClass(what: string, y: number, i: number, k: number): number {
  if (!Number.isInteger(y) || y < 0 || y >= k) {
    throw new RangeError(
      `Cannot compute ${what} as 'labels[${i}]' must be an integer from 0 to ${
        k - 1
      }: current value is ${y}`,
    );
  }
  return y;
}

/**
 * Softmax cross-entropy for k classes, `mean(logsumexp(z) - z[y])`, stable
 * through the max-shifted log-sum-exp.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { softmaxCrossEntropyLoss, Value } from "../mod.ts";
 * const z = [new Value(0), new Value(0), new Value(0)];
 * assert.equal(softmaxCrossEntropyLoss([z], [2]).data, Math.log(3));
 * ```
 */
export function softmaxCrossEntropyLoss(
  logits: readonly (readonly Value[])[],
  labels: readonly number[],
): Value {
  checkBatch("the cross-entropy loss", logits.length, labels);
  return mean(logits.map((row, i) => {
    const y = checkClass("the cross-entropy loss", labels[i], i, row.length);
    return Value.logSumExp(row).sub(row[y]);
  }));
}

/**
 * `alpha * sum(p^2)`, micrograd's regularization.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { l2Penalty, Value } from "../mod.ts";
 * assert.equal(l2Penalty([new Value(3), new Value(-4)], 0.1).data, 2.5);
 * ```
 */
export function l2Penalty(params: readonly Value[], alpha: number): Value {
  checkAlpha("the L2 penalty", alpha);
  return Value.sum(params.map((p) => p.mul(p))).mul(alpha);
}

/**
 * `alpha * sum(|p|)`; the grad at 0 is 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { l1Penalty, Value } from "../mod.ts";
 * assert.equal(l1Penalty([new Value(3), new Value(-4)], 0.5).data, 3.5);
 * ```
 */
export function l1Penalty(params: readonly Value[], alpha: number): Value {
  checkAlpha("the L1 penalty", alpha);
  return Value.sum(params.map((p) => p.relu().add(p.neg().relu()))).mul(alpha);
}

function checkAlpha(what: string, alpha: number): void {
  if (!(alpha >= 0) || !Number.isFinite(alpha)) {
    throw new RangeError(
      `Cannot compute ${what} as 'alpha' must be a finite number >= 0: current value is ${alpha}`,
    );
  }
}

/** The loss functions the training loop knows by name. */
export type LossName = "svm" | "mse" | "bce" | "ce";

/** Every {@linkcode LossName}. */
export const LOSS_NAMES: readonly LossName[] = ["svm", "mse", "bce", "ce"];

/** Options for {@linkcode classificationLoss}. */
export interface ClassificationLossOptions {
  /** The loss; by default `svm` for one output and `ce` for several. */
  loss?: LossName;
}

/**
 * A named loss on a batch of model outputs (`outputs[i]` is the output vector
 * of sample i) and class labels 0..k-1.
 *
 * - `svm`: one output, micrograd's hinge; with k outputs, the multi-class hinge.
 * - `mse`: one output against -1/+1; with k outputs, against one-hot vectors.
 * - `bce`: one output, a logit.
 * - `ce`: k >= 2 outputs, logits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { classificationLoss, Value } from "../mod.ts";
 * const outputs = [[new Value(0), new Value(0)], [new Value(0), new Value(3)]];
 * assert.equal(classificationLoss(outputs, [1, 1], { loss: "svm" }).data, 0.5); // (1 + 0) / 2
 * assert.ok(classificationLoss(outputs, [1, 1]).data < Math.log(2)); // ce
 * ```
 *
 * @throws {RangeError} when the loss does not fit the outputs' width.
 */
export function classificationLoss(
  outputs: readonly (readonly Value[])[],
  labels: readonly number[],
  options: ClassificationLossOptions = {},
): Value {
  const width = outputs[0]?.length ?? 0;
  const { loss: name = width === 1 ? "svm" : "ce" } = options;
  const firsts = () => outputs.map((o) => o[0]);
  switch (name) {
    case "svm":
      return width === 1 ? svmLoss(firsts(), labels) : multiclassSvmLoss(outputs, labels);
    case "mse":
      if (width === 1) return mseLoss(firsts(), labels.map((y, i) => sign("the MSE loss", y, i)));
      checkBatch("the MSE loss", outputs.length, labels);
      return mean(outputs.map((row, i) => {
        const y = checkClass("the MSE loss", labels[i], i, width);
        return Value.sum(row.map((o, j) => o.sub(j === y ? 1 : 0).pow(2)));
      }));
    case "bce":
      if (width !== 1) {
        throw new RangeError(
          `Cannot compute the BCE loss as the model must have 1 output: current width is ${width}`,
        );
      }
      return bceWithLogitsLoss(firsts(), labels);
    case "ce":
      if (width < 2) {
        throw new RangeError(
          `Cannot compute the cross-entropy loss as the model must have at least 2 outputs: current width is ${width}`,
        );
      }
      return softmaxCrossEntropyLoss(outputs, labels);
    default: {
      const never: never = name;
      throw new RangeError(
        `Cannot compute the loss as its name must be one of ${
          LOSS_NAMES.join(", ")
        }: current value is ${JSON.stringify(never)}`,
      );
    }
  }
}

/** Options for {@linkcode predictClass} and {@linkcode accuracy}. */
export interface PredictOptions {
  /**
   * With one output, the score above which the class is 1: 0 suits margins
   * and logits, 0.5 a sigmoid output.
   *
   * @default {0}
   */
  threshold?: number;
}

/**
 * The predicted class of one output vector: with one output, 1 when it is
 * above `threshold`; else the index of the largest.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { predictClass } from "../mod.ts";
 * assert.equal(predictClass([0.2]), 1);
 * assert.equal(predictClass([0.2], { threshold: 0.5 }), 0);
 * assert.equal(predictClass([0.1, 3, -1]), 1);
 * ```
 */
export function predictClass(output: readonly Operand[], options: PredictOptions = {}): number {
  const { threshold = 0 } = options;
  const x = (v: Operand) => typeof v === "number" ? v : v.data;
  if (output.length === 1) return x(output[0]) > threshold ? 1 : 0;
  let best = 0;
  for (let j = 1; j < output.length; j++) if (x(output[j]) > x(output[best])) best = j;
  return best;
}

/**
 * The share of samples whose predicted class (see {@linkcode predictClass})
 * equals the label. Binary labels may be 0/1 or -1/+1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { accuracy } from "../mod.ts";
 * assert.equal(accuracy([[0.3], [-2], [5]], [1, 0, 0]), 2 / 3);
 * assert.equal(accuracy([[0.1, 0.9], [2, 1]], [1, 0]), 1);
 * ```
 */
export function accuracy(
  outputs: readonly (readonly Operand[])[],
  labels: readonly number[],
  options: PredictOptions = {},
): number {
  checkBatch("accuracy", outputs.length, labels);
  let right = 0;
  outputs.forEach((o, i) => {
    const y = labels[i] === -1 ? 0 : labels[i];
    if (predictClass(o, options) === y) right++;
  });
  return right / outputs.length;
}
