/**
 * Losses, penalties and metrics for classification and regression.
 *
 * Each named loss is one {@linkcode LossFunction} in {@linkcode LOSS_FUNCTIONS}:
 * its label check, its `Value` form and its compiled kernel side by side, so
 * that the two engines compute the same floats: the kernels apply the scalar
 * ops of `engine/ops.ts` (relu, softplus, log-sum-exp, powers) that the
 * `Value` forms' nodes apply. The penalties are
 * {@linkcode PENALTIES}, built the same way.
 *
 * Binary losses take one score per sample; labels may be 0/1 or -1/+1.
 * Every loss is the mean over the batch, as one n-ary `sum` node times 1/n.
 *
 * @module
 */
import { type Operand, Value } from "../../engine/value.ts";
import * as ops from "../../engine/ops.ts";

/** What a model learns: class indices 0..k-1, or real targets with one output. */
export type Problem = "classification" | "regression";

/** Every {@linkcode Problem}. */
export const PROBLEMS: readonly Problem[] = ["classification", "regression"];

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

/** A BCE label in [0, 1] (-1 counts as 0). */
function probability(y: number, i: number): number {
  const yb = y === -1 ? 0 : y;
  if (!(yb >= 0 && yb <= 1)) {
    throw new RangeError(
      `Cannot compute the BCE loss as 'labels[${i}]' must be from 0 to 1: current value is ${yb}`,
    );
  }
  return yb;
}

/** A regression target: any finite number. */
function target(what: string, y: number, i: number): number {
  if (typeof y !== "number" || !Number.isFinite(y)) {
    throw new RangeError(
      `Cannot compute ${what} as 'labels[${i}]' must be a finite number: current value is ${y}`,
    );
  }
  return y;
}

function mean(terms: Value[]): Value {
  return Value.sum(terms).mul(1 / terms.length);
}

/** `-y` of a binary label, the factor the SVM loss multiplies the score by. */
function svmFactor(y: number, i: number): number {
  return -sign("the SVM loss", y, i);
}

/**
 * Micrograd's max-margin loss: `mean(relu(1 - y * score))` with y in {-1, +1}
 * (0 counts as -1).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { svmLoss, Value } from "../../mod.ts";
 * const loss = svmLoss([new Value(2), new Value(0.5)], [1, 0]);
 * assert.equal(loss.data, 0.75); // (0 + 1.5) / 2
 * ```
 */
export function svmLoss(scores: readonly Value[], labels: readonly number[]): Value {
  checkBatch("the SVM loss", scores.length, labels);
  return mean(scores.map((s, i) => s.mul(svmFactor(labels[i], i)).add(1).relu()));
}

/**
 * The multi-class hinge loss (as in CS231n):
 * `mean_i sum_{j != y_i} relu(1 + s_j - s_{y_i})`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { multiclassSvmLoss, Value } from "../../mod.ts";
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
 * import { mseLoss, Value } from "../../mod.ts";
 * assert.equal(mseLoss([new Value(1), new Value(3)], [0, 1]).data, 2.5);
 * ```
 *
 * @throws {RangeError} when a target is not a finite number.
 */
export function mseLoss(preds: readonly Value[], targets: readonly number[]): Value {
  checkBatch("the MSE loss", preds.length, targets);
  return mean(preds.map((p, i) => p.sub(target("the MSE loss", targets[i], i)).pow(2)));
}

/**
 * The Huber loss with delta 1, as PyTorch's `HuberLoss`: per sample, with
 * `d = pred - target`, `0.5 * d^2` where `|d| < 1`, else `|d| - 0.5`.
 * Quadratic near the target, linear far from it, so outliers pull less.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { huberLoss, Value } from "../../mod.ts";
 * assert.equal(huberLoss([new Value(0.5), new Value(-3)], [0, 0]).data, (0.125 + 2.5) / 2);
 * ```
 *
 * @throws {RangeError} when a target is not a finite number.
 */
