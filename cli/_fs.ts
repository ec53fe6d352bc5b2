/**
 * File helpers of the CLI: inputs read with a size cap, the run's files
 * written as a set (all or nothing), output folders checked before a run
 * starts, and paths relative to where the user stands.
 *
 * @module
 */
import { escapeControls, show, UsageError } from "./_errors.ts";
import type { TextParts } from "./page_style.ts";

const MiB = 1024 * 1024;

/**
 * The most bytes the CLI reads from each kind of input; a larger input (or
 * an endless one such as `/dev/zero`) is refused with exit code 2.
 */
export const INPUT_LIMITS = {
  /** A `--dataset` CSV file. */
  csv: 64 * MiB,
  /** Points for `predict` (`--input` or stdin). */
  points: 64 * MiB,
  /** A `model.json`, or a `--config` file (which may be a run's `model.json`). */
  model: 512 * MiB,
} as const;

/** `64 MiB` for a byte count. */
export function formatBytes(bytes: number): string {
  return bytes >= MiB ? `${bytes / MiB} MiB` : `${Math.round(bytes / 1024)} KiB`;
}

/** Where an input came from, for messages: `'--config' "a.json"`. */
export interface InputName {
  /** The command as a verb: "train", "predict". */
  verb: string;
  /** How the message names the input, e.g. `'--config' "a.json"` or "stdin". */
  what: string;
}

/** Reads `stream` to its end as UTF-8, refusing more than `maxBytes`, or any zero byte. */
export async function readStreamCapped(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
  name: InputName,
): Promise<string> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      // Text (CSV, JSON) never holds a zero byte: `/dev/zero` or a binary file ends here.
      if (value.indexOf(0) >= 0) {
        throw new UsageError(
          `Cannot ${name.verb} as ${name.what} is not a UTF-8 text file: it holds a zero byte`,
        );
      }
      total += value.length;
      if (total > maxBytes) throw tooLarge(maxBytes, name);
      chunks.push(value);
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    bytes.set(c, off);
    off += c.length;
  }
  return new TextDecoder().decode(bytes);
}

function tooLarge(maxBytes: number, name: InputName): UsageError {
  return new UsageError(
    `Cannot ${name.verb} as ${name.what} is larger than the ${
      formatBytes(maxBytes)
    } the CLI reads: give a smaller file`,
  );
}

/**
 * Reads the text file at `path`, refusing more than `maxBytes` (checked as
 * it reads, so a device or a pipe that never ends is refused too) and
 * turning a missing, unreadable or folder path into one
 * {@linkcode UsageError} line.
 */
export async function readTextCapped(
  path: string,
  maxBytes: number,
  name: InputName,
): Promise<string> {
  const fail = (why: string) => new UsageError(`Cannot ${name.verb} as ${name.what} ${why}`);
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw fail("cannot be read: no file is there");
    throw permissionError(error, "read", path) ?? fail(`cannot be read: ${message(error)}`);
  }
  try {
    const info = await file.stat();
    if (info.isDirectory) throw fail("is a folder, not a file");
    if (info.isFile && info.size > maxBytes) throw tooLarge(maxBytes, name);
    return await readStreamCapped(file.readable, maxBytes, name);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw fail(`cannot be read: ${message(error)}`);
  } finally {
    try {
      file.close();
    } catch {
      // Closed already by its readable stream.
    }
  }
}

function message(error: unknown): string {
  return escapeControls((error as Error)?.message ?? String(error));
}

/**
 * Reads a JSON file that a flag names (a UTF-8 byte order mark is allowed),
 * turning a missing, unreadable, too large or malformed file into one
 * {@linkcode UsageError} line such as
 * `Cannot predict as '--model' "m.json" is not valid JSON: ...`.
 */
export async function readJsonFile(
  path: string,
  verb: string,
  flag: string,
  maxBytes: number = INPUT_LIMITS.model,
): Promise<unknown> {
  const what = `'${flag}' ${show(path)}`;
  const text = await readTextCapped(path, maxBytes, { verb, what });
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    throw new UsageError(`Cannot ${verb} as ${what} is not valid JSON: ${message(error)}`);
  }
}

