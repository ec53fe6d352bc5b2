/**
 * File helpers: whole-or-nothing writes and fresh run folders.
 *
 * @module
 */
import { show, UsageError } from "./_errors.ts";

/**
 * Writes `text` to a temporary name beside `path`, then renames it into
 * place, so `path` is never half written.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    await Deno.writeTextFile(tmp, text);
    await Deno.rename(tmp, path);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw explainFsError(error, path, dirname(path));
  }
}

/** Turns a permission error into a one-line hint; other errors pass through. */
export function explainFsError(error: unknown, path: string, grant = path): unknown {
  if (error instanceof Deno.errors.NotCapable) {
    return new UsageError(
      `Cannot write to '${path}' as Deno has no write access there: choose an --out folder under runs/, or run cli/main.ts with --allow-write=${grant}`,
    );
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return new UsageError(`Cannot write to '${path}' as the system denies it: ${error.message}`);
  }
  return error;
}

function dirname(path: string): string {
  const i = path.replace(/[\\/]+$/, "").lastIndexOf("/");
  return i <= 0 ? (i === 0 ? "/" : ".") : path.slice(0, i);
}

function stamp(date: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}-${p(date.getHours())}${
    p(date.getMinutes())
  }${p(date.getSeconds())}`;
}

/** Makes a fresh folder `runs/<date>-<time>-<name>` (adding `-2`, `-3`... if taken). */
export async function makeRunDir(name: string, root = "runs"): Promise<string> {
  const safe = name.replace(/[^A-Za-z0-9_-]+/g, "_").slice(0, 40) || "run";
  const base = `${root}/${stamp(new Date())}-${safe}`;
  await ensureDir(root);
  for (let k = 1; k < 1000; k++) {
    const dir = k === 1 ? base : `${base}-${k}`;
    try {
      await Deno.mkdir(dir);
      return dir;
    } catch (error) {
      if (error instanceof Deno.errors.AlreadyExists) continue;
      throw explainFsError(error, dir);
    }
  }
  throw new UsageError(`Cannot make a run folder under '${root}' as too many runs share a name`);
}

/** Makes `dir` (and its parents) if it is not there. */
export async function ensureDir(dir: string): Promise<void> {
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (error) {
    const explained = explainFsError(error, dir);
    if (explained !== error) throw explained;
    throw new UsageError(
      `Cannot write to '${dir}' as it cannot be made a folder: ${(error as Error).message}`,
    );
  }
}

/**
 * Reads a JSON file that a flag names, turning a missing, unreadable or
 * malformed file into one {@linkcode UsageError} line such as
 * `Cannot predict as '--model' "m.json" is not valid JSON: ...`.
 */
export async function readJsonFile(path: string, verb: string, flag: string): Promise<unknown> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound
      ? "no file is there"
      : (error as Error).message;
    throw new UsageError(`Cannot ${verb} as '${flag}' ${show(path)} cannot be read: ${why}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `Cannot ${verb} as '${flag}' ${show(path)} is not valid JSON: ${(error as Error).message}`,
    );
  }
}
