/**
 * `exp`, `log`, `log1p`, `sin` and `cos` written in plain JavaScript
 * arithmetic (ported from FreeBSD's msun, which comes from Sun's fdlibm), so
 * that they give the same bits on every JavaScript engine. `Math.exp` and
 * the others are not pinned down by the standard: Deno's V8 and Chromium's
 * differ in the last bit for some arguments, and a run in the browser would
 * then drift from the same run in the CLI. Each is within an ulp or so of the
 * exact result.
 *
 * ====================================================
 * Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
 *
 * Developed at SunPro, a Sun Microsystems, Inc. business.
 * Permission to use, copy, modify, and distribute this
 * software is freely granted, provided that this notice
 * is preserved.
 * ====================================================
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cos, exp, log, sin } from "./math.ts";
 * assert.equal(exp(0), 1);
 * assert.equal(log(1), 0);
 * assert.ok(Math.abs(exp(1) - Math.E) <= Number.EPSILON * 4);
 * assert.ok(Math.abs(sin(1) ** 2 + cos(1) ** 2 - 1) < 1e-15);
 * ```
 *
 * @module
 */

const view = new DataView(new ArrayBuffer(8));

/** The high 32 bits of a double, as a signed integer. */
function high(x: number): number {
  view.setFloat64(0, x);
  return view.getInt32(0);
}

/** `x` with its high 32 bits replaced. */
function withHigh(x: number, h: number): number {
  view.setFloat64(0, x);
  view.setInt32(0, h);
  return view.getFloat64(0);
}

/** The low 32 bits of a double. */
function low(x: number): number {
  view.setFloat64(0, x);
  return view.getUint32(4);
}

const LN2_HI = 6.93147180369123816490e-01;
const LN2_LO = 1.90821492927058770002e-10;

/**
 * e to the power `x`, the same bits on every engine.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exp } from "./math.ts";
 * assert.equal(exp(-Infinity), 0);
 * assert.ok(Math.abs(exp(2) / Math.exp(2) - 1) < 1e-15);
 * ```
 */
export function exp(x: number): number {
  let h = high(x);
  const negative = (h >>> 31) & 1;
  h &= 0x7fffffff;
  if (h >= 0x40862e42) {
    if (Number.isNaN(x)) return x;
    if (x > 7.09782712893383973096e+02) return Infinity;
    if (x < -7.45133219101941108420e+02) return 0;
  }
  let k = 0;
  let hi = 0;
  let lo = 0;
  if (h > 0x3fd62e42) {
    // Argument reduction: x = k ln2 + r, |r| <= ln2 / 2.
    if (h < 0x3ff0a2b2) {
      hi = x - (negative ? -LN2_HI : LN2_HI);
      lo = negative ? -LN2_LO : LN2_LO;
      k = 1 - negative - negative;
    } else {
      k = (1.44269504088896338700e+00 * x + (negative ? -0.5 : 0.5)) | 0;
      hi = x - k * LN2_HI;
      lo = k * LN2_LO;
    }
    x = hi - lo;
  } else if (h < 0x3e300000) {
    return 1 + x;
  }
  const t = x * x;
  const c = x - t * (1.66666666666666019037e-01 +
        t * (-2.77777777770155933842e-03 +
            t * (6.61375632143793436117e-05 +
                t * (-1.65339022054652515390e-06 + t * 4.13813679705723846039e-08))));
  if (k === 0) return 1 - ((x * c) / (c - 2.0) - x);
  const y = 1 - ((lo - (x * c) / (2.0 - c)) - hi);
  if (k >= -1021) {
    if (k === 1024) return withHigh(y, high(y) + (1023 << 20)) * 2;
    return withHigh(y, high(y) + (k << 20));
  }
  return withHigh(y, high(y) + ((k + 1000) << 20)) * 9.33263618503218878990e-302;
}

/**
 * The natural logarithm of `x`, the same bits on every engine.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { log } from "./math.ts";
 * assert.equal(log(0), -Infinity);
 * assert.ok(Number.isNaN(log(-1)));
 * assert.ok(Math.abs(log(10) / Math.LN10 - 1) < 1e-15);
 * ```
 */