export function huberLoss(preds: readonly Value[], targets: readonly number[]): Value {
  checkBatch("the Huber loss", preds.length, targets);
  return mean(preds.map((p, i) => {
    const d = p.sub(target("the Huber loss", targets[i], i));
    return Math.abs(d.data) < 1 ? d.pow(2).mul(0.5) : d.mul(d.data < 0 ? -1 : 1).sub(0.5);
  }));
}

/**
 * Binary cross-entropy on logits, `mean(softplus(z) - y*z)` with y in [0, 1]
 * (-1 counts as 0). Stable for any logit: `softplus` never overflows.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bceWithLogitsLoss, Value } from "../../mod.ts";
 * assert.equal(bceWithLogitsLoss([new Value(1000)], [1]).data, 0);
 * assert.equal(bceWithLogitsLoss([new Value(1000)], [0]).data, 1000);
 * ```
 */
export function bceWithLogitsLoss(logits: readonly Value[], labels: readonly number[]): Value {
  checkBatch("the BCE loss", logits.length, labels);
  return mean(logits.map((z, i) => {
    const y = probability(labels[i], i);
    return y === 0 ? z.softplus() : z.softplus().sub(z.mul(y));
  }));
}

/**
 * Softmax cross-entropy for k classes, `mean(logsumexp(z) - z[y])`, stable
 * through the max-shifted log-sum-exp.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { softmaxCrossEntropyLoss, Value } from "../../mod.ts";
 * const z = [new Value(0), new Value(0), new Value(0)];
 * assert.ok(Math.abs(softmaxCrossEntropyLoss([z], [2]).data - Math.log(3)) < 1e-15);
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
 * One named loss, in both engines' forms.
 *
 * The kernel works on flat arrays of a batch of `n` samples with `k` outputs
 * each (`out[s * k + j]`), on labels already turned into their label form by
 * {@linkcode LossFunction.label}. It performs the same float operations as
 * the `Value` form and its `backward()`, in the same order.
 */
export interface LossFunction {
  /** Its name. */
  readonly name: string;
  /** The problems it serves. */
  readonly problems: readonly Problem[];
  /** Whether it fits a model with `width` outputs for `problem`. */
  fits(width: number, problem: Problem): boolean;
  /**
   * The label form of `labels[i]` for the kernel (a class, a sign, a
   * target...), or a `RangeError` naming it, as the `Value` form throws.
   */
  label(y: number, i: number, width: number, problem: Problem): number;
  /** The `Value` form: the mean loss of a batch of outputs. */
  value(outputs: readonly (readonly Value[])[], labels: readonly number[], problem: Problem): Value;
  /**
   * The kernel's forward pass: the sum over the batch of each sample's term
   * (the caller takes the mean), keeping in `aux` (`n * k` long) what the
   * backward pass needs.
   */
  forward(out: Float64Array, lab: Float64Array, aux: Float64Array, n: number, k: number): number;
  /**
   * The kernel's backward pass: adds d(mean loss)/d(out) into `gout`
   * (zeroed by the caller), and writes into `order` (per sample, `k` long)
   * the order in which the graph's backward pass reaches the sample's outputs.
   */
  backward(
    out: Float64Array,
    lab: Float64Array,
    aux: Float64Array,
    gout: Float64Array,
    order: Int32Array,
    n: number,
    k: number,
  ): void;
}

/** The outputs' first column, for the one-output losses. */
function firsts(outputs: readonly (readonly Value[])[]): Value[] {
  return outputs.map((o) => o[0]);
}

/** Outputs in reverse: the order the graph's backward pass reaches a sample's outputs. */
function reverseOrder(order: Int32Array, n: number, k: number): void {
  for (let s = 0; s < n; s++) for (let j = 0; j < k; j++) order[s * k + j] = k - 1 - j;
}

/** The local derivative of relu at `a`, as `Value.relu()`'s backward takes it. */
function reluDerivative(a: number): number {
  return ops.relu.derivative(a, ops.relu.forward(a));
}

const square = ops.pow(2);

