/**
 * Times our compiled and `Value` paths against the peers users would pick,
 * in one run, and prints markdown: ms per step, peak memory, the loss every
 * system reaches from the same start, GFLOP/s per layer width, and where the
 * compiled path's time goes.
 *
 *     deno task bench:report                 # everything: about 40 minutes on a busy machine
 *     deno task bench:report --only W1,W4    # some workloads (W1 W2 W4 G16 G256)
 *     deno task bench:report --no-peers      # ours only: no Python, no npm download
 *     deno task bench:report --rounds 3      # each system 3 times, the best kept (default 2)
 *     deno task bench:report --grid          # the scaling grid only (W 16-512 x N 100-10,000)
 *     deno task bench:report --cells 64x10000,256x1000   # some cells of the grid
 *
 * With neither `--only` nor `--grid`/`--cells`, the report runs everything:
 * the workloads, the grid, the `Value` graph's memory. The grid (2-W-W-1,
 * ReLU, MSE so that every sample is in the backward pass, SGD, float64; see
 * `_grid.ts`) compares our compiled path with PyTorch float64 and float32 on
 * one thread and on two (ours on two when the library has a `threads`
 * setting, else "n/a"), pairing the systems round by round: each ratio is the
 * median over rounds of the ratio within a round. It prints its progress on
 * stderr; `--grid-budget` (ms, default 1000) is each system's time per cell,
 * past its first 4 steps.
 *
 * Each system trains each workload in a process of its own (`_job.ts` says
 * what it is sent and sends back), so its peak memory is its own; it is
 * measured by `/usr/bin/time` (Debian's `time` package) when that exists.
 * The peers:
 *
 * - PyTorch, float64 and float32, one thread (`OMP_NUM_THREADS=1
 *   OPENBLAS_NUM_THREADS=1`, `torch.set_num_threads(1)`; 2 for two), through
 *   `/usr/bin/python3` when it can `import torch` (`peers/torch_peer.py`),
 *   at its best: its command alone runs without `OPENBLAS_CORETYPE` and
 *   `OPENBLAS_L2_SIZE`, so OpenBLAS picks its own kernels for this CPU;
 * - jax-js on its WebAssembly device, float64 and float32, one thread, one
 *   `jit`-compiled `valueAndGrad` + update per step (`peers/jax.ts`);
 * - TF.js on its WebAssembly backend, SIMD, one thread, float32
 *   (`peers/tfjs_wasm.ts`).
 *
 * The npm peers have their own `bench/peers/deno.json` and lockfile, so they
 * are downloaded when this report first runs, never by the CLI or the
 * tests. A peer that cannot run here gets one line saying why, and the
 * report goes on.
 *
 * GFLOP/s count the matrix products of the samples each pass really runs
 * (`stepFlops`: every sample forward, the active ones backward), against
 * this machine's limit for two-lane f64 SIMD without FMA, measured in the
 * same run (`simd_peak.ts`).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { CompiledMlp, graphStats, Mlp, Value } from "../mod.ts";
import { type Job, type JobResult, median, resultOf, sendJob, timedSteps } from "./_job.ts";
import {
  GRID_SAMPLES,
  GRID_WIDTHS,
  type GridCell,
  gridWorkload,
  pickCells,
  torchEnv,
} from "./_grid.ts";
import { HAS_THREADS } from "./run_ours.ts";
import { measureSimdPeak } from "./simd_peak.ts";
import { NaiveValue } from "./naive.ts";
import {
  EPISODE,
  jobFor,
  makeChain,
  makeScalarLoopChain,
  stepFlops,
  SWEEP_WIDTHS,
  sweepWorkload,
  TRAIN_WORKLOADS,
  type TrainWorkload,
  W1,
} from "./_workloads.ts";

/** A bad flag: one line saying what was wrong and what is wanted, and exit code 2. */
function usage(message: string): never {
  console.error(`bench:report: ${message}`);
  Deno.exit(2);
}

function readArgs() {
  try {
    return parseArgs({
      args: Deno.args,
      options: {
        budget: { type: "string", default: "3000" },
        rounds: { type: "string", default: "2" },
        only: { type: "string" },
        grid: { type: "boolean", default: false },
        cells: { type: "string" },
        "grid-budget": { type: "string", default: "1000" },
        "no-peers": { type: "boolean", default: false },
        "no-graph": { type: "boolean", default: false },
      },
      strict: true,
    });
  } catch (e) {
    return usage((e as Error).message.split("\n")[0]);
  }
}
const args = readArgs();
const budgetMs = Number(args.values.budget);
if (!(budgetMs > 0 && Number.isFinite(budgetMs))) {
  usage(`'--budget' must be a positive number of ms: current value is ${args.values.budget}`);
}
const rounds = Number(args.values.rounds);
if (!(Number.isInteger(rounds) && rounds >= 1)) {
  usage(`'--rounds' must be a whole number, 1 or more: current value is ${args.values.rounds}`);
}
const only = args.values.only?.split(",").map((s) => s.trim().toUpperCase());
const wanted = (w: TrainWorkload) => only === undefined || only.includes(w.id);
const sweep = SWEEP_WIDTHS.map(sweepWorkload);
const ids = [...new Set([...TRAIN_WORKLOADS, ...sweep].map((w) => w.id))];
const unknown = only?.filter((id) => !ids.includes(id));
if (unknown !== undefined && unknown.length > 0) {
  usage(`'--only' takes workloads from ${ids.join(", ")}: current value is ${args.values.only}`);
}
const gridBudgetMs = Number(args.values["grid-budget"]);
if (!(gridBudgetMs >= 0 && Number.isFinite(gridBudgetMs))) {
  usage(
    `'--grid-budget' must be a number of ms, 0 or more: current value is ${
      args.values["grid-budget"]
    }`,
  );
}
/** The grid alone (`--grid`, `--cells`), everything (no `--only`), or the workloads `--only` names. */
const gridOnly = args.values.grid || args.values.cells !== undefined;
let cells: GridCell[] = [];
try {
  if (gridOnly || only === undefined) cells = pickCells(args.values.cells);
} catch (e) {
  usage((e as Error).message);
}

