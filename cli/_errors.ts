/**
 * The errors the CLI turns into one line on stderr and an exit code.
 *
 * @module
 */

/** Bad usage or bad input: exit code 2, nothing written. */
export class UsageError extends Error {
  /** Makes the error; `message` is the one line the user sees. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Exit codes of the CLI. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** `JSON.stringify` for showing a value in a message (`Infinity` as such), cut to 80 characters. */
export function show(value: unknown): string {
  const text = value === undefined || (typeof value === "number" && !Number.isFinite(value))
    ? String(value)
    : JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Edit distance between `a` and `b` (insertions, deletions, substitutions, swaps of neighbours). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/**
 * The candidate closest to `word` when it is close enough to be a typo
 * (`Spiral` for `spiral`, `stpes` for `steps`), else `undefined`.
 */
export function suggestion(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(w, c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= Math.max(1, Math.floor(w.length / 3)) ? best : undefined;
}