const svm: LossFunction = {
  name: "svm",
  problems: ["classification"],
  fits: (width, problem) => problem === "classification" && width >= 1,
  label: (y, i, width) =>
    width === 1 ? svmFactor(y, i) : checkClass("the multi-class SVM loss", y, i, width),
  value: (outputs, labels) =>
    outputs[0]?.length === 1
      ? svmLoss(firsts(outputs), labels)
      : multiclassSvmLoss(outputs, labels),
  forward(out, lab, aux, n, k) {
    let sum = 0;
    if (k === 1) {
      for (let s = 0; s < n; s++) {
        // relu(z * (-y) + 1)
        const a = out[s] * lab[s] + 1;
        aux[s] = a;
        sum += ops.relu.forward(a);
      }
      return sum;
    }
    for (let s = 0; s < n; s++) {
      // sum_{j != y} relu(s_j + (s_y * -1) + 1)
      const o = s * k;
      const y = lab[s];
      const sy = out[o + y];
      let term = 0;
      for (let j = 0; j < k; j++) {
        if (j === y) continue;
        const a = out[o + j] + sy * -1 + 1;
        aux[o + j] = a;
        term += ops.relu.forward(a);
      }
      sum += term;
    }
    return sum;
  },
  backward(_out, lab, aux, gout, order, n, k) {
    const gt = 1 / n;
    reverseOrder(order, n, k);
    if (k === 1) {
      for (let s = 0; s < n; s++) gout[s] = lab[s] * (reluDerivative(aux[s]) * gt);
      return;
    }
    for (let s = 0; s < n; s++) {
      const o = s * k;
      const y = lab[s];
      // Terms go backward last first; each adds -g into s_y.
      for (let j = k - 1; j >= 0; j--) {
        if (j === y) continue;
        const g = reluDerivative(aux[o + j]) * gt;
        gout[o + j] += g;
        gout[o + y] += -1 * g;
      }
      // The graph first reaches output j0 (the first j != y), then y, then the rest.
      const j0 = y === 0 ? 1 : 0;
      let at = o + k - 1;
      order[at--] = j0;
      order[at--] = y;
      for (let j = 0; j < k; j++) if (j !== j0 && j !== y) order[at--] = j;
    }
  },
};

const mse: LossFunction = {
  name: "mse",
  problems: ["classification", "regression"],
  fits: (width, problem) => problem === "classification" ? width >= 1 : width === 1,
  label(y, i, width, problem) {
    if (problem === "regression") return target("the MSE loss", y, i);
    return width === 1 ? sign("the MSE loss", y, i) : checkClass("the MSE loss", y, i, width);
  },
  value(outputs, labels, problem) {
    const width = outputs[0]?.length ?? 0;
    if (problem === "regression") return mseLoss(firsts(outputs), labels);
    if (width === 1) {
      return mseLoss(firsts(outputs), labels.map((y, i) => sign("the MSE loss", y, i)));
    }
    checkBatch("the MSE loss", outputs.length, labels);
    return mean(outputs.map((row, i) => {
      const y = checkClass("the MSE loss", labels[i], i, width);
      return Value.sum(row.map((o, j) => o.sub(j === y ? 1 : 0).pow(2)));
    }));
  },
  forward(out, lab, aux, n, k) {
    let sum = 0;
    if (k === 1) {
      for (let s = 0; s < n; s++) {
        // (z + (t * -1)) ** 2
        const d = out[s] + lab[s] * -1;
        aux[s] = d;
        sum += square.forward(d);
      }
      return sum;
    }
    for (let s = 0; s < n; s++) {
      const o = s * k;
      const y = lab[s];
      let term = 0;
      for (let j = 0; j < k; j++) {
        const d = out[o + j] + (j === y ? 1 : 0) * -1;
        aux[o + j] = d;
        term += square.forward(d);
      }
      sum += term;
    }
    return sum;
  },
  backward(_out, _lab, aux, gout, order, n, k) {
    const gt = 1 / n;
    reverseOrder(order, n, k);
    for (let i = 0; i < n * k; i++) {
      const d = aux[i];
      gout[i] = square.derivative(d, square.forward(d)) * gt;
    }
  },
};

