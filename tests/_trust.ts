/**
 * Shared checks of the trust tests: a refused input ends with exit code 2
 * and one plain line on stderr, with no stack trace and no raw escape bytes.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { CliResult } from "./_cli.ts";

/** Asserts `stderr` is one line matching `pattern`, with no stack and no escape byte. */
export function assertOneLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split("\n");
  assert.equal(lines.length, 1, stderr);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(stderr, /^\s+at |Error:|Uncaught/m, stderr);
  const control = [...stderr].find((c) => c !== "\n" && (c < " " || c === "\x7f" || c === "\x9b"));
  assert.equal(control, undefined, `a raw control byte in ${JSON.stringify(stderr)}`);
}

/** Asserts a CLI run was refused as bad input: exit 2, one line matching `pattern`. */
export function assertRefused(r: CliResult, pattern: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  assertOneLine(r.stderr, pattern);
}

/** Whether anything is at `path`. */
export function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
