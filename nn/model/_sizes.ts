/**
 * Size checks shared by the model's builders: each runs before anything is
 * allocated.
 *
 * @module
 */

/**
 * The most parameters a model (or a layer, or a neuron) may have: checked
 * before anything is allocated, so a mistyped size fails at once instead of
 * running out of memory.
 */
export const MAX_PARAMETERS = 2 ** 24;

/**
 * Refuses a size that is not a positive integer: a `TypeError` for a
 * non-number, a `RangeError` for a number out of range.
 */
export function checkSize(what: string, path: string, n: unknown): void {
  if (typeof n !== "number") {
    throw new TypeError(
      `Cannot build ${what} as '${path}' must be a positive integer: current value is ${
        typeof n === "string" ? JSON.stringify(n.slice(0, 40)) : typeof n
      }`,
    );
  }
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(
      `Cannot build ${what} as '${path}' must be a positive integer: current value is ${n}`,
    );
  }
}

/** Refuses a parameter count over {@linkcode MAX_PARAMETERS}, before allocating. */
export function checkParameterCount(what: string, count: number): void {
  if (count > MAX_PARAMETERS) {
    throw new RangeError(
      `Cannot build ${what} as it must have at most ${MAX_PARAMETERS} parameters: current count is ${count}`,
    );
  }
}