/**
 * A one-line {@linkcode UsageError} for a missing Deno permission (naming
 * the exact flag that grants it) or a path the system refuses; `undefined`
 * for any other error.
 */
export function permissionError(
  error: unknown,
  access: "read" | "write",
  path: string,
): UsageError | undefined {
  if (error instanceof Deno.errors.NotCapable) {
    return new UsageError(
      `Cannot ${access} ${
        show(path)
      } as Deno has no ${access} access there: run with --allow-${access}${
        access === "write" ? ` (or choose an --out folder under runs/ with 'deno task train')` : ""
      }`,
    );
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return new UsageError(`Cannot ${access} ${show(path)} as the system denies it`);
  }
  return undefined;
}

/** Turns a permission error into a one-line hint; other errors pass through. */
export function explainFsError(error: unknown, path: string): unknown {
  return permissionError(error, "write", path) ?? error;
}

/** The folder part of `path`. */
export function dirname(path: string): string {
  const i = path.replace(/[\\/]+$/, "").lastIndexOf("/");
  return i <= 0 ? (i === 0 ? "/" : ".") : path.slice(0, i);
}

/** A temporary file of a run's: `<run file>.<8 hex>.tmp` beside its target, or the write probe's. */
const TEMP = /^(model\.json|history\.csv|report\.html|\.write-probe)\.[0-9a-f]{8}\.tmp$/;

/** Temporary files being written now, removed by {@linkcode removePendingTemps} on a forced exit. */
const pending = new Set<string>();

/** Temporary run folders being written now (see {@linkcode writeRunDir}). */
const pendingDirs = new Set<string>();

/** Removes the temporary files of a write in progress (for a forced exit); synchronous. */
export function removePendingTemps(): void {
  for (const tmp of pending) {
    try {
      Deno.removeSync(tmp);
    } catch {
      // Gone already.
    }
  }
  pending.clear();
  for (const dir of pendingDirs) {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch {
      // Gone already.
    }
  }
  pendingDirs.clear();
}

async function writeWhole(path: string, text: string | TextParts): Promise<void> {
  const encoder = new TextEncoder();
  const file = await Deno.open(path, { write: true, createNew: true, mode: 0o644 });
  try {
    for (const part of typeof text === "string" ? [text] : text) {
      const bytes = typeof part === "string" ? encoder.encode(part) : part;
      let off = 0;
      while (off < bytes.length) off += await file.write(bytes.subarray(off));
    }
    await file.sync();
  } finally {
    file.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await Deno.open(dir, { read: true });
    try {
      await handle.sync();
    } finally {
      handle.close();
    }
  } catch {
    // Not every system lets a folder be synced; the renames are done anyway.
  }
}

/**
 * Writes a set of files in one folder all or nothing: every file to a
 * temporary name beside it (synced to disk), then each renamed into place,
 * then the folder synced. If any file cannot be written (a full disk, a
 * folder in the way), no file of the set is replaced and no temporary file
 * is left; the error names the real file.
 *
 * @param files the path of each file and its text (or its text in parts)
 */
export async function writeFileSet(files: Record<string, string | TextParts>): Promise<void> {
  const entries = Object.entries(files);
  const fail = (path: string, error: unknown) =>
    permissionError(error, "write", path) ??
      new Error(`Cannot write ${show(path)}: ${message(error)}`);
  // A folder (or anything that is not a plain file) in the way fails the whole set up front.
  for (const [path] of entries) {
    try {
      const info = await Deno.lstat(path);
      if (info.isDirectory) throw new Error("a folder is in the way");
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) continue;
      throw fail(path, error);
    }
  }
  const temps: [string, string][] = [];
  try {
    for (const [path, text] of entries) {
      const tmp = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
      pending.add(tmp);
      temps.push([tmp, path]);
      try {
        await writeWhole(tmp, text);
      } catch (error) {
        throw fail(path, error);
      }
    }
    for (const [tmp, path] of temps) {
      try {
        await Deno.rename(tmp, path);
      } catch (error) {
        throw fail(path, error);
      }
      pending.delete(tmp);
    }
  } finally {
    for (const [tmp] of temps) {
      if (!pending.has(tmp)) continue;
      await Deno.remove(tmp).catch(() => {});
      pending.delete(tmp);
    }
  }
  const dirs = new Set(entries.map(([path]) => dirname(path)));
  for (const dir of dirs) await syncDir(dir);
}

