/**
 * The errors the CLI turns into one line on stderr and an exit code, and the
 * helpers that make those lines safe and helpful: {@linkcode show} (echo a
 * value with its control bytes escaped) and {@linkcode suggest} ("did you
 * mean ...?").
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

/**
 * Exit codes of the CLI: 128 + the signal's number when a signal stopped
 * the run (SIGHUP 129, SIGINT 130, SIGQUIT 131, SIGTERM 143).
 */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  hangup: 129,
  interrupted: 130,
  quit: 131,
  terminated: 143,
} as const;

/**
 * Control characters (C0, DEL, C1), bidirectional overrides and line or
 * paragraph separators: what a terminal may act on rather than show.
 */
const UNSAFE =
  // deno-lint-ignore no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Escapes the bytes of `text` a terminal would act on (`ESC`, `BEL`, C1
 * controls, bidi overrides...) as `\u001b` and the like, so an echoed value
 * cannot move the cursor, recolor or retitle the terminal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapeControls } from "./_errors.ts";
 * assert.equal(escapeControls("a\x1b[2Jb"), "a\\u001b[2Jb");
 * ```
 */
export function escapeControls(text: string): string {
  return text.replace(
    UNSAFE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * `JSON.stringify` for showing a value in a message (`Infinity` as such),
 * with every control byte escaped, cut to 80 characters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { show } from "./_errors.ts";
 * assert.equal(show("runs/\x1b]0;x\x07"), '"runs/\\u001b]0;x\\u0007"');
 * assert.equal(show(Infinity), "Infinity");
 * ```
 */
export function show(value: unknown): string {
  const text = value === undefined || (typeof value === "number" && !Number.isFinite(value))
    ? String(value)
    : JSON.stringify(value) ?? String(value);
  const safe = escapeControls(text);
  return safe.length > 80 ? `${safe.slice(0, 77)}...` : safe;
}

/** Damerau-Levenshtein distance (optimal string alignment) of `a` and `b`. */
function distance(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d.push([i]);
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
 * The candidate closest to `word` (case-insensitive Damerau-Levenshtein
 * distance, a swap of two neighbors counting once), or `undefined` when
 * none is close: at most 1 edit for short words, 2 from 5 characters, 3
 * from 9. A candidate that starts with `word` (a cut-short flag) counts as
 * close too.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { suggest } from "./_errors.ts";
 * assert.equal(suggest("Spiral", ["moons", "spiral"]), "spiral");
 * assert.equal(suggest("setps", ["steps", "seed"]), "steps");
 * assert.equal(suggest("optim", ["optimizer", "out"]), "optimizer");
 * assert.equal(suggest("banana", ["moons", "spiral"]), undefined);
 * ```
 */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  if (w === "") return undefined;
  const budget = w.length >= 9 ? 3 : w.length >= 5 ? 2 : 1;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    // Long words only: a distance is not computed on pasted megabytes.
    if (Math.abs(c.length - w.length) > budget && !(w.length >= 3 && c.startsWith(w))) continue;
    const d = c.startsWith(w) && w.length >= 3 ? 0.5 : distance(w, c);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= budget ? best : undefined;
}

/** `"; did you mean X?"` for the closest of `candidates`, or `""`. */
export function didYouMean(word: string, candidates: readonly string[], prefix = ""): string {
  const best = suggest(word, candidates);
  return best === undefined ? "" : `; did you mean ${prefix}${best}?`;
}