const root = new URL("../", import.meta.url);
const path = (p: string) => new URL(p, root).pathname;
const PYTHON = "/usr/bin/python3";
const TIME = "/usr/bin/time";

/** Float tolerances of the loss check (relative, on every step of the first episode). */
const TOLERANCE = { float64: 1e-9, float32: 1e-4 } as const;

interface System {
  /** Column name. */
  name: string;
  dtype: Job["dtype"];
  /** The command that runs it on a job, or why it cannot run; `clearEnv`: `env` is the whole env. */
  command:
    | { cmd: string; args: string[]; env?: Record<string, string>; clearEnv?: boolean }
    | { skip: string };
  /** Threads it may use. */
  threads: number;
  /** Ours, or a peer. */
  ours: boolean;
}

function log(line: string): void {
  console.error(line);
}

async function run(
  cmd: string,
  argv: string[],
): Promise<{ ok: boolean; out: string; err: string }> {
  try {
    const o = await new Deno.Command(cmd, { args: argv, stdout: "piped", stderr: "piped" })
      .output();
    const dec = new TextDecoder();
    return { ok: o.success, out: dec.decode(o.stdout), err: dec.decode(o.stderr) };
  } catch (e) {
    return { ok: false, out: "", err: (e as Error).message };
  }
}

function firstLine(text: string): string {
  // deno colours its errors; the report is plain text.
  // deno-lint-ignore no-control-regex
  const plain = text.replace(/\x1b\[[0-9;]*m/g, "");
  return plain.split("\n").map((l) => l.trim()).find((l) => /error|Error/.test(l)) ??
    plain.split("\n").map((l) => l.trim()).find((l) => l !== "") ?? "no output";
}

const hasTime = await Deno.stat(TIME).then(() => true, () => false);
const deno = Deno.execPath();
const ownArgs = (system: string) => ({
  cmd: deno,
  args: [
    "run",
    "--allow-read",
    "--v8-flags=--max-old-space-size=8192",
    path("bench/run_ours.ts"),
    system,
  ],
});

const systems: System[] = [
  { name: "compiled", dtype: "float64", command: ownArgs("compiled"), ours: true, threads: 1 },
  { name: "Value", dtype: "float64", command: ownArgs("value"), ours: true, threads: 1 },
  {
    name: "scalar loop",
    dtype: "float64",
    command: ownArgs("scalar loop"),
    ours: true,
    threads: 1,
  },
];
const versions: string[] = [];
const notRun: string[] = [];
/** Why PyTorch cannot run here (`--no-peers`, or no torch), or undefined when it can. */
let torchSkip: string | undefined = "--no-peers";

/** PyTorch in `dtype` on `threads` threads, at its best (see the module's doc). */
function torchSystem(dtype: Job["dtype"], threads: number): System {
  const suffix = threads === 1 ? "" : `, ${threads} threads`;
  return {
    name: `PyTorch ${dtype === "float64" ? "f64" : "f32"}${suffix}`,
    dtype,
    ours: false,
    threads,
    command: torchSkip !== undefined ? { skip: torchSkip } : {
      cmd: PYTHON,
      args: [path("bench/peers/torch_peer.py"), dtype, String(threads)],
      env: torchEnv(Deno.env.toObject(), threads),
      clearEnv: true,
    },
  };
}

if (!args.values["no-peers"]) {
  // PyTorch, through Debian's python3 when it has torch.
  const torch = await run(PYTHON, ["-c", "import torch; print(torch.__version__)"]);
  torchSkip = torch.ok
    ? undefined
    : `cannot \`import torch\` in ${PYTHON}: ${firstLine(torch.err)}`;
  if (torch.ok) versions.push(`PyTorch ${torch.out.trim()}`);
  systems.push(torchSystem("float64", 1), torchSystem("float32", 1));
}
if (!args.values["no-peers"] && !gridOnly) {
  // The npm peers: fetched (first time) and type-checked here, with their own config.
  log("Fetching and checking the npm peers (bench/peers/deno.json) ...");
  const peersConfig = path("bench/peers/deno.json");
  const checked = await run(deno, [
    "check",
    "--config",
    peersConfig,
    path("bench/peers/jax.ts"),
    path("bench/peers/tfjs_wasm.ts"),
  ]);
  const npmSkip = checked.ok
    ? undefined
    : `its npm packages did not load: ${firstLine(checked.err)}`;
  const peer = (file: string, dtype?: string) =>
    npmSkip !== undefined ? { skip: npmSkip } : {
      cmd: deno,
      args: [
        "run",
        "--config",
        peersConfig,
        "--allow-read",
        "--allow-env",
        path(`bench/peers/${file}`),
        ...(dtype ? [dtype] : []),
      ],
    };
  const jax = (dtype: Job["dtype"]) => peer("jax.ts", dtype);
  systems.push(
    { name: "jax-js f64", dtype: "float64", ours: false, command: jax("float64"), threads: 1 },
    { name: "jax-js f32", dtype: "float32", ours: false, command: jax("float32"), threads: 1 },
    { name: "TF.js f32", dtype: "float32", ours: false, command: peer("tfjs_wasm.ts"), threads: 1 },
  );
}

interface Outcome {
  system: System;
  result?: JobResult;
  /** Median ms per step, past the warm-up. */
  ms?: number;
  peakMb?: number;
  error?: string;
  /** Wall-clock ms of the whole process. */
  wallMs?: number;
  /** Rounds run. */
  rounds?: number;
}

async function runSystem(system: System, job: Job): Promise<Outcome> {
  if ("skip" in system.command) return { system, error: system.command.skip };
  const start = performance.now();
  const { cmd, args: argv, env, clearEnv } = system.command;
  const timeFile = hasTime ? await Deno.makeTempFile({ prefix: "denograd-bench-" }) : undefined;
  const out = await sendJob(timeFile ? TIME : cmd, job, {
    args: timeFile ? ["-f", "%M", "-o", timeFile, cmd, ...argv] : argv,
    env,
    clearEnv,
    cwd: path("."),
  });
  const dec = new TextDecoder();
  let peakMb: number | undefined;
  if (timeFile) {
    const kb = Number((await Deno.readTextFile(timeFile)).trim().split("\n").pop());
    if (Number.isFinite(kb) && kb > 0) peakMb = kb / 1024;
    await Deno.remove(timeFile);
  }
  if (!out.success) return { system, error: firstLine(dec.decode(out.stderr)) };
  let result: JobResult;
  try {
    result = resultOf(out);
  } catch {
    return { system, error: `no result: ${firstLine(dec.decode(out.stderr))}` };
  }
  return {
    system,
    result,
    ms: median(timedSteps(result.times, job.episode)),
    peakMb,
    wallMs: performance.now() - start,
    rounds: 1,
  };
}

const workloads = gridOnly
  ? []
  : [...TRAIN_WORKLOADS, ...sweep.filter((w) => w.id !== "W2")].filter(wanted);
log("Measuring the SIMD peak ...");
const peak0 = measureSimdPeak();
const outcomes = new Map<string, Outcome[]>();
const load0 = Deno.loadavg();
const started = performance.now();

for (const w of workloads) {
  const isSweep = w.id.startsWith("G");
  const list: Outcome[] = [];
  const mine = systems.filter((system) => !(isSweep && system.name === "Value"));
  // Rounds: every system once, then again, so that a burst of load from
  // elsewhere hits one round of one system, and the best round is kept.
  for (let round = 0; round < rounds; round++) {
    for (const [i, system] of mine.entries()) {
      const prev = list[i];
      // A system that failed, or took over 30 s (the Value path on W2), runs once.
      if (round > 0 && (prev.error !== undefined || prev.wallMs! > 30_000)) continue;
      // Loss check over the whole first episode; the sweep's big layers only over 10 steps.
      // Up to 30 episodes, so that a fast system's median also spans most of the budget
      // and a short burst of load from elsewhere cannot make it.
      const job = jobFor(w, system.dtype, {
        minSteps: isSweep ? 10 : EPISODE,
        maxSteps: 30 * EPISODE,
        budgetMs,
      });
      const o = await runSystem(system, job);
      log(
        `${w.id} ${system.name} (round ${round + 1}): ${
          o.error !== undefined
            ? `not run (${o.error})`
            : `${o.ms!.toPrecision(4)} ms/step, ${o.result!.times.length} steps, peak ${
              o.peakMb?.toFixed(0) ?? "?"
            } MB`
        } (${(o.wallMs! / 1000).toFixed(1)} s)`,
      );
      if (prev === undefined || prev.error !== undefined) list[i] = o;
      else if (o.error !== undefined) {
        list[i] = { ...prev, error: `round ${round + 1}: ${o.error}` };
      } else {
        // Every round must reach the same losses; the best median is kept.
        const a = o.result!.losses;
        const b = prev.result!.losses;
        const same = a.slice(0, b.length).every((l, k) => l === b[k]);
        const best = o.ms! < prev.ms! ? o : prev;
        list[i] = {
          ...best,
          rounds: prev.rounds! + 1,
          peakMb: Math.max(o.peakMb ?? 0, prev.peakMb ?? 0) || undefined,
          error: same ? undefined : "its rounds reached different losses",
        };
      }
    }
  }
  outcomes.set(w.id, list);
}
// ---- The grid: every cell, its systems taking turns round by round ----

/** One cell's runs: per system (by name), its outcome in each round. */
interface GridRun {
  cell: GridCell;
  w: TrainWorkload;
  runs: Map<string, Outcome[]>;
}

const ours2: System = HAS_THREADS
  ? {
    name: "compiled, 2 threads",
    dtype: "float64",
    command: ownArgs("compiled"),
    ours: true,
    threads: 2,
  }
  : {
    name: "compiled, 2 threads",
    dtype: "float64",
    command: { skip: "n/a: this library has no 'threads' setting" },
    ours: true,
    threads: 2,
  };
const gridSystems: System[] = [
  systems[0],
  torchSystem("float64", 1),
  torchSystem("float32", 1),
  ours2,
  torchSystem("float64", 2),
  torchSystem("float32", 2),
];
const grid: GridRun[] = [];
const gridStarted = performance.now();
for (const [c, cell] of cells.entries()) {
  const w = gridWorkload(cell);
  const runs = new Map<string, Outcome[]>(gridSystems.map((s) => [s.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const system of gridSystems) {
      const job: Job = {
        ...jobFor(w, system.dtype, { minSteps: 4, maxSteps: 30 * EPISODE, budgetMs: gridBudgetMs }),
        threads: system.threads,
        // The compiled path's parts are timed once per cell (they double its time).
        split: round === 0,
      };
      const o = await runSystem(system, job);
      runs.get(system.name)!.push(o);
      const elapsed = (performance.now() - gridStarted) / 60000;
      log(
        `grid ${c + 1}/${cells.length} ${cell.id} ${system.name} (round ${round + 1}/${rounds}): ${
          o.error !== undefined
            ? `not run (${o.error})`
            : `${o.ms!.toPrecision(4)} ms/step, ${o.result!.times.length} steps, peak ${
              o.peakMb?.toFixed(0) ?? "?"
            } MB`
        } [${elapsed.toFixed(1)} min]`,
      );
    }
  }
  grid.push({ cell, w, runs });
}
log("Measuring the SIMD peak again ...");
const peak1 = measureSimdPeak();
/** The SIMD peak of this run: the best of its two measurements. */
const peak = peak0.best >= peak1.best ? peak0 : peak1;
const load1 = Deno.loadavg();

// ---- The loss check ----

interface Check {
  /** Largest |loss - reference| / |reference| over the compared steps. */
  rel: number;
  /** Largest |loss - reference|. */
  abs: number;
  steps: number;
  tolerance: number;
  ok: boolean;
  why?: string;
}

/** Steps that every system of workload `id` ran (they all compare there). */
function commonSteps(id: string): number {
  const lengths = outcomes.get(id)!.flatMap((o) => o.result ? [o.result.losses.length] : []);
  return lengths.length === 0 ? 0 : Math.min(...lengths);
}

function check(w: TrainWorkload, o: Outcome, ref: Outcome): Check | undefined {
  if (o.result === undefined || ref.result === undefined) return undefined;
  const a = o.result.losses;
  const b = ref.result.losses;
  const steps = commonSteps(w.id);
  let rel = 0;
  let abs = 0;
  for (let i = 0; i < steps; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= abs)) abs = d;
    const r = d / Math.abs(b[i]);
    if (!(r <= rel)) rel = r;
  }
  let tolerance: number = TOLERANCE[o.system.dtype];
  let why: string | undefined;
  if (o.result.mathError !== undefined && w.loss === "ce") {
    tolerance = TOLERANCE.float32;
    why = `its exp/log err by up to ${o.result.mathError.toExponential(1)}`;
  }
  return { rel, abs, steps, tolerance, ok: rel <= tolerance, why };
}