const bce: LossFunction = {
  name: "bce",
  problems: ["classification"],
  fits: (width, problem) => problem === "classification" && width === 1,
  label: (y, i) => probability(y, i),
  value: (outputs, labels) => bceWithLogitsLoss(firsts(outputs), labels),
  forward(out, lab, _aux, n) {
    let sum = 0;
    for (let s = 0; s < n; s++) {
      // softplus(z), minus z*y when y != 0
      const z = out[s];
      const sp = ops.softplus.forward(z);
      const y = lab[s];
      sum += y === 0 ? sp : sp + z * y * -1;
    }
    return sum;
  },
  backward(out, lab, _aux, gout, order, n) {
    const gt = 1 / n;
    reverseOrder(order, n, 1);
    for (let s = 0; s < n; s++) {
      const z = out[s];
      const sg = ops.softplus.derivative(z, ops.softplus.forward(z));
      const y = lab[s];
      if (y === 0) gout[s] = sg * gt;
      else {
        // The `- z*y` branch goes backward before softplus does.
        let gz = 0;
        gz += y * (-1 * gt);
        gz += sg * gt;
        gout[s] = gz;
      }
    }
  },
};

const ce: LossFunction = {
  name: "ce",
  problems: ["classification"],
  fits: (width, problem) => problem === "classification" && width >= 2,
  label: (y, i, width) => checkClass("the cross-entropy loss", y, i, width),
  value: (outputs, labels) => softmaxCrossEntropyLoss(outputs, labels),
  forward(out, lab, aux, n, k) {
    let sum = 0;
    for (let s = 0; s < n; s++) {
      const o = s * k;
      const m = ops.expShift(out, o, o + k);
      const e = ops.expSum(out, o, o + k, m);
      aux[o] = m;
      aux[o + 1] = e;
      sum += ops.logSumExp.forward(m, e) + out[o + lab[s]] * -1;
    }
    return sum;
  },
  backward(out, lab, aux, gout, order, n, k) {
    const gt = 1 / n;
    reverseOrder(order, n, k);
    for (let s = 0; s < n; s++) {
      const o = s * k;
      const m = aux[o];
      const e = aux[o + 1];
      gout[o + lab[s]] += -1 * gt;
      for (let j = 0; j < k; j++) gout[o + j] += ops.logSumExp.derivative(out[o + j], m, e) * gt;
    }
  },
};

const huber: LossFunction = {
  name: "huber",
  problems: ["regression"],
  fits: (width, problem) => problem === "regression" && width === 1,
  label: (y, i) => target("the Huber loss", y, i),
  value: (outputs, labels) => huberLoss(firsts(outputs), labels),
  forward(out, lab, aux, n) {
    let sum = 0;
    for (let s = 0; s < n; s++) {
      const d = out[s] + lab[s] * -1;
      aux[s] = d;
      // d ** 2 * 0.5, or d * sign(d) + (0.5 * -1)
      sum += Math.abs(d) < 1 ? square.forward(d) * 0.5 : d * (d < 0 ? -1 : 1) + -0.5;
    }
    return sum;
  },
  backward(_out, _lab, aux, gout, order, n) {
    const gt = 1 / n;
    reverseOrder(order, n, 1);
    for (let s = 0; s < n; s++) {
      const d = aux[s];
      gout[s] = Math.abs(d) < 1
        ? square.derivative(d, square.forward(d)) * (0.5 * gt)
        : (d < 0 ? -1 : 1) * gt;
    }
  },
};

/** Each named loss's {@linkcode LossFunction}; the names everywhere are its keys. */
export const LOSS_FUNCTIONS = { svm, mse, bce, ce, huber } as const satisfies Record<
  string,
  LossFunction
>;

/** The loss functions the training loop knows by name: the keys of {@linkcode LOSS_FUNCTIONS}. */
export type LossName = keyof typeof LOSS_FUNCTIONS;