/**
 * Writes `text` to a temporary name beside `path`, then renames it into
 * place, so `path` is never half written.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  await writeFileSet({ [path]: text });
}

function stamp(date: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}-${p(date.getHours())}${
    p(date.getMinutes())
  }${p(date.getSeconds())}`;
}

/**
 * Where `deno task` was started from (its `INIT_CWD`), made the working
 * folder so the paths a user gives and the paths printed are relative to
 * where they stand; and the folder for new runs: the `runs/` the task may
 * write (beside `deno.json`), else `runs/` here.
 */
let runsRoot = "runs";

/**
 * Under `deno task` (which starts commands beside `deno.json`), makes the
 * folder the user typed the command in (`INIT_CWD`) the working folder;
 * new runs still go to the task's own `runs/` folder, printed relative to
 * the user's folder. Does nothing when not under a task of this repository
 * (the working folder is not the one holding its `deno.json`) or when
 * `INIT_CWD` cannot be read.
 */
export function enterUserFolder(): void {
  let initCwd: string | undefined;
  try {
    const state = Deno.permissions.querySync({ name: "env", variable: "INIT_CWD" }).state;
    if (state !== "granted") return;
    initCwd = Deno.env.get("INIT_CWD");
  } catch {
    return;
  }
  if (!initCwd) return;
  const here = Deno.cwd();
  // Only under a task of this repository (started beside its deno.json): an
  // INIT_CWD inherited from some other task means nothing here.
  const root = new URL("..", import.meta.url);
  if (root.protocol !== "file:" || absolute(decodeURIComponent(root.pathname)) !== absolute(here)) {
    return;
  }
  if (initCwd === here) return;
  try {
    Deno.chdir(initCwd);
  } catch {
    return;
  }
  runsRoot = relativePath(`${here}/runs`);
}

/** `path` (absolute) relative to the working folder, as short as it can be said. */
export function relativePath(path: string): string {
  const from = Deno.cwd().split("/").filter(Boolean);
  const to = path.split("/").filter(Boolean);
  let k = 0;
  while (k < from.length && k < to.length && from[k] === to[k]) k++;
  const up = from.slice(k).map(() => "..");
  const rel = [...up, ...to.slice(k)].join("/");
  return rel === "" ? "." : rel;
}

/**
 * Checks, before a run starts, that a run folder can be made under `root`
 * (`runs/`): made if missing, not a link out of where Deno may write, and
 * writable (probed with a temporary file). The run's own folder is made
 * only when its files are written, by {@linkcode writeRunDir}.
 */
export async function prepareRunsRoot(root: string = runsRoot): Promise<void> {
  await checkRealPath(root);
  await ensureDir(root);
  await probeWrite(root, "train");
}

/**
 * Makes a fresh folder `runs/<date>-<time>-<name>` (adding `-2`, `-3`... if
 * taken) at once, for a command whose folder fills over time (a sweep, a
 * comparison page); a training run's folder appears only with its files
 * ({@linkcode writeRunDir}).
 */
export async function makeRunDir(name: string, root: string = runsRoot): Promise<string> {
  const base = `${root}/${runDirName(name)}`;
  await checkRealPath(root);
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
  throw new UsageError(
    `Cannot make a run folder under ${show(root)} as too many runs share a name`,
  );
}

/** The stamped name of a run folder: `<date>-<time>-<name>`. */
export function runDirName(name: string, started: Date = new Date()): string {
  const safe = name.replace(/[^A-Za-z0-9_-]+/g, "_").slice(0, 40) || "run";
  return `${stamp(started)}-${safe}`;
}

/**
 * Writes `files` (by name) into a fresh run folder `root/<base>` (adding
 * `-2`, `-3`... if taken) that appears whole or not at all: the files are
 * written in a hidden temporary folder beside it, which is then renamed
 * into place. Resolves with the folder's path.
 */