// ---- Markdown ----

function fmtMs(ms: number | undefined): string {
  if (ms === undefined) return "—";
  return ms >= 100
    ? ms.toFixed(0)
    : ms >= 10
    ? ms.toFixed(1)
    : ms >= 1
    ? ms.toFixed(2)
    : ms.toFixed(3);
}

function fmtLoss(x: number | null): string {
  // A loss that was not finite crosses as JSON's null.
  return typeof x === "number" ? x.toPrecision(10) : "not finite";
}

function fmtX(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return "—";
  return x >= 100 ? `${x.toFixed(0)}×` : `${x.toFixed(2)}×`;
}

const find = (id: string, name: string) => outcomes.get(id)?.find((o) => o.system.name === name);
const lines: string[] = [];
const cpu = (await run("sh", ["-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"])).out
  .trim();
lines.push(
  `Deno ${Deno.version.deno} (V8 ${Deno.version.v8}), ${versions.join(", ") || "no peers"}, ` +
    `jax-js 0.1.25, TF.js 4.22.0; ${Deno.build.os}/${Deno.build.arch}, ${cpu || "?"}, ` +
    `${navigator.hardwareConcurrency} cores; ${new Date().toISOString().slice(0, 16)}Z. ` +
    `Load average ${load0[0].toFixed(1)} at the start, ${load1[0].toFixed(1)} at the end ` +
    `(${((performance.now() - started) / 60000).toFixed(1)} min). The compiled path's ` +
    `kernels here: ${new CompiledMlp(new Mlp(2, [2, 1]), 1).kernels}; a 'threads' setting: ` +
    `${HAS_THREADS ? "yes" : "no"}. PyTorch runs without OPENBLAS_CORETYPE and ` +
    `OPENBLAS_L2_SIZE (this shell's: ${Deno.env.get("OPENBLAS_CORETYPE") ?? "unset"}, ` +
    `${Deno.env.get("OPENBLAS_L2_SIZE") ?? "unset"}), so OpenBLAS picks its own kernels.`,
);
if (workloads.length > 0) {
  lines.push(
    "",
    `Median ms per full-batch training step (past the first episode of ${EPISODE} steps when ` +
      `another episode ran, else past 5 steps), each system in its own process, one thread each; ` +
      `the best of ${rounds} rounds, the systems taking turns (a run over 30 s, once). ` +
      `"loss" is the loss at the last step checked, from the same start; "Δ" is the largest ` +
      `relative difference from our Value path's loss over the steps checked ` +
      `(tolerance ${TOLERANCE.float64} for float64, ${TOLERANCE.float32} for float32).`,
  );
}
if (!hasTime) {
  lines.push("", `Peak memory: not measured (${TIME} is missing: apt-get install time).`);
}

