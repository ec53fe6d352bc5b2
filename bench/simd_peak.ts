/**
 * This machine's limit for the compiled path's kind of arithmetic, measured:
 * a WebAssembly loop that keeps 12 two-lane `f64x2` sums in registers and
 * updates each with one `f64x2.mul` and one `f64x2.add` per turn (no fused
 * multiply-add, no memory traffic), as the kernels' inner loops do. Its
 * GFLOP/s is what the kernels could reach at best; `bench/report.ts` divides
 * each kernel's GFLOP/s by it.
 *
 *     deno run bench/simd_peak.ts
 *
 * @module
 */
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

function f64(x: number): number[] {
  return [...new Uint8Array(new Float64Array([x]).buffer)];
}

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

/**
 * The module's bytes: one export `run(turns: i32) -> f64` that runs the loop
 * `max(turns, 1)` times and returns the sum of every sum's first lane.
 */
export function peakModuleBytes(): Uint8Array<ArrayBuffer> {
  const SIMD = 0xfd;
  const splat = [SIMD, 0x14];
  const mul = [SIMD, ...uleb(0xf2)];
  const add = [SIMD, ...uleb(0xf0)];
  const extractLane0 = [SIMD, 0x21, 0];
  const get = (i: number) => [0x20, ...uleb(i)];
  const set = (i: number) => [0x21, ...uleb(i)];
  // Locals: 0 the turns (param), 1 the multiplier, 2 the addend, 3.. the sums.
  const code: number[] = [0x44, ...f64(PEAK_M), ...splat, ...set(1)];
  code.push(0x44, ...f64(PEAK_C), ...splat, ...set(2));
  for (let i = 0; i < PEAK_SUMS; i++) {
    code.push(0x44, ...f64(peakStart(i)), ...splat, ...set(3 + i));
  }
  code.push(0x03, 0x40); // loop
  for (let i = 0; i < PEAK_SUMS; i++) {
    code.push(...get(3 + i), ...get(1), ...mul, ...get(2), ...add, ...set(3 + i));
  }
  // turns -= 1; continue while it is not 0
  code.push(...get(0), 0x41, 1, 0x6b, 0x22, 0, 0x0d, 0, 0x0b);
  code.push(0x44, ...f64(0));
  for (let i = 0; i < PEAK_SUMS; i++) code.push(...get(3 + i), ...extractLane0, 0xa0);
  code.push(0x0b);
  const body = [1, ...uleb(PEAK_SUMS + 2), 0x7b, ...code];
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, [1, 0x60, 1, 0x7f, 1, 0x7c]),
    ...section(3, [1, 0]),
    ...section(7, [1, 3, ..."run".split("").map((c) => c.charCodeAt(0)), 0, 0]),
    ...section(10, [1, ...uleb(body.length), ...body]),
  ]);
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
