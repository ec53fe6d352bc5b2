/**
 * Runs the denograd CLI in a subprocess for the CLI and report tests, with the
 * permissions `deno task train` gives it (reads, and writes only where told).
 *
 * @module
 */

/** The repository root. */
export const ROOT: string = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
/** The CLI's entry point. */
export const CLI: string = `${ROOT}/cli/main.ts`;
/** The CLI fixtures. */
export const FIXTURES: string = `${ROOT}/tests/fixtures`;

/** What a CLI run printed and returned. */
export interface CliResult {
  /** The exit code. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/** Options for {@linkcode runCli}. */
export interface RunCliOptions {
  /** The working folder; writes are allowed only under it. */
  cwd: string;
  /** Text for stdin. */
  stdin?: string;
  /** How Deno itself is started: see {@linkcode DenoOptions}. */
  deno?: DenoOptions;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

/** How the CLI's Deno is started, for tests of limits and permissions. */
export interface DenoOptions {
  /**
   * The V8 heap cap in MiB, so a memory regression fails the test rather
   * than take the machine down.
   *
   * @default {512}
   */
  memoryMb?: number;
  /** Folders it may write instead of the working folder. */
  allowWrite?: string[];
  /** Further `deno run` flags, before the entry point. */
  flags?: string[];
}

/** The `deno run` arguments that start the CLI allowed to write under `cwd`. */
export function cliArgs(cwd: string, args: string[], deno: DenoOptions = {}): string[] {
  return [
    "run",
    "--quiet",
    `--config=${ROOT}/deno.json`,
    "--unstable-worker-options",
    `--v8-flags=--max-old-space-size=${deno.memoryMb ?? 512}`,
    "--allow-read",
    `--allow-write=${(deno.allowWrite ?? [cwd]).join(",")}`,
    ...(deno.flags ?? []),
    CLI,
    ...args,
  ];
}

/** The environment for a CLI subprocess: no Rust backtraces, no colors. */
export function cliEnv(): Record<string, string> {
  const env = Deno.env.toObject();
  delete env.RUST_BACKTRACE;
  // `deno task test` sets it; the CLI under test is not started by a task.
  delete env.INIT_CWD;
  env.NO_COLOR = "1";
  return env;
}

/** Runs the CLI with `args` and collects its output. */
export async function runCli(args: string[], options: RunCliOptions): Promise<CliResult> {
  const child = new Deno.Command(Deno.execPath(), {
    args: cliArgs(options.cwd, args, options.deno),
    cwd: options.cwd,
    env: { ...cliEnv(), ...options.env },
    clearEnv: true,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const out = await child.output();
  const decoder = new TextDecoder();
  return {
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
}

/** The non-empty lines of `text`. */
export function lines(text: string): string[] {
  return text.split("\n").filter((l) => l.trim() !== "");
}

/** Every file under `dir`, as paths relative to it. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (sub: string) => {
    for (const e of Deno.readDirSync(`${dir}/${sub}`)) {
      const rel = sub ? `${sub}/${e.name}` : e.name;
      out.push(rel);
      if (e.isDirectory) walk(rel);
    }
  };
  walk("");
  return out.sort();
}

/**
 * Runs a worker fixture (`tests/fixtures/NAME`) in a subprocess with no
 * permissions but reads: writes `message` to its stdin and resolves with the
 * JSON it prints.
 */
export async function runWorkerFixture<T>(
  fixture: string,
  message: unknown,
  ...flags: string[]
): Promise<T> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      `--config=${ROOT}/deno.json`,
      "--unstable-worker-options",
      "--allow-read",
      `${FIXTURES}/${fixture}`,
      ...flags,
    ],
    env: cliEnv(),
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(message)));
  await writer.close();
  const out = await child.output();
  if (out.code !== 0) {
    throw new Error(`${fixture} exited with ${out.code}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

/**
 * Starts a run of a million steps with ndjson progress, waits for its first
 * progress line, then sends each of `signals` (20 ms apart) and collects what
 * the run printed until it exits.
 */
export async function signalRun(
  cwd: string,
  out: string,
  signals: Deno.Signal[],
): Promise<CliResult> {
  const child = new Deno.Command(Deno.execPath(), {
    args: cliArgs(cwd, ["train", "--steps", "1000000", "--format", "ndjson", "--out", out]),
    cwd,
    env: cliEnv(),
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes('"type":"progress"')) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`The run ended before its first progress line: ${await stderr}`);
    text += value;
  }
  for (let k = 0; k < signals.length; k++) {
    if (k > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    child.kill(signals[k]);
  }
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  return { code: (await child.status).code, stdout: text, stderr: await stderr };
}

/** Runs `fn` in a new temporary folder, removed afterwards whatever happens. */
export async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "denograd_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