for (const w of workloads) {
  const list = outcomes.get(w.id)!;
  const ref = find(w.id, "Value")?.result !== undefined
    ? find(w.id, "Value")!
    : find(w.id, "compiled")!;
  const compiledMs = find(w.id, "compiled")?.ms;
  lines.push(
    "",
    `### ${w.id}: ${w.title}${w.loss === "ce" ? "" : ", SVM loss"} + L2, SGD`,
    "",
    `| system | ms per step | time / compiled's | steps timed | peak memory (MB) | loss at step ${
      commonSteps(w.id)
    } | Δ vs ${ref.system.name} | same loss |`,
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
  );
  for (const o of list) {
    if (o.error !== undefined) {
      lines.push(`| ${o.system.name} | not run: ${o.error.replaceAll("|", "\\|")} | | | | | | |`);
      continue;
    }
    const c = check(w, o, ref)!;
    const timed = o.result!.times.length > EPISODE
      ? o.result!.times.length - EPISODE
      : o.result!.times.length - 5;
    const same = o === ref
      ? "reference"
      : c.abs === 0
      ? "yes, bit for bit"
      : c.ok
      ? `yes${c.why ? ` (${c.why})` : ""}`
      : `**no**${c.why ? ` (${c.why})` : ""}`;
    lines.push(
      `| ${o.system.name} | ${fmtMs(o.ms)} | ${
        fmtX(compiledMs ? o.ms! / compiledMs : undefined)
      } | ${Math.max(timed, 1)} | ${o.peakMb?.toFixed(0) ?? "—"} | ${
        fmtLoss(o.result!.losses[c.steps - 1])
      } | ${o === ref ? "—" : c.rel.toExponential(1)} | ${same} |`,
    );
  }
}