export function log(x: number): number {
  let hx = high(x);
  const lx = low(x);
  let k = 0;
  if (hx < 0x00100000) {
    if (((hx & 0x7fffffff) | lx) === 0) return -Infinity;
    if (hx < 0) return NaN;
    // A subnormal: scale it up.
    k -= 54;
    x *= 1.80143985094819840000e+16;
    hx = high(x);
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const i = (hx + 0x95f64) & 0x100000;
  // x or x / 2, normalized into [sqrt(2)/2, sqrt(2)].
  x = withHigh(x, hx | (i ^ 0x3ff00000));
  k += i >> 20;
  const f = x - 1.0;
  const dk = k;
  if ((0x000fffff & (2 + hx)) < 3) {
    if (f === 0) return k === 0 ? 0 : dk * LN2_HI + dk * LN2_LO;
    const r = f * f * (0.5 - 0.33333333333333333 * f);
    return k === 0 ? f - r : dk * LN2_HI - ((r - dk * LN2_LO) - f);
  }
  const s = f / (2.0 + f);
  const z = s * s;
  const w = z * z;
  const t1 = w *
    (3.999999999940941908e-01 + w * (2.222219843214978396e-01 + w * 1.531383769920937332e-01));
  const t2 = z * (6.666666666666735130e-01 +
    w * (2.857142874366239149e-01 + w * (1.818357216161805012e-01 + w * 1.479819860511658591e-01)));
  const r = t2 + t1;
  if (((hx - 0x6147a) | (0x6b851 - hx)) > 0) {
    const hfsq = 0.5 * f * f;
    return k === 0
      ? f - (hfsq - s * (hfsq + r))
      : dk * LN2_HI - ((hfsq - (s * (hfsq + r) + dk * LN2_LO)) - f);
  }
  return k === 0 ? f - s * (f - r) : dk * LN2_HI - ((s * (f - r) - dk * LN2_LO) - f);
}

/**
 * log(1 + x), accurate for small `x`, the same bits on every engine.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { log1p } from "./math.ts";
 * assert.equal(log1p(1e-20), 1e-20);
 * assert.ok(Math.abs(log1p(1) / Math.LN2 - 1) < 1e-15);
 * ```
 */
export function log1p(x: number): number {
  const u = 1 + x;
  // Goldberg's correction: the rounding of 1 + x cancels out.
  if (u === 1) return x;
  if (u === Infinity) return Infinity;
  return log(u) * x / (u - 1);
}

function kernelSin(x: number, y: number, tail: boolean): number {
  if ((high(x) & 0x7fffffff) < 0x3e400000 && (x | 0) === 0) return x;
  const z = x * x;
  const v = z * x;
  const r = 8.33333333332248946124e-03 + z * (-1.98412698298579493134e-04 +
        z *
          (2.75573137070700676789e-06 +
            z * (-2.50507602534068634195e-08 + z * 1.58969099521155010221e-10)));
  if (!tail) return x + v * (-1.66666666666666324348e-01 + z * r);
  return x - ((z * (0.5 * y - v * r) - y) - v * -1.66666666666666324348e-01);
}

function kernelCos(x: number, y: number): number {
  const ix = high(x) & 0x7fffffff;
  if (ix < 0x3e400000 && (x | 0) === 0) return 1;
  const z = x * x;
  const r = z * (4.16666666666666019037e-02 + z * (-1.38888888888741095749e-03 +
        z * (2.48015872894767294178e-05 + z * (-2.75573143513906633035e-07 +
                z * (2.08757232129817482790e-09 + z * -1.13596475577881948265e-11)))));
  if (ix < 0x3fd33333) return 1 - (0.5 * z - (z * r - x * y));
  const qx = ix > 0x3fe90000 ? 0.28125 : withHigh(0, ix - 0x00200000);
  const hz = 0.5 * z - qx;
  const a = 1 - qx;
  return a - (hz - (z * r - x * y));
}

/** `x - n pi/2` as a head and a tail, and n; `undefined` when |x| is too large (over 2^19 pi/2). */
function reduce(x: number): [number, number, number] | undefined {
  const hx = high(x);
  const ix = hx & 0x7fffffff;
  if (ix > 0x413921fb) return undefined;
  const t0 = Math.abs(x);
  const n = (t0 * 6.36619772367581382433e-01 + 0.5) | 0;
  const fn = n;
  let r = t0 - fn * 1.57079632673412561417e+00;
  let w = fn * 6.07710050650619224932e-11;
  const j = ix >> 20;
  let y0 = r - w;
  let i = j - ((high(y0) >> 20) & 0x7ff);
  if (i > 16) {
    let t = r;
    w = fn * 6.07710050630396597660e-11;
    r = t - w;
    w = fn * 2.02226624879595063154e-21 - ((t - r) - w);
    y0 = r - w;
    i = j - ((high(y0) >> 20) & 0x7ff);
    if (i > 49) {
      t = r;
      w = fn * 2.02226624871116645580e-21;
      r = t - w;
      w = fn * 8.47842766036889956997e-32 - ((t - r) - w);
      y0 = r - w;
    }
  }
  const y1 = (r - y0) - w;
  return hx < 0 ? [-y0, -y1, -n] : [y0, y1, n];
}

/**
 * The sine of `x` (radians), the same bits on every engine for |x| up to
 * about 823,000 (beyond, `Math.sin`'s).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sin } from "./math.ts";
 * assert.equal(sin(0), 0);
 * assert.ok(Math.abs(sin(Math.PI / 6) - 0.5) < 1e-15);
 * ```
 */
export function sin(x: number): number {
  if ((high(x) & 0x7fffffff) <= 0x3fe921fb) return kernelSin(x, 0, false);
  if (!Number.isFinite(x)) return NaN;
  const reduced = reduce(x);
  if (reduced === undefined) return Math.sin(x);
  const [a, b, n] = reduced;
  switch (n & 3) {
    case 0:
      return kernelSin(a, b, true);
    case 1:
      return kernelCos(a, b);
    case 2:
      return -kernelSin(a, b, true);
    default:
      return -kernelCos(a, b);
  }
}

/**
 * The cosine of `x` (radians), the same bits on every engine for |x| up to
 * about 823,000 (beyond, `Math.cos`'s).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cos } from "./math.ts";
 * assert.equal(cos(0), 1);
 * assert.ok(Math.abs(cos(Math.PI / 3) - 0.5) < 1e-15);
 * ```
 */
export function cos(x: number): number {
  if ((high(x) & 0x7fffffff) <= 0x3fe921fb) return kernelCos(x, 0);
  if (!Number.isFinite(x)) return NaN;
  const reduced = reduce(x);
  if (reduced === undefined) return Math.cos(x);
  const [a, b, n] = reduced;
  switch (n & 3) {
    case 0:
      return kernelCos(a, b);
    case 1:
      return -kernelSin(a, b, true);
    case 2:
      return -kernelCos(a, b);
    default:
      return kernelSin(a, b, true);
  }
}
