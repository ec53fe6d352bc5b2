/**
 * Seeded toy datasets: for classification two moons, circles, blobs, XOR and
 * spirals; for regression TensorFlow Playground's plane and Gaussians and a
 * 1-D sine; and a train/test split. Moons and circles follow scikit-learn's
 * formulas; the noise comes from {@linkcode Rng}, so the noisy points differ
 * from scikit-learn's but are the same on every machine for one seed.
 *
 * @module
 */
import { cos, sin } from "../../engine/math.ts";
import { Rng } from "../model/random.ts";

/**
 * A dataset: `x[i]` is a feature vector and `y[i]` its label: a class in
 * 0..classes-1, or, for regression (`classes` is 0), a real target.
 */
export interface Dataset {
  /** Feature vectors, all of one length. */
  x: number[][];
  /** Class labels, integers from 0 to `classes - 1`; real targets for regression. */
  y: number[];
  /** How many classes there are; 0 for regression (real targets). */
  classes: number;
  /** Feature names, e.g. from a CSV header. */
  featureNames?: string[];
  /** Class names, when the labels were text. */
  classNames?: string[];
}

/** Options shared by the generators. */
export interface DatasetOptions {
  /**
   * How many points.
   *
   * @default {100}
   */
  samples?: number;
  /**
   * Standard deviation of Gaussian noise added to each coordinate.
   *
   * @default {0}
   */
  noise?: number;
  /**
   * Seed of the generator that shuffles and adds noise.
   *
   * @default {0}
   */
  seed?: number;
  /**
   * Shuffle the points (else they come class by class).
   *
   * @default {true}
   */
  shuffle?: boolean;
}

interface Checked {
  samples: number;
  noise: number;
  rng: Rng;
  shuffle: boolean;
}

function checkOptions(what: string, options: DatasetOptions, minSamples = 1): Checked {
  const { samples = 100, noise = 0, seed = 0, shuffle = true } = options;
  if (!Number.isInteger(samples) || samples < minSamples || samples > 1_000_000) {
    throw new RangeError(
      `Cannot make ${what} as 'samples' must be an integer from ${minSamples} to 1000000: current value is ${samples}`,
    );
  }
  if (!(noise >= 0) || !Number.isFinite(noise)) {
    throw new RangeError(
      `Cannot make ${what} as 'noise' must be a finite number >= 0: current value is ${noise}`,
    );
  }
  return { samples, noise, rng: new Rng(seed), shuffle };
}

function checkClasses(what: string, classes: number, min: number): void {
  if (!Number.isInteger(classes) || classes < min || classes > 100) {
    throw new RangeError(
      `Cannot make ${what} as 'classes' must be an integer from ${min} to 100: current value is ${classes}`,
    );
  }
}

/** numpy's `linspace`: `num` points from `start` to `stop`, the last exactly `stop` when `endpoint`. */
function linspace(start: number, stop: number, num: number, endpoint = true): number[] {
  const div = endpoint ? num - 1 : num;
  const step = (stop - start) / div;
  const out: number[] = [];
  for (let i = 0; i < num; i++) out.push(div > 0 ? i * step + start : start);
  if (endpoint && num > 1) out[num - 1] = stop;
  return out;
}

/** Shuffles (when asked), then adds noise, in scikit-learn's order. */
function finish(c: Checked, x: number[][], y: number[], classes: number): Dataset {
  if (c.shuffle) {
    const idx = c.rng.shuffle(x.map((_, i) => i));
    x = idx.map((i) => x[i]);
    y = idx.map((i) => y[i]);
  }
  if (c.noise > 0) {
    for (const p of x) for (let j = 0; j < p.length; j++) p[j] += c.rng.normal(0, c.noise);
  }
  return { x, y, classes };
}

/**
 * Two interleaving half circles, as scikit-learn's `make_moons`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeMoons } from "../../mod.ts";
 * const { x, y, classes } = makeMoons({ samples: 100, noise: 0.1, seed: 1 });
 * assert.equal(x.length, 100);
 * assert.equal(classes, 2);
 * assert.equal(y.filter((c) => c === 1).length, 50);
 * ```
 */