export async function writeRunDir(
  base: string,
  files: Record<string, string | TextParts>,
  root: string = runsRoot,
): Promise<string> {
  const tmp = `${root}/.${base}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    await Deno.mkdir(tmp);
  } catch (error) {
    throw explainFsError(error, root);
  }
  pendingDirs.add(tmp);
  try {
    await writeFileSet(
      Object.fromEntries(Object.entries(files).map(([name, text]) => [`${tmp}/${name}`, text])),
    );
    for (let k = 1; k < 1000; k++) {
      const dir = k === 1 ? `${root}/${base}` : `${root}/${base}-${k}`;
      // A folder of that name (even an empty one, which rename would replace) is another's.
      if (await Deno.lstat(dir).then(() => true, () => false)) continue;
      try {
        await Deno.rename(tmp, dir);
      } catch (error) {
        if (await Deno.lstat(dir).then(() => true, () => false)) continue;
        throw explainFsError(error, dir);
      }
      pendingDirs.delete(tmp);
      await syncDir(root);
      return dir;
    }
    throw new UsageError(
      `Cannot make a run folder under ${show(root)} as too many runs share a name`,
    );
  } finally {
    if (pendingDirs.has(tmp)) {
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
      pendingDirs.delete(tmp);
    }
  }
}

/** Makes `dir` (and its parents) if it is not there. */
export async function ensureDir(dir: string): Promise<void> {
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (error) {
    const explained = explainFsError(error, dir);
    if (explained !== error) throw explained;
    throw new UsageError(
      `Cannot write to ${show(dir)} as it cannot be made a folder: ${message(error)}`,
    );
  }
}

/**
 * Refuses a folder whose real path (symbolic links followed, for the part
 * of it that exists) lies where this process may not write: a link under
 * `runs/` cannot send the run's files, or a new folder, elsewhere. Called
 * before anything is made.
 */
async function checkRealPath(dir: string): Promise<void> {
  let existing = dir.replace(/\/+$/, "") || "/";
  const rest: string[] = [];
  let real: string | undefined;
  while (real === undefined) {
    try {
      real = await Deno.realPath(existing);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound) || existing === "." || existing === "/") {
        throw permissionError(error, "read", existing) ?? error;
      }
      rest.unshift(existing.slice(existing.lastIndexOf("/") + 1));
      existing = dirname(existing);
    }
  }
  const target = [real.replace(/\/$/, ""), ...rest].join("/");
  const state = (await Deno.permissions.query({ name: "write", path: target })).state;
  if (state !== "granted" && real === absolute(existing)) {
    throw permissionError(new Deno.errors.NotCapable(), "write", dir);
  }
  if (state !== "granted") {
    throw new UsageError(
      `Cannot write to ${show(dir)} as it leads to ${
        show(target)
      }, where Deno has no write access: choose a folder that is not a link out of runs/`,
    );
  }
}

/** `path` made absolute and normalized (no `.`, `..` or doubled `/`), links not followed. */
function absolute(path: string): string {
  const parts: string[] = [];
  for (const part of (path.startsWith("/") ? path : `${Deno.cwd()}/${path}`).split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return `/${parts.join("/")}`;
}

/** The files a run writes, by their names in its folder. */
export const RUN_FILES = ["model.json", "history.csv", "report.html"] as const;

/** Options for {@linkcode prepareOutDir}. */
export interface PrepareOutDirOptions {
  /**
   * Replace a run already in the folder.
   *
   * @default {false}
   */
  force?: boolean;
}

/**
 * Gets an `--out` folder ready before training starts: made if missing,
 * refused (exit 2) when it is a file, holds a run (unless `force`), leads
 * through a link to where Deno may not write, or cannot be written (probed
 * with a temporary file); stale temporary files of a killed run are removed.
 */
export async function prepareOutDir(
  dir: string,
  options: PrepareOutDirOptions = {},
): Promise<OutDirHold> {
  // The path is printed (and pasted into shells): no byte a terminal acts on.
  if (escapeControls(dir) !== dir) {
    throw new UsageError(
      `Cannot train as '--out' must be a path without control characters: current value is ${
        show(dir)
      }`,
    );
  }
  let info: Deno.FileInfo | undefined;
  try {
    info = await Deno.stat(dir);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      throw permissionError(error, "read", dir) ?? error;
    }
  }
  if (info && !info.isDirectory) {
    throw new UsageError(`Cannot train as '--out' must be a folder's path: ${show(dir)} is a file`);
  }
  await checkRealPath(dir);
  await ensureDir(dir);
  // The run holds the folder for its whole life: a second run into it is refused.
  const lock = await lockDir(dir);
  try {
    await checkOutFiles(dir, options);
  } catch (error) {
    lock?.close();
    if (info === undefined) await Deno.remove(dir).catch(() => {});
    throw error;
  }
  let released = false;
  return {
    created: info === undefined,
    release() {
      if (released) return;
      released = true;
      try {
        lock?.close();
      } catch {
        // Closed already.
      }
    },
  };
}

