/**
 * The loop that measures this machine's limit for the compiled path's kind
 * of arithmetic, written with the kernels' own assembler (`_simd.ts`):
 * `f64x2` sums held in registers, each updated with one `f64x2.mul` and one
 * `f64x2.add` per turn (no fused multiply-add, no memory traffic), as the
 * kernels' inner loops do. For `bench/simd_peak.ts`, which times it; not a
 * part of the library's API (`mod.ts` does not export it).
 *
 * @module
 */
import { type Code, F64, type Fn, module, op } from "./_simd.ts";

/**
 * The bytes of a module with one export, `run(turns: i32) -> f64`: it starts
 * sum `i` at `starts[i]` in both lanes, runs `s = s * m + c` on every sum
 * `turns` times (`turns` >= 1), and returns the sum of every sum's first lane.
 */
export function simdPeakModuleBytes(
  starts: readonly number[],
  m: number,
  c: number,
): Uint8Array<ArrayBuffer> {
  // Locals: 0 the turns (the parameter), 1 the multiplier, 2 the addend, 3.. the sums.
  const sums = starts.map((_, i) => 3 + i);
  const splat = (x: number, local: number): Code => [...op.f64(x), ...op.fSplat, ...op.set(local)];
  // s = s * m + c
  const update = (s: number): Code => [
    ...op.get(s),
    ...op.get(1),
    ...op.fMul,
    ...op.get(2),
    ...op.fAdd,
    ...op.set(s),
  ];
  const body: Code = [
    ...splat(m, 1),
    ...splat(c, 2),
    ...sums.flatMap((s, i) => splat(starts[i], s)),
    ...op.loop,
    ...sums.flatMap(update),
    // turns -= 1; again while it is not 0
    ...op.get(0),
    ...op.i32(1),
    ...op.sub,
    ...op.tee(0),
    ...op.brIf(0),
    ...op.end,
    ...op.f64(0),
    ...sums.flatMap((s) => [...op.get(s), ...op.fExtractLane(0), ...op.f64Add]),
  ];
  const run: Fn = { params: 1, i32s: 0, v128s: sums.length + 2, body, result: F64 };
  return module([run], ["run"], undefined);
}
