/**
 * This machine's limit for the compiled path's kind of arithmetic, measured:
 * a WebAssembly loop that keeps 12 two-lane `f64x2` sums in registers and
 * updates each with one `f64x2.mul` and one `f64x2.add` per turn (no fused
 * multiply-add, no memory traffic), as the kernels' inner loops do. Its
 * GFLOP/s is what the kernels could reach at best; `bench/report.ts` divides
 * each kernel's GFLOP/s by it. The module is written by the kernels' own
 * assembler (`nn/compiled/simd_peak.ts`).
 *
 *     deno run bench/simd_peak.ts
 *
 * @module
 */
import { simdPeakModuleBytes } from "../nn/compiled/simd_peak.ts";
import { median } from "./_job.ts";

/** Independent sums the loop keeps (12 of the 16 xmm registers, with the two constants). */
export const PEAK_SUMS = 12;

/** Floating-point operations per turn of the loop: per sum, 2 lanes of a multiply and an add. */
export const PEAK_FLOPS_PER_TURN = PEAK_SUMS * 2 * 2;

/** The multiplier and the addend of every update `s = s * M + C` (its fixed point is 1). */
export const PEAK_M = 0.9999999;
/** See {@linkcode PEAK_M}. */
export const PEAK_C = 1e-7;

/** The start of sum `i`. */
export function peakStart(i: number): number {
  return 0.5 + i / 64;
}

/**
 * The module's bytes: one export `run(turns: i32) -> f64` that runs the loop
 * `turns` times (`turns` >= 1) and returns the sum of every sum's first lane.
 */
export function peakModuleBytes(): Uint8Array<ArrayBuffer> {
  const starts = Array.from({ length: PEAK_SUMS }, (_, i) => peakStart(i));
  return simdPeakModuleBytes(starts, PEAK_M, PEAK_C);
}

/** The loop, compiled: `run(turns)` as {@linkcode peakModuleBytes} says. */
export function peakLoop(): (turns: number) => number {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(peakModuleBytes()));
  return instance.exports.run as (turns: number) => number;
}

/** The SIMD peak measured: the best and the median GFLOP/s of `reps` timed calls. */
export interface SimdPeak {
  /** The fastest call's GFLOP/s: the machine's limit, as near as this run saw it. */
  best: number;
  /** The median call's. */
  median: number;
}

/** Times the loop: a warm-up (so V8's optimizing tier compiles it), then `reps` calls of ~`ms` each. */
export function measureSimdPeak(reps = 7, ms = 50): SimdPeak {
  const run = peakLoop();
  let turns = 100_000;
  for (let i = 0; i < 5; i++) run(turns);
  // Size the calls to about `ms` each.
  const t0 = performance.now();
  run(turns);
  const once = Math.max(performance.now() - t0, 0.01);
  turns = Math.max(1000, Math.round(turns * ms / once));
  const rates: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    run(turns);
    rates.push(turns * PEAK_FLOPS_PER_TURN / ((performance.now() - t) * 1e6));
  }
  return { best: Math.max(...rates), median: median(rates) };
}

if (import.meta.main) {
  const peak = measureSimdPeak();
  console.log(
    `f64x2 mul + add, registers only: ${peak.best.toFixed(1)} GFLOP/s best, ${
      peak.median.toFixed(1)
    } median`,
  );
}