export function makeMoons(options: DatasetOptions = {}): Dataset {
  const c = checkOptions("moons", options);
  const nOut = Math.floor(c.samples / 2);
  const nIn = c.samples - nOut;
  const tOut = linspace(0, Math.PI, nOut);
  const tIn = linspace(0, Math.PI, nIn);
  const x = [
    ...tOut.map((t) => [cos(t), sin(t)]),
    ...tIn.map((t) => [1 - cos(t), 1 - sin(t) - 0.5]),
  ];
  const y = [...tOut.map(() => 0), ...tIn.map(() => 1)];
  return finish(c, x, y, 2);
}

/** Options for {@linkcode makeCircles}. */
export interface CirclesOptions extends DatasetOptions {
  /**
   * The inner circle's radius relative to the outer one's (1).
   *
   * @default {0.8}
   */
  factor?: number;
}

/**
 * A small circle inside a large one, as scikit-learn's `make_circles`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeCircles } from "../../mod.ts";
 * const { x, y } = makeCircles({ samples: 8, factor: 0.5, shuffle: false });
 * assert.deepEqual(x[0], [1, 0]);
 * assert.deepEqual(x[4], [0.5, 0]);
 * assert.deepEqual(y, [0, 0, 0, 0, 1, 1, 1, 1]);
 * ```
 */
export function makeCircles(options: CirclesOptions = {}): Dataset {
  const c = checkOptions("circles", options);
  const factor = options.factor ?? 0.8;
  if (!(factor >= 0 && factor < 1)) {
    throw new RangeError(
      `Cannot make circles as 'factor' must be in [0, 1): current value is ${factor}`,
    );
  }
  const nOut = Math.floor(c.samples / 2);
  const nIn = c.samples - nOut;
  const x = [
    ...linspace(0, 2 * Math.PI, nOut, false).map((t) => [cos(t), sin(t)]),
    ...linspace(0, 2 * Math.PI, nIn, false).map((t) => [
      cos(t) * factor,
      sin(t) * factor,
    ]),
  ];
  const y = [...new Array<number>(nOut).fill(0), ...new Array<number>(nIn).fill(1)];
  return finish(c, x, y, 2);
}

/** Options for {@linkcode makeBlobs}. */
export interface BlobsOptions extends DatasetOptions {
  /**
   * How many clusters (one class each).
   *
   * @default {3}
   */
  classes?: number;
  /**
   * Standard deviation of each cluster.
   *
   * @default {0.5}
   */
  std?: number;
  /**
   * Centers are drawn uniformly from this square.
   *
   * @default {[-3, 3]}
   */
  centerBox?: [number, number];
}

/**
 * `classes` Gaussian clusters in 2-D with centers drawn from `centerBox`, like
 * scikit-learn's `make_blobs`. `noise` is added on top of `std`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeBlobs } from "../../mod.ts";
 * const { y, classes } = makeBlobs({ samples: 90, classes: 3, seed: 2 });
 * assert.equal(classes, 3);
 * assert.equal(y.filter((c) => c === 2).length, 30);
 * ```
 */
export function makeBlobs(options: BlobsOptions = {}): Dataset {
  const { classes = 3, std = 0.5, centerBox = [-3, 3] } = options;
  checkClasses("blobs", classes, 1);
  const c = checkOptions("blobs", options, classes);
  if (!(std >= 0) || !Number.isFinite(std)) {
    throw new RangeError(
      `Cannot make blobs as 'std' must be a finite number >= 0: current value is ${std}`,
    );
  }
  const [lo, hi] = centerBox;
  if (!(lo < hi)) {
    throw new RangeError(
      `Cannot make blobs as 'centerBox' must be [low, high] with low < high: current value is [${centerBox}]`,
    );
  }
  const centers = Array.from(
    { length: classes },
    () => [c.rng.uniform(lo, hi), c.rng.uniform(lo, hi)],
  );
  const x: number[][] = [];
  const y: number[] = [];
  for (let k = 0; k < classes; k++) {
    const n = Math.floor(c.samples / classes) + (k < c.samples % classes ? 1 : 0);
    for (let i = 0; i < n; i++) {
      x.push([c.rng.normal(centers[k][0], std), c.rng.normal(centers[k][1], std)]);
      y.push(k);
    }
  }
  return finish(c, x, y, classes);
}

