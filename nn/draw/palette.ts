/**
 * The one palette of every picture (`network_svg.ts`, `plot_svg.ts`, and the
 * report page, which imports it): TensorFlow Playground's orange-grey-blue
 * scale means a sign, and nothing else, except in the one case where a class
 * *is* a sign.
 *
 * The rule: orange and blue are the sign of a number (a weight, a neuron's
 * output, a score). Two classes told apart by the sign of one output take
 * them too (class 0 orange, the negative side; class 1 blue), since there the
 * class and the sign are one fact. Otherwise, with three or more classes or
 * with one output per class, classes take {@linkcode CLASS_COLOURS}, a
 * categorical palette that holds no orange and no blue, so no class colour
 * ever reads as a sign. The lines of runs and curves take
 * {@linkcode SERIES_COLOURS}.
 *
 * @module
 */

/** Orange: negative values, and class 0 of two classes told apart by one output's sign. */
export const NEGATIVE: readonly number[] = [0xf5, 0x93, 0x22];
/** Light grey: zero. */
export const ZERO: readonly number[] = [0xe8, 0xea, 0xeb];
/** Blue: positive values, and class 1 of two classes told apart by one output's sign. */
export const POSITIVE: readonly number[] = [0x08, 0x77, 0xbd];

/**
 * Class colours when classes are not signs: Tableau 10 without its blue,
 * orange and cyan, then two dark ones; none near {@linkcode NEGATIVE} or
 * {@linkcode POSITIVE}.
 */
export const CLASS_COLOURS: readonly string[] = [
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#e377c2",
  "#8c564b",
  "#bcbd22",
  "#7f7f7f",
  "#1b5e20",
  "#4a148c",
  "#212121",
];

/**
 * Series colours: the line of each run or curve, by position (Tableau 10, as
 * Matplotlib's default cycle), cycled through by {@linkcode seriesColour}. A
 * series is neither a sign nor a class: its blue and orange are Tableau's, not
 * {@linkcode POSITIVE} and {@linkcode NEGATIVE}.
 */
export const SERIES_COLOURS: readonly string[] = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
];

/**
 * The colour of series `k` as `#rrggbb`: {@linkcode SERIES_COLOURS} in turn,
 * from the first again after the last.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { seriesColour } from "./palette.ts";
 * assert.equal(seriesColour(0), "#1f77b4");
 * assert.equal(seriesColour(10), seriesColour(0)); // ten colours, then again
 * ```
 */
export function seriesColour(k: number): string {
  return SERIES_COLOURS[k % SERIES_COLOURS.length];
}

/**
 * The one diverging rule: `t` in [-1, 1] (0 for a non-finite `t`) from
 * `ground` at 0 to `reach` of the way to the sign's colour at ±1, rounded,
 * into `rgb` at `at`.
 */
function diverge(
  t: number,
  ground: readonly number[],
  reach: number,
  rgb: Uint8Array | number[],
  at: number,
): void {
  const c = Number.isFinite(t) ? Math.max(-1, Math.min(1, t)) : 0;
  const far = c < 0 ? NEGATIVE : POSITIVE;
  const k = Math.abs(c) * reach;
  for (let i = 0; i < 3; i++) rgb[at + i] = Math.round(ground[i] + (far[i] - ground[i]) * k);
}

/** The colour of `t` in [-1, 1] on the scale (0 for a non-finite `t`), into `rgb` at `at`. */
export function scaleColour(t: number, rgb: Uint8Array | number[], at: number): void {
  diverge(t, ZERO, 1, rgb, at);
}

/**
 * The colour of `t` in [-1, 1] as a page shades a plane over its `paper`
 * (`[r, g, b]`, the card's colour): orange below 0 and blue above, fading
 * into `paper` at 0 and three quarters of the way to the far colour at ±1, so
 * that points drawn on it stand out (0 for a non-finite `t`); into `rgb` at
 * `at`, rounded. The report's decision boundary and, on a dark page, the
 * network's tiles use it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { paperColour } from "./palette.ts";
 * const rgb = [0, 0, 0];
 * paperColour(0, [0x15, 0x1b, 0x23], rgb, 0);
 * assert.deepEqual(rgb, [0x15, 0x1b, 0x23]); // 0 is the paper itself
 * ```
 */
export function paperColour(
  t: number,
  paper: readonly number[],
  rgb: Uint8Array | number[],
  at: number,
): void {
  diverge(t, paper, 0.75, rgb, at);
}

/**
 * The colour of class `k` of `classes` as `#rrggbb`, for a model of `outputs`
 * outputs: the sign colours for two classes and one output, else
 * {@linkcode CLASS_COLOURS}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { classColour } from "./palette.ts";
 * assert.equal(classColour(1, 2, 1), "#0877bd"); // the positive side of the one output
 * assert.equal(classColour(1, 3, 3), "#d62728"); // no blue or orange for 3 classes
 * ```
 */
export function classColour(k: number, classes: number, outputs: number = 1): string {
  if (classes <= 2 && outputs === 1) return hexOf(k === 0 ? NEGATIVE : POSITIVE);
  return CLASS_COLOURS[((k % CLASS_COLOURS.length) + CLASS_COLOURS.length) % CLASS_COLOURS.length];
}

/** `[r, g, b]` as `#rrggbb`. */
export function hexOf(rgb: readonly number[]): string {
  return `#${rgb.map((v) => v.toString(16).padStart(2, "0")).join("")}`;
}

/** A colour as `#rrggbb`, the form {@linkcode rgbOf} reads. */
export const HEX_COLOUR: RegExp = /^#[0-9a-f]{6}$/i;

/**
 * `#rrggbb` as `[r, g, b]`, {@linkcode hexOf} undone.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hexOf, rgbOf } from "./palette.ts";
 * assert.deepEqual(rgbOf("#0877bd"), [8, 119, 189]);
 * assert.equal(hexOf(rgbOf("#f59322")), "#f59322");
 * ```
 */
export function rgbOf(hex: string): [number, number, number] {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}
