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