/**
 * XOR: points uniform in [-1, 1]², kept at least 0.05 from the axes, of
 * class 1 where the two coordinates have opposite signs (as in TensorFlow
 * Playground).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeXor } from "../../mod.ts";
 * const { x, y } = makeXor({ samples: 50, seed: 3 });
 * x.forEach(([a, b], i) => assert.equal(y[i], a * b < 0 ? 1 : 0));
 * ```
 */
export function makeXor(options: DatasetOptions = {}): Dataset {
  const c = checkOptions("xor", options);
  const coord = () => {
    const u = c.rng.uniform(-0.95, 0.95);
    return u >= 0 ? u + 0.05 : u - 0.05;
  };
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < c.samples; i++) {
    const p = [coord(), coord()];
    x.push(p);
    y.push(p[0] * p[1] < 0 ? 1 : 0);
  }
  return finish({ ...c, shuffle: false }, x, y, 2);
}

/** Options for {@linkcode makeSpiral}. */
export interface SpiralOptions extends DatasetOptions {
  /**
   * How many arms (one class each).
   *
   * @default {3}
   */
  classes?: number;
}

/**
 * `classes` interleaved spiral arms, evenly spaced around the origin, each
 * going out to radius 1 while turning through 4 radians; points are
 * `(r sin t, r cos t)`, as in Stanford's CS231n notes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeSpiral } from "../../mod.ts";
 * const { x, classes } = makeSpiral({ samples: 300, classes: 3, seed: 4 });
 * assert.equal(x.length, 300);
 * assert.equal(classes, 3);
 * ```
 */
export function makeSpiral(options: SpiralOptions = {}): Dataset {
  const { classes = 3 } = options;
  checkClasses("a spiral", classes, 2);
  const c = checkOptions("a spiral", options, classes);
  const x: number[][] = [];
  const y: number[] = [];
  for (let k = 0; k < classes; k++) {
    const n = Math.floor(c.samples / classes) + (k < c.samples % classes ? 1 : 0);
    for (let i = 0; i < n; i++) {
      const r = (i + 1) / n;
      const t = (2 * Math.PI * k) / classes + 4 * r;
      x.push([r * sin(t), r * cos(t)]);
      y.push(k);
    }
  }
  return finish(c, x, y, classes);
}

/**
 * TensorFlow Playground's "plane" regression: points uniform in [-6, 6]², the
 * target `(x1 + x2) / 10`, read at a point moved by `noise` times a uniform
 * draw from [-6, 6] in each coordinate (as the Playground does).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeRegPlane } from "../../mod.ts";
 * const { x, y, classes } = makeRegPlane({ samples: 20, seed: 1 });
 * assert.equal(classes, 0);
 * x.forEach(([a, b], i) => assert.ok(Math.abs(y[i] - (a + b) / 10) < 1e-12));
 * ```
 */
export function makeRegPlane(options: DatasetOptions = {}): Dataset {
  return playgroundRegression("a plane", options, (a, b) => (a + b) / 10);
}