// The issue's table: ms per step side by side, then the ratio that matters.
const columns = systems.map((s) => s.name);
const trainShown = gridOnly ? [] : TRAIN_WORKLOADS.filter(wanted);
if (trainShown.length > 0) {
  lines.push(
    "",
    "### Side by side (ms per step)",
    "",
    `| workload | ${columns.join(" | ")} | PyTorch f64 / compiled |`,
    `| --- | ${columns.map(() => "---:").join(" | ")} | ---: |`,
  );
  for (const w of trainShown) {
    const torch = find(w.id, "PyTorch f64")?.ms;
    const compiled = find(w.id, "compiled")?.ms;
    lines.push(
      `| ${w.id} | ${columns.map((name) => fmtMs(find(w.id, name)?.ms)).join(" | ")} | ${
        torch && compiled ? `${(torch / compiled).toFixed(2)}` : "—"
      } |`,
    );
  }
}

// GFLOP/s per width, on the samples each pass runs.
const sweepShown = gridOnly ? [] : sweep.filter(wanted);
if (sweepShown.length > 0) {
  const names = systems.filter((s) => s.name !== "Value").map((s) => s.name);
  lines.push(
    "",
    "### GFLOP/s per layer width (2-W-W-1, 1,000 points, SVM loss)",
    "",
    "FLOP per step counts the matrix products only, on the samples each pass runs: " +
      "(2 × samples + 4 × active) × Σ nin·nout, 2 per multiply-add forward for every sample, " +
      "4 backward (weights' and inputs' grads) for the active samples only: those inside the " +
      "SVM margin, the only ones with a grad (the mean over the compiled path's split run, " +
      "the same count for every system). The SIMD peak is this machine's limit for two-lane " +
      "f64 SIMD without FMA, measured in this run.",
    "",
    `| width | active samples | MFLOP per step | ${names.join(" | ")} | compiled / SIMD peak |`,
    `| ---: | ---: | ---: | ${names.map(() => "---:").join(" | ")} | ---: |`,
  );
  for (const w of sweepShown) {
    const active = find(w.id, "compiled")?.result?.active;
    const flops = active === undefined ? undefined : stepFlops(w, active);
    const rate = (name: string) => {
      const ms = find(w.id, name)?.ms;
      return ms === undefined || flops === undefined ? undefined : flops / (ms * 1e6);
    };
    const compiled = rate("compiled");
    lines.push(
      `| ${w.sizes[1]} | ${active?.toFixed(0) ?? "—"} of ${w.data.x.length} | ${
        flops === undefined ? "—" : (flops / 1e6).toFixed(1)
      } | ${names.map((n) => rate(n)?.toFixed(2) ?? "—").join(" | ")} | ${
        compiled === undefined ? "—" : (compiled / peak.best).toFixed(2)
      } |`,
    );
  }
}