/** Every {@linkcode LossName}. */
export const LOSS_NAMES: readonly LossName[] = Object.keys(LOSS_FUNCTIONS) as LossName[];

/**
 * The loss a model with `width` outputs gets when none is named: `svm` for
 * one output and `ce` for several (classification), `mse` (regression).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultLoss } from "../../mod.ts";
 * assert.equal(defaultLoss(1), "svm");
 * assert.equal(defaultLoss(3), "ce");
 * assert.equal(defaultLoss(1, "regression"), "mse");
 * ```
 */
export function defaultLoss(width: number, problem: Problem = "classification"): LossName {
  if (problem === "regression") return "mse";
  return width === 1 ? "svm" : "ce";
}

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
 * import { classificationLoss, Value } from "../../mod.ts";
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
  const { loss: name = defaultLoss(width) } = options;
  const loss = lossFunction(name, "classification");
  if (name === "bce" && width !== 1) {
    throw new RangeError(
      `Cannot compute the BCE loss as the model must have 1 output: current width is ${width}`,
    );
  }
  if (name === "ce" && width < 2) {
    throw new RangeError(
      `Cannot compute the cross-entropy loss as the model must have at least 2 outputs: current width is ${width}`,
    );
  }
  return loss.value(outputs, labels, "classification");
}

/** Options for {@linkcode regressionLoss}. */
export interface RegressionLossOptions {
  /**
   * The loss.
   *
   * @default {"mse"}
   */
  loss?: LossName;
}

/**
 * A named loss (`mse` or `huber`) on a batch of one-output model outputs
 * (`outputs[i]` is `[prediction]`) and real targets.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { regressionLoss, Value } from "../../mod.ts";
 * const outputs = [[new Value(1)], [new Value(4)]];
 * assert.equal(regressionLoss(outputs, [0.5, 2]).data, (0.25 + 4) / 2);
 * assert.equal(regressionLoss(outputs, [0.5, 2], { loss: "huber" }).data, (0.125 + 1.5) / 2);
 * ```
 *
 * @throws {RangeError} when the loss is not a regression loss or the outputs are not one wide.
 */
export function regressionLoss(
  outputs: readonly (readonly Value[])[],
  targets: readonly number[],
  options: RegressionLossOptions = {},
): Value {
  const width = outputs[0]?.length ?? 1;
  const loss = lossFunction(options.loss ?? "mse", "regression");
  if (width !== 1) {
    throw new RangeError(
      `Cannot compute the ${loss.name} loss as a regression model must have 1 output: current width is ${width}`,
    );
  }
  return loss.value(outputs, targets, "regression");
}

/** The {@linkcode LossFunction} named `name`, or a `RangeError` when it does not serve `problem`. */
function lossFunction(name: LossName, problem: Problem): LossFunction {
  const loss = Object.hasOwn(LOSS_FUNCTIONS, name) ? LOSS_FUNCTIONS[name] : undefined;
  if (loss === undefined || !loss.problems.includes(problem)) {
    const names = LOSS_NAMES.filter((n) => LOSS_FUNCTIONS[n].problems.includes(problem));
    throw new RangeError(
      `Cannot compute the loss as its name must be one of ${
        names.join(", ")
      } for ${problem}: current value is ${JSON.stringify(name)}`,
    );
  }
  return loss;
}

/**
 * A penalty on the parameters, in both engines' forms, as
 * {@linkcode LossFunction} is for losses.
 */
export interface Penalty {
  /** Its name. */
  readonly name: "l1" | "l2";
  /** The `Value` form. */
  value(params: readonly Value[], alpha: number): Value;
  /** The kernel's forward pass: the penalty's value for the parameters `p`. */
  forward(p: Float64Array, alpha: number): number;
  /** The kernel's backward pass: adds d(penalty)/d(p) into `g`, as the graph's nodes do. */
  backward(p: Float64Array, alpha: number, g: Float64Array): void;
}