/** The six Gaussian bumps of the Playground's "multi Gaussian": center x, y and sign. */
const BUMPS = [[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [
  4,
  -2.5,
  -1,
]];

/**
 * TensorFlow Playground's "multi Gaussian" regression: points uniform in
 * [-6, 6]², the target the bump of largest size among six signed cones
 * `1 - distance / 2` (clamped to [0, 1]) around (±4 or 0, ±2.5).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeRegGauss } from "../../mod.ts";
 * const { y } = makeRegGauss({ samples: 200, seed: 1 });
 * assert.ok(y.every((t) => t >= -1 && t <= 1));
 * assert.ok(y.some((t) => t > 0.5) && y.some((t) => t < -0.5));
 * ```
 */
export function makeRegGauss(options: DatasetOptions = {}): Dataset {
  return playgroundRegression("Gaussians", options, (a, b) => {
    let label = 0;
    for (const [cx, cy, sign] of BUMPS) {
      const d = Math.sqrt((a - cx) ** 2 + (b - cy) ** 2);
      const v = sign * Math.min(1, Math.max(0, 1 - d / 2));
      if (Math.abs(v) > Math.abs(label)) label = v;
    }
    return label;
  });
}

function playgroundRegression(
  what: string,
  options: DatasetOptions,
  target: (a: number, b: number) => number,
): Dataset {
  const c = checkOptions(what, options);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < c.samples; i++) {
    const a = c.rng.uniform(-6, 6);
    const b = c.rng.uniform(-6, 6);
    const na = c.noise > 0 ? c.rng.uniform(-6, 6) * c.noise : 0;
    const nb = c.noise > 0 ? c.rng.uniform(-6, 6) * c.noise : 0;
    x.push([a, b]);
    y.push(target(a + na, b + nb));
  }
  return { x, y, classes: 0 };
}

/**
 * A 1-D regression: x uniform in [-3, 3], the target `sin(x)` plus Gaussian
 * noise of standard deviation `noise`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeSine } from "../../mod.ts";
 * const { x, y } = makeSine({ samples: 10, seed: 2 });
 * x.forEach(([t], i) => assert.equal(y[i], Math.sin(t)));
 * ```
 */
export function makeSine(options: DatasetOptions = {}): Dataset {
  const c = checkOptions("a sine", options);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < c.samples; i++) {
    const t = c.rng.uniform(-3, 3);
    x.push([t]);
    y.push(sin(t) + (c.noise > 0 ? c.rng.normal(0, c.noise) : 0));
  }
  return { x, y, classes: 0 };
}

/** Options for {@linkcode trainTestSplit}. */
export interface SplitOptions {
  /**
   * The share of samples held out for testing, in [0, 1).
   *
   * @default {0.25}
   */
  testFraction?: number;
  /**
   * Seed of the shuffle.
   *
   * @default {0}
   */
  seed?: number;
}

/**
 * Shuffles a dataset and splits it; the test part gets `ceil(n * testFraction)`
 * samples, as scikit-learn's `train_test_split`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeMoons, trainTestSplit } from "../../mod.ts";
 * const { train, test } = trainTestSplit(makeMoons(), { testFraction: 0.2 });
 * assert.equal(train.x.length, 80);
 * assert.equal(test.x.length, 20);
 * ```
 *
 * @throws {RangeError} when `testFraction` is outside [0, 1) or leaves no training sample.
 */
export function trainTestSplit(
  data: Dataset,
  options: SplitOptions = {},
): { train: Dataset; test: Dataset } {
  const { testFraction = 0.25, seed = 0 } = options;
  if (!(testFraction >= 0 && testFraction < 1)) {
    throw new RangeError(
      `Cannot split the data as 'testFraction' must be in [0, 1): current value is ${testFraction}`,
    );
  }
  const n = data.x.length;
  const nTest = Math.ceil(n * testFraction);
  if (n - nTest < 1) {
    throw new RangeError(
      `Cannot split the data as no training sample would be left: ${n} samples, 'testFraction' is ${testFraction}`,
    );
  }
  const idx = new Rng(seed).shuffle(data.x.map((_, i) => i));
  const pick = (ids: number[]): Dataset => ({
    ...data,
    x: ids.map((i) => data.x[i]),
    y: ids.map((i) => data.y[i]),
  });
  return { test: pick(idx.slice(0, nTest)), train: pick(idx.slice(nTest)) };
}
