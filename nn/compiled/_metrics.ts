/**
 * Metrics over flat output arrays, shared by the compiled model and the
 * batched evaluation.
 *
 * @module
 */

/**
 * How many of `n` samples are classified right: with one output, class 1
 * when it is above 0; else the first largest output, as `predictClass()`.
 * `cls[s]` is sample `s`'s class (a -1 label counts as class 0).
 */
export function countCorrect(
  out: Float64Array,
  k: number,
  cls: ArrayLike<number>,
  n: number,
): number {
  let right = 0;
  for (let s = 0; s < n; s++) {
    let got = 0;
    if (k === 1) got = out[s] > 0 ? 1 : 0;
    else for (let j = 1; j < k; j++) if (out[s * k + j] > out[s * k + got]) got = j;
    if (got === (cls[s] === -1 ? 0 : cls[s])) right++;
  }
  return right;
}