// Each pass's GFLOP/s against the SIMD peak.
const passes = [
  ...workloads.map((w) => ({ w, o: find(w.id, "compiled") })),
  ...grid.map(({ w, runs }) => ({ w, o: runs.get("compiled")![0] })),
].filter(({ o }) => o?.result?.split !== undefined && o.result.active !== undefined);
lines.push(
  "",
  "### The compiled path's passes against the SIMD peak",
  "",
  `This machine's limit for two-lane f64 SIMD without fused multiply-add, measured in this ` +
    `run (\`bench/simd_peak.ts\`: 12 f64x2 sums in registers, one multiply and one add each ` +
    `per turn, no memory traffic): ${peak.best.toFixed(1)} GFLOP/s (best call; median ` +
    `${peak.median.toFixed(1)}; ${peak0.best.toFixed(1)} at the start, ${
      peak1.best.toFixed(1)
    } at the end, in the report's process). Each pass is divided by the peak measured ` +
    `in its own process right after it (the same load), shown per row. A pass's GFLOP/s: ` +
    `its matrix products ` +
    `(forward 2 × samples × Σ nin·nout, backward 4 × active samples × Σ nin·nout) over the ` +
    `median time of \`CompiledMlp.forward()\` (the forward kernels, the activations, the loss) ` +
    `or of \`zeroGrad()\` + \`backward()\` (the weight, bias and input grad kernels).`,
);
if (passes.length > 0) {
  lines.push(
    "",
    "| workload | active samples | SIMD peak in its process | forward GFLOP/s | forward / peak | backward GFLOP/s | backward / peak |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const { w, o } of passes) {
    const { split, active, simdPeak } = o!.result!;
    const forward = stepFlops(w, 0) / (split!.forward * 1e6);
    const backward = (stepFlops(w, active) - stepFlops(w, 0)) / (split!.backward * 1e6);
    const top = simdPeak ?? peak.best;
    lines.push(
      `| ${w.id} | ${active!.toFixed(0)} of ${w.data.x.length} | ${top.toFixed(1)} | ${
        forward.toFixed(2)
      } | ${(forward / top).toFixed(2)} | ${backward.toFixed(2)} | ${
        (backward / top).toFixed(2)
      } |`,
    );
  }
}

// Where the compiled path's time goes.
const splits = workloads.map((w) => ({ w, o: find(w.id, "compiled") }))
  .filter(({ o }) => o?.result?.split !== undefined);
if (splits.length > 0) {
  lines.push(
    "",
    "### Where the compiled path's time goes",
    "",
    "The same steps again with `CompiledMlp.forward()`, `zeroGrad()` + `backward()` and " +
      "the SGD update timed one by one (medians; the parts of a step, not a sum of medians).",
    "",
    "| workload | step (ms) | forward | backward | optimizer |",
    "| --- | ---: | ---: | ---: | ---: |",
  );
  for (const { w, o } of splits) {
    const s = o!.result!.split!;
    const sum = s.forward + s.backward + s.optimizer;
    const part = (x: number) => `${fmtMs(x)} (${(100 * x / sum).toFixed(0)}%)`;
    lines.push(
      `| ${w.id} | ${fmtMs(o!.ms)} | ${part(s.forward)} | ${part(s.backward)} | ${
        part(s.optimizer)
      } |`,
    );
    if (o!.result!.note) lines.push(`| ${w.id} | ${o!.result!.note} | | | |`);
  }
}

// ---- The grid's tables ----

const OURS = "compiled";
const OURS2 = ours2.name;
const [PT64, PT32, PT64X2, PT32X2] = gridSystems.filter((s) => !s.ours).map((s) => s.name);

/** The median over rounds of `a`'s ms per step over `b`'s in the same round. */
function pairedRatio(run: GridRun, a: string, b: string): number | undefined {
  const ratios = roundRatios(run, a, b);
  return ratios.length === 0 ? undefined : median(ratios);
}

/** `a`'s ms per step over `b`'s, round by round (the rounds both ran). */
function roundRatios(run: GridRun, a: string, b: string): number[] {
  const as = run.runs.get(a)!;
  const bs = run.runs.get(b)!;
  return as.flatMap((o, i) =>
    o.ms !== undefined && bs[i]?.ms !== undefined ? [o.ms / bs[i].ms!] : []
  );
}

/** A system's median ms per step over its rounds. */
function gridMs(run: GridRun, name: string): number | undefined {
  const ms = run.runs.get(name)!.flatMap((o) => o.ms === undefined ? [] : [o.ms]);
  return ms.length === 0 ? undefined : median(ms);
}

/** A system's first result, and its largest peak memory over rounds. */
function gridFirst(run: GridRun, name: string): { result?: JobResult; peakMb?: number } {
  const list = run.runs.get(name)!;
  const peaks = list.flatMap((o) => o.peakMb === undefined ? [] : [o.peakMb]);
  return {
    result: list.find((o) => o.result !== undefined)?.result,
    peakMb: peaks.length === 0 ? undefined : Math.max(...peaks),
  };
}

/** The largest relative difference of two loss lists over their common steps. */
function maxRelDiff(a: readonly number[], b: readonly number[]): number {
  let rel = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const r = Math.abs(a[i] - b[i]) / Math.abs(b[i]);
    if (!(r <= rel)) rel = r;
  }
  return rel;
}