/**
 * `alpha * sum(p^2)`, micrograd's regularization.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { l2Penalty, Value } from "../../mod.ts";
 * assert.equal(l2Penalty([new Value(3), new Value(-4)], 0.1).data, 2.5);
 * ```
 */
export function l2Penalty(params: readonly Value[], alpha: number): Value {
  checkAlpha("the L2 penalty", alpha);
  return Value.sum(params.map((p) => p.mul(p))).mul(alpha);
}

/**
 * `alpha * sum(|p|)`, as `relu(p) + relu(-p)`; the grad at 0 is 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { l1Penalty, Value } from "../../mod.ts";
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

/** The L1 and L2 penalties. A loss with both adds L2 first, then L1. */
export const PENALTIES: Readonly<Record<"l1" | "l2", Penalty>> = {
  l2: {
    name: "l2",
    value: l2Penalty,
    forward(p, alpha) {
      let sum = 0;
      for (let i = 0; i < p.length; i++) sum += p[i] * p[i];
      return sum * alpha;
    },
    backward(p, alpha, g) {
      // `p * p` sends `p * alpha` to each of its two operands.
      for (let i = 0; i < p.length; i++) {
        g[i] += p[i] * alpha;
        g[i] += p[i] * alpha;
      }
    },
  },
  l1: {
    name: "l1",
    value: l1Penalty,
    forward(p, alpha) {
      let sum = 0;
      for (let i = 0; i < p.length; i++) {
        const x = p[i];
        sum += ops.relu.forward(x) + ops.relu.forward(x * -1);
      }
      return sum * alpha;
    },
    backward(p, alpha, g) {
      // relu(-p) (through `p * -1`) goes backward before relu(p).
      for (let i = 0; i < p.length; i++) {
        const x = p[i];
        g[i] += -1 * (reluDerivative(x * -1) * alpha);
        g[i] += reluDerivative(x) * alpha;
      }
    },
  },
};

/**
 * The mean squared error of predictions against targets, computed as the
 * `mse` loss computes it (so with that loss, it equals the data loss).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { meanSquaredError } from "../../mod.ts";
 * assert.equal(meanSquaredError([1, 3], [0, 1]), 2.5);
 * ```
 */
export function meanSquaredError(preds: ArrayLike<number>, targets: ArrayLike<number>): number {
  checkMetric("the mean squared error", preds.length, targets.length);
  let sum = 0;
  for (let i = 0; i < preds.length; i++) sum += (preds[i] + targets[i] * -1) ** 2;
  return sum * (1 / preds.length);
}

/**
 * The coefficient of determination R^2 = 1 - SS_res / SS_tot, as
 * scikit-learn's `r2_score`: 1 is a perfect fit, 0 no better than the
 * targets' mean, below 0 worse. With constant targets it is 1 for a perfect
 * fit and 0 otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { r2Score } from "../../mod.ts";
 * assert.equal(r2Score([1, 2, 3], [1, 2, 3]), 1);
 * assert.equal(r2Score([2, 2, 2], [1, 2, 3]), 0);
 * ```
 */
export function r2Score(preds: ArrayLike<number>, targets: ArrayLike<number>): number {
  const n = checkMetric("R^2", preds.length, targets.length);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += targets[i];
  const mean = sum / n;
  let res = 0;
  let tot = 0;
  for (let i = 0; i < n; i++) {
    res += (preds[i] - targets[i]) ** 2;
    tot += (targets[i] - mean) ** 2;
  }
  if (tot === 0) return Number.isNaN(res) ? NaN : res === 0 ? 1 : 0;
  return 1 - res / tot;
}

function checkMetric(what: string, n: number, m: number): number {
  if (n === 0 || m !== n) {
    throw new RangeError(
      `Cannot compute ${what} as there must be one target per prediction (${n}, at least 1): current length is ${m}`,
    );
  }
  return n;
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
 * import { predictClass } from "../../mod.ts";
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
 * import { accuracy } from "../../mod.ts";
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