/** A run's hold on its `--out` folder, from {@linkcode prepareOutDir}. */
export interface OutDirHold {
  /** Whether the run made the folder (it goes again if nothing is written to it). */
  readonly created: boolean;
  /** Lets another run use the folder (after the run's files are written). */
  release(): void;
}

/** How long a second run waits for the first to let go of an `--out` folder. */
const LOCK_WAIT_MS = 300;

/**
 * Takes an exclusive lock on the folder `dir` (held until the returned
 * handle is closed, or the process ends, however it ends: no stale lock);
 * `undefined` where the system cannot lock a folder.
 *
 * @throws {UsageError} when another process holds it.
 */
async function lockDir(dir: string): Promise<Deno.FsFile | undefined> {
  let handle: Deno.FsFile;
  try {
    handle = await Deno.open(dir, { read: true });
  } catch {
    return undefined;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const got = await Promise.race([
    handle.lock(true).then(() => "locked", () => "unsupported"),
    new Promise<string>((resolve) => timer = setTimeout(() => resolve("busy"), LOCK_WAIT_MS)),
  ]);
  clearTimeout(timer);
  if (got === "locked") return handle;
  if (got === "unsupported") {
    handle.close();
    return undefined;
  }
  // The pending lock ends with the process (this run stops here).
  throw new UsageError(
    `Cannot train as '--out' ${
      show(dir)
    } is in use by another run that has not finished: wait for it, or choose another folder`,
  );
}

/** Refuses a folder that holds a run (unless `force`) or has a folder in the way; probes it. */
async function checkOutFiles(dir: string, options: PrepareOutDirOptions): Promise<void> {
  const held = [];
  for (const name of RUN_FILES) {
    let entry: Deno.FileInfo;
    try {
      entry = await Deno.lstat(`${dir}/${name}`);
    } catch {
      continue; // Not there.
    }
    if (entry.isDirectory) {
      throw new UsageError(
        `Cannot train as '--out' ${
          show(dir)
        } has a folder named ${name} in the way of the run's ${name}`,
      );
    }
    held.push(name);
  }
  if (!options.force) {
    if (held.length > 0) {
      throw new UsageError(
        `Cannot train as '--out' ${show(dir)} already holds a run (${
          held.join(", ")
        }): choose another folder, or add --force to replace it`,
      );
    }
  }
  await removeStaleTemps(dir);
  await probeWrite(dir, "'--out'");
}

/** Probe: the folder must take a new file now, not only after training. */
async function probeWrite(dir: string, what: string): Promise<void> {
  const probe = `${dir}/.write-probe.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    await writeWhole(probe, "");
  } catch (error) {
    throw permissionError(error, "write", dir) ??
      new UsageError(
        `Cannot train as ${what === "train" ? "" : `${what} `}${show(dir)} cannot be written: ${
          message(error)
        }`,
      );
  } finally {
    await Deno.remove(probe).catch(() => {});
  }
}

/** Removes the temporary files (`model.json.<8 hex>.tmp` and the like) a killed run left in `dir`. */
export async function removeStaleTemps(dir: string): Promise<void> {
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile && TEMP.test(entry.name)) {
        await Deno.remove(`${dir}/${entry.name}`).catch(() => {});
      }
    }
  } catch {
    // Unreadable: the probe that follows explains.
  }
}
