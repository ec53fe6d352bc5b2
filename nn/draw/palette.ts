/**
 * TensorFlow Playground's orange-grey-blue scale, shared by the pictures
 * (`network_svg.ts`, `plot_svg.ts`).
 *
 * @module
 */

/** Orange: negative values, the first of two classes. */
export const NEGATIVE: readonly number[] = [0xf5, 0x93, 0x22];
/** Light grey: zero. */
export const ZERO: readonly number[] = [0xe8, 0xea, 0xeb];
/** Blue: positive values, the second of two classes. */
export const POSITIVE: readonly number[] = [0x08, 0x77, 0xbd];

/** The colour of `t` in [-1, 1] on the scale (0 for a non-finite `t`), into `rgb` at `at`. */
export function scaleColour(t: number, rgb: Uint8Array | number[], at: number): void {
  const c = Number.isFinite(t) ? Math.max(-1, Math.min(1, t)) : 0;
  const far = c < 0 ? NEGATIVE : POSITIVE;
  const k = Math.abs(c);
  for (let i = 0; i < 3; i++) rgb[at + i] = Math.round(ZERO[i] + (far[i] - ZERO[i]) * k);
}