if (grid.length > 0) {
  lines.push(
    "",
    "### The grid: 2-W-W-1, ReLU, MSE, SGD, float64",
    "",
    `Two moons, N points as one batch, MSE against -1/+1 (every sample in the backward ` +
      `pass) + 1e-4 × Σp², plain SGD on micrograd's schedule from micrograd's initialisation ` +
      `(seed 1337), lr by width (\`GRID_LR\` in \`bench/_grid.ts\`). Each system in its own ` +
      `process, ${rounds} round(s), the systems taking turns within a round; each stepped ` +
      `at least 4 steps and for up to ${gridBudgetMs} ms, and its ms per step is the median ` +
      `past its first 5 steps (past the first half of 10 or fewer; past the first episode ` +
      `of 200 or more). A ratio is ` +
      `the median over rounds of our time over the peer's in the same round: under 1, we ` +
      `are faster. PyTorch runs at its best (its command without OPENBLAS_CORETYPE and ` +
      `OPENBLAS_L2_SIZE), pinned to one thread, or to two.`,
  );
  const matrix = (title: string, a: string, b: string) => {
    lines.push(
      "",
      `${title}:`,
      "",
      `| W \\ N | ${GRID_SAMPLES.map((n) => n.toLocaleString("en")).join(" | ")} |`,
      `| --- | ${GRID_SAMPLES.map(() => "---:").join(" | ")} |`,
    );
    for (const width of GRID_WIDTHS) {
      const row = GRID_SAMPLES.map((n) => {
        const run = grid.find((g) => g.cell.width === width && g.cell.samples === n);
        if (run === undefined) return " ";
        if (run.runs.get(a)!.every((o) => o.error !== undefined && o.error.startsWith("n/a"))) {
          return "n/a";
        }
        const ratios = roundRatios(run, a, b);
        const mid = fmtX(pairedRatio(run, a, b)).replace("×", "");
        if (ratios.length < 2) return mid;
        const range = [Math.min(...ratios), Math.max(...ratios)].map((x) =>
          fmtX(x).replace("×", "")
        );
        return `${mid} (${range.join("–")})`;
      });
      if (row.some((r) => r !== " ")) lines.push(`| ${width} | ${row.join(" | ")} |`);
    }
  };
  lines.push(
    "",
    "Each cell: the median ratio over rounds, and in brackets the smallest and largest round's.",
  );
  matrix("Our ms per step / PyTorch float64's, one thread", OURS, PT64);
  matrix("Our ms per step / PyTorch float32's, one thread", OURS, PT32);
  matrix(`Ours on two threads / PyTorch float64 on two threads`, OURS2, PT64X2);
  matrix(`Ours on two threads / PyTorch float32 on two threads`, OURS2, PT32X2);
  lines.push(
    "",
    "Per cell: ms per step (medians over rounds), the losses (ours against PyTorch float64, " +
      "one thread, over the steps both ran: the largest relative difference), whether two " +
      "threads gave our one-thread losses bit for bit, peak memory of each whole process " +
      "(the largest over rounds), and our GFLOP/s (6 × N × Σ nin·nout per step).",
    "",
    `| W×N | ours | ${PT64} | ${PT32} | ours, 2 threads | ${PT64X2} | ${PT32X2} | ` +
      `steps compared | max Δ loss vs ${PT64} | 2 threads bit for bit | peak MB ours / ${PT64} | ` +
      `ours GFLOP/s |`,
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |",
  );
  for (const run of grid) {
    const mine = gridFirst(run, OURS);
    const two = gridFirst(run, OURS2);
    const ref = gridFirst(run, PT64);
    const a = mine.result?.losses;
    const b = ref.result?.losses;
    const diff = a && b ? maxRelDiff(a, b) : undefined;
    const bits = a && two.result
      ? a.slice(0, two.result.losses.length).every((l, i) => l === two.result!.losses[i])
        ? "yes"
        : "**no**"
      : "n/a";
    const ms = gridMs(run, OURS);
    const ok = diff === undefined ? "" : diff <= TOLERANCE.float64 ? "" : " **over 1e-9**";
    lines.push(
      `| ${run.cell.id} | ${
        [OURS, PT64, PT32, OURS2, PT64X2, PT32X2].map((n) => fmtMs(gridMs(run, n))).join(" | ")
      } | ${a && b ? Math.min(a.length, b.length) : "—"} | ${
        diff === undefined ? "—" : diff.toExponential(1)
      }${ok} | ${bits} | ${mine.peakMb?.toFixed(0) ?? "—"} / ${ref.peakMb?.toFixed(0) ?? "—"} | ${
        ms === undefined ? "—" : (stepFlops(run.w) / (ms * 1e6)).toFixed(2)
      } |`,
    );
  }
  const notRunHere = gridSystems.filter((s) => "skip" in s.command);
  for (const s of notRunHere) {
    lines.push("", `- ${s.name}: not run (${(s.command as { skip: string }).skip})`);
  }
}

