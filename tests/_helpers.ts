/**
 * Helpers shared by the tests: reading the reference data and comparing numbers.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Value } from "../mod.ts";

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
