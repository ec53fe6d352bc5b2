/**
 * Helpers shared by the tests: reading the reference data and comparing numbers.
 *
 * @module
 */
import assert from "node:assert/strict";
import { HEX_COLOUR, resolveSettings, rgbOf, type TrainSettings, type Value } from "../mod.ts";
import { makeTrainSpec, type StartMessage } from "../workers/protocol.ts";

/** `tests/reference/train_trajectory.json`: micrograd's demo run replayed in PyTorch. */
export interface Trajectory {
  sizes: number[];
  alpha: number;
  X: number[][];
  y: number[];
  "init_params": number[];
  "first_step_grads": number[];
  losses: number[];
  accuracies: number[];
  "final_params": number[];
}

/** Reads a file of `tests/reference/` as JSON. */
export function readReference<T>(name: string): T {
  return JSON.parse(Deno.readTextFileSync(new URL(`./reference/${name}`, import.meta.url)));
}

/** Reads a file of `tests/reference/` as text. */
export function readReferenceText(name: string): string {
  return Deno.readTextFileSync(new URL(`./reference/${name}`, import.meta.url));
}

/** Asserts `|got - want| <= tol * max(1, |want|)`, treating NaN = NaN and equal infinities as close. */
export function assertClose(got: number, want: number, tol: number, what = ""): void {
  if (Number.isNaN(want)) {
    assert.ok(Number.isNaN(got), `${what}: got ${got}, want NaN`);
    return;
  }
  if (!Number.isFinite(want)) {
    assert.equal(got, want, what);
    return;
  }
  const err = Math.abs(got - want);
  assert.ok(
    err <= tol * Math.max(1, Math.abs(want)),
    `${what}: got ${got}, want ${want} (error ${err}, tolerance ${tol})`,
  );
}

/**
 * The derivative of `f` at the leaves' current values by central differences,
 * one leaf at a time.
 */
export function numericGrads(leaves: Value[], f: () => Value, h = 1e-6): number[] {
  return leaves.map((leaf) => {
    const x = leaf.data;
    leaf.data = x + h;
    const up = f().data;
    leaf.data = x - h;
    const down = f().data;
    leaf.data = x;
    return (up - down) / (2 * h);
  });
}

/** Checks `backward()`'s grads of `f` against central differences. */
export function assertGradsMatchNumeric(
  leaves: Value[],
  f: () => Value,
  tol = 1e-6,
  what = "grad",
): void {
  const want = numericGrads(leaves, f);
  for (const leaf of leaves) leaf.grad = 0;
  f().backward();
  leaves.forEach((leaf, i) => assertClose(leaf.grad, want[i], tol, `${what}[${i}]`));
}

/**
 * A well-formed start message for the worker: the settings (defaults from the
 * table) on `data`, with the model's shape from `layers`.
 */
export function startMessage(
  data: { x: number[][]; y: number[]; classes: number },
  settings: Partial<TrainSettings> = {},
  run: { grid?: number; chunkMs?: number } = {},
): StartMessage {
  const problem = data.classes === 0 ? "regression" : "classification";
  const config = resolveSettings({ classes: data.classes, problem, ...settings });
  const nin = data.x[0].length;
  const inputs = Array.from({ length: nin }, (_, i) => `x${i + 1}`);
  const width = data.classes === 2 && config.loss !== "ce" ? 1 : Math.max(1, data.classes);
  return {
    type: "start",
    spec: makeTrainSpec(config, {
      nin,
      nouts: [...config.layers, width],
      inputs,
      features: inputs,
    }),
    train: data,
    grid: run.grid ?? 0,
    chunkMs: run.chunkMs ?? 50,
  };
}

/** A colour as numbers: `[r, g, b]`. */
export type Rgb = readonly [number, number, number];

/** `[r, g, b]` of an opaque colour as a page computes it (`rgb(r, g, b)`, `rgba(r, g, b, 1)`) or of `#rrggbb`. */
export function cssRgb(css: string): Rgb {
  if (HEX_COLOUR.test(css)) return rgbOf(css);
  const m = css.match(/^rgba?\((\d+), ?(\d+), ?(\d+)(?:, ?1)?\)$/);
  assert.ok(m, `an opaque colour: ${css}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** WCAG's contrast ratio of two opaque colours, from 1 (the same) to 21 (black on white). */
export function contrast(a: string | Rgb, b: string | Rgb): number {
  const luminance = (c: string | Rgb) => {
    const [r, g, bl] = (typeof c === "string" ? cssRgb(c) : c).map((v) => {
      const s = v / 255;
      return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}