// The issue's targets.
const ratio = (id: string, a: string, b: string) => {
  const x = find(id, a)?.ms;
  const y = find(id, b)?.ms;
  return x !== undefined && y !== undefined ? x / y : undefined;
};
const targets: [string, string, number | undefined, (x: number) => boolean][] = [
  ["W1: compiled / PyTorch f64", "<= 0.5", ratio("W1", "compiled", "PyTorch f64"), (x) => x <= 0.5],
  ["W2: compiled / PyTorch f64", "<= 1", ratio("W2", "compiled", "PyTorch f64"), (x) => x <= 1],
  ["W4: compiled / PyTorch f64", "<= 1", ratio("W4", "compiled", "PyTorch f64"), (x) => x <= 1],
];
// Issue 21's targets on the grid (one thread unless said).
const gridTargets: [string, string, string, number][] = [
  ["64x10000", OURS, PT64, 0.8],
  ["128x1000", OURS, PT64, 1],
  ["256x1000", OURS, PT64, 1.5],
  ["256x1000", OURS2, PT64X2, 1],
];
for (const [id, a, b, most] of gridTargets) {
  const run = grid.find((g) => g.cell.id === id);
  if (run === undefined) continue;
  targets.push([`grid ${id}: ${a} / ${b}`, `<= ${most}`, pairedRatio(run, a, b), (x) => x <= most]);
}
if (trainShown.length === 0) {
  // The grid alone: only its own targets.
  targets.splice(0, targets.length, ...targets.filter(([name]) => name.startsWith("grid")));
}
if (targets.length > 0) {
  lines.push(
    "",
    "### Targets",
    "",
    "| target | wanted | measured | met |",
    "| --- | --- | ---: | --- |",
  );
}
for (const [name, want, got, ok] of targets) {
  lines.push(
    `| ${name} | ${want} | ${got === undefined ? "—" : got.toFixed(2)} | ${
      got === undefined ? "—" : ok(got) ? "yes" : "no"
    } |`,
  );
}
for (const w of trainShown) {
  const c = find(w.id, "compiled");
  const v = find(w.id, "Value");
  if (c?.result && v?.result) {
    const same = c.result.losses.length === v.result.losses.length &&
      c.result.losses.every((l, i) => l === v.result!.losses[i]);
    lines.push(
      `| ${w.id}: compiled's losses are the Value path's, bit for bit | all ${c.result.losses.length} steps | ${
        same ? "identical" : "differ"
      } | ${same ? "yes" : "no"} |`,
    );
  }
}
const w2 = find("W2", "compiled");
if (w2?.peakMb !== undefined) {
  lines.push(
    `| W2: compiled path's peak memory (whole process) | < 100 MB | ${w2.peakMb.toFixed(0)} MB | ${
      w2.peakMb < 100 ? "yes" : "no"
    } |`,
  );
}
for (const s of systems) {
  if ("skip" in s.command) notRun.push(`${s.name}: not run (${s.command.skip})`);
}
if (notRun.length > 0) lines.push("", ...notRun.map((l) => `- ${l}`));

// ---- The Value graph: W3 and memory per node (in this process) ----
const gc = (globalThis as { gc?: () => void }).gc;
if (!args.values["no-graph"] && !gridOnly) {
  log("W3 and memory per node ...");
  const time = (f: () => unknown, n: number) => {
    const ts: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      f();
      ts.push(performance.now() - t);
    }
    return median(ts);
  };
  gc?.();
  const chain = makeChain();
  const tv = time(() => chain.backward(), 7);
  const ts = time(makeScalarLoopChain(), 21);
  let v = new NaiveValue(0.5);
  for (let i = 1; i < 1_000_000; i++) v = v.mul(1);
  let naive = "completes";
  try {
    v.backward();
  } catch (e) {
    naive = e instanceof RangeError ? "stack overflow in its recursive sort" : String(e);
  }
  lines.push(
    "",
    "### W3: backward() on a chain of 1,000,000 nodes (in the report's process)",
    "",
    `Value: ${fmtMs(tv)} ms; the scalar loop over a Float64Array: ${fmtMs(ts)} ms; ` +
      `the naive micrograd port: ${naive}.`,
  );
  if (gc !== undefined) {
    const heap = () => {
      gc();
      return Deno.memoryUsage().heapUsed;
    };
    lines.push(
      "",
      "| Value graph | nodes | retained bytes per node (after GC) | heap per node right after backward() |",
      "| --- | ---: | ---: | ---: |",
    );
    for (const n of [250_000, 1_000_000]) {
      const before = heap();
      let c: Value | null = makeChain(n);
      const built = heap();
      c.backward();
      const after = Deno.memoryUsage().heapUsed;
      lines.push(
        `| W3 chain | ${n.toLocaleString("en")} | ${((built - before) / n).toFixed(1)} | ${
          ((after - before) / n).toFixed(1)
        } |`,
      );
      c = null;
    }
    const model = new Mlp(W1.sizes[0], W1.sizes.slice(1));
    model.setParameters(W1.init);
    const before = heap();
    const outs = W1.data.x.map((x) => model.forward(x));
    const built = heap();
    const loss = Value.sum(outs.map((o) => o[0].relu()));
    const nodes = graphStats(loss).nodes;
    loss.backward();
    const after = Deno.memoryUsage().heapUsed;
    lines.push(
      `| W1 forward graph (100 samples) | ${nodes.toLocaleString("en")} | ${
        ((built - before) / nodes).toFixed(1)
      } | ${((after - before) / nodes).toFixed(1)} |`,
    );
  }
}

console.log(lines.join("\n"));
