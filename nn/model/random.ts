/**
 * A small seeded pseudo-random generator, so that the same seed gives the
 * same numbers on every machine and every JavaScript engine.
 *
 * @module
 */
import { cos, log } from "../../engine/math.ts";

/** Checks a seed and returns it as a 32-bit unsigned integer. */
function seedToUint32(seed: number): number {
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(
      `Cannot seed the generator as 'seed' must be a safe integer: current value is ${seed}`,
    );
  }
  // Fold the high bits in, so that seeds past 2^32 still differ.
  return (seed ^ Math.floor(seed / 0x1_0000_0000)) >>> 0;
}

/**
 * xoshiro128** (Blackman and Vigna, 2018), seeded through SplitMix32. It uses
 * only 32-bit integer arithmetic (`Math.imul`, shifts), so its output is the
 * same everywhere. Not for cryptography.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Rng } from "../../mod.ts";
 * const a = new Rng(42);
 * const b = new Rng(42);
 * assert.equal(a.float(), b.float());
 * assert.notEqual(new Rng(1).float(), new Rng(2).float());
 * ```
 */
export class Rng {
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;

  /**
   * Makes a generator from an integer seed.
   *
   * @throws {RangeError} when `seed` is not a safe integer.
   */
  constructor(seed: number) {
    let x = seedToUint32(seed);
    const splitmix = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.#s0 = splitmix();
    this.#s1 = splitmix();
    this.#s2 = splitmix();
    this.#s3 = splitmix();
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    const s1 = this.#s1;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.#s2 ^= this.#s0;
    this.#s3 ^= s1;
    this.#s1 ^= this.#s2;
    this.#s0 ^= this.#s3;
    this.#s2 ^= t;
    this.#s3 = rotl(this.#s3, 11);
    return r;
  }

  /** A float in [0, 1) with 53 random bits. */
  float(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A float in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.float();
  }

  /** A normal sample (Box-Muller). */
  normal(mean = 0, std = 1): number {
    const u = 1 - this.float(); // (0, 1]: log(u) is finite
    const v = this.float();
    return mean + std * Math.sqrt(-2 * log(u)) * cos(2 * Math.PI * v);
  }

  /**
   * An integer in [0, n), without modulo bias.
   *
   * @throws {RangeError} when `n` is not an integer from 1 to 2^32.
   */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 0x1_0000_0000) {
      throw new RangeError(
        `Cannot draw an integer as 'n' must be an integer from 1 to 2^32: current value is ${n}`,
      );
    }
    const limit = 0x1_0000_0000 - (0x1_0000_0000 % n);
    let r = this.nextUint32();
    while (r >= limit) r = this.nextUint32();
    return r % n;
  }

  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
