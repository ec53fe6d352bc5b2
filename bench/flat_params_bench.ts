/**
 * Milliseconds per training step (`trainSteps`, compiled engine, MSE, SGD and
 * Adam) of 2-W-W-1 models on N moons points, for this tree against another
 * copy of the library (`--before DIR`, a checkout's root), measured in one
 * interleaved run: each round runs every cell on both trees, their steps
 * timed alternately (A, B, A, B ...); the table gives the medians over the
 * rounds of each round's median step, and of the per-round ratios (after /
 * before). "same loss": both trees' last losses are equal, bit for bit.
 *
 *     git archive <commit> | tar -x -C /tmp/before
 *     deno run --allow-read bench/flat_params_bench.ts --before /tmp/before --rounds 7
 *
 * `--cpu` times each step in the process's CPU time rather than wall time:
 * steadier when other programs share the cores (it counts every thread of
 * the process, the garbage collector's too).
 *
 * It also times the per-parameter work that remains on the flat arrays
 * (`optimizer.stepArrays`) at each width, in nanoseconds per parameter.
 *
 * @module
 */
import { cpuUsage } from "node:process";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import * as after from "../mod.ts";

type Lib = typeof after;

const { values } = parseArgs({
  args: Deno.args,
  options: {
    before: { type: "string" },
    rounds: { type: "string", default: "7" },
    widths: { type: "string", default: "256,512" },
    sizes: { type: "string", default: "100,1000" },
    cpu: { type: "boolean", default: false },
  },
});
// --cpu: the process's CPU time per step instead of wall time (steadier on a loaded machine).
const cpu = values.cpu!;
const rounds = Number(values.rounds);
const widths = values.widths!.split(",").map(Number);
const sizes = values.sizes!.split(",").map(Number);
const before: Lib | undefined = values.before === undefined
  ? undefined
  : await import(pathToFileURL(`${Deno.realPathSync(values.before)}/mod.ts`).href);

interface Cell {
  w: number;
  n: number;
  optimizer: "sgd" | "adam";
}

const cells: Cell[] = [];
for (const w of widths) {
  for (const n of sizes) {
    for (const optimizer of ["sgd", "adam"] as const) cells.push({ w, n, optimizer });
  }
}

/** Steps timed per round: about a third of a second at today's speed. */
function stepsOf(c: Cell): number {
  return Math.max(4, Math.round(30 * (100 / c.n) ** 0.7 * (256 / c.w) ** 2));
}

/** A run of `c` on `lib`, its first step (the layout) done. */
function start(lib: Lib, c: Cell, steps: number): Iterator<{ loss: number }> {
  const data = lib.makeMoons({ samples: c.n, noise: 0.1, seed: 1 });
  const model = new lib.Mlp(2, [c.w, c.w, 1], { seed: 1 });
  const run = lib.trainSteps(model, data, {
    loss: "mse",
    optimizer: c.optimizer,
    lr: c.optimizer === "sgd" ? 1e-5 : 1e-4,
    lrSchedule: "constant",
    steps: steps + 1,
  });
  run.next();
  return run;
}

/** Milliseconds of one step of `run`, and its loss. */
function timeStep(run: Iterator<{ loss: number }>): { ms: number; loss: number } {
  if (cpu) {
    const c0 = cpuUsage();
    const r = run.next();
    const c = cpuUsage(c0);
    return { ms: (c.user + c.system) / 1000, loss: r.value!.loss };
  }
  const t0 = performance.now();
  const r = run.next();
  return { ms: performance.now() - t0, loss: r.value!.loss };
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// Each round: for every cell, a fresh run on each tree, their steps timed
// alternately (A, B, A, B ...), so that both see the same load.
const rows = cells.map(() => ({ a: [] as number[], b: [] as number[], r: [] as number[] }));
const losses = cells.map(() => ({ a: NaN, b: NaN }));
for (let round = 0; round < rounds; round++) {
  cells.forEach((c, i) => {
    const record = (run: Iterator<{ loss: number }>, which: "a" | "b"): number => {
      const { ms, loss } = timeStep(run);
      losses[i][which] = loss;
      return ms;
    };
    const steps = stepsOf(c);
    const a = start(after, c, steps);
    const b = before === undefined ? undefined : start(before, c, steps);
    const ta: number[] = [];
    const tb: number[] = [];
    for (let k = 0; k < steps; k++) {
      const aFirst = (k + round) % 2 === 0;
      if (b !== undefined && !aFirst) tb.push(record(b, "b"));
      ta.push(record(a, "a"));
      if (b !== undefined && aFirst) tb.push(record(b, "b"));
    }
    rows[i].a.push(median(ta));
    if (b !== undefined) {
      rows[i].b.push(median(tb));
      rows[i].r.push(median(ta) / median(tb));
    }
  });
  console.error(`round ${round + 1}/${rounds} done`);
}

console.log(
  "| model | N | optimizer | before ms/step | after ms/step | after/before | same loss |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- |");
cells.forEach((c, i) => {
  const { a, b, r } = rows[i];
  const fmt = (xs: number[]) => xs.length ? median(xs).toFixed(2) : "-";
  const same = before === undefined ? "-" : losses[i].a === losses[i].b ? "yes" : "NO";
  console.log(
    `| 2-${c.w}-${c.w}-1 | ${c.n} | ${c.optimizer} | ${fmt(b)} | ${fmt(a)} | ${
      r.length ? median(r).toFixed(3) : "-"
    } | ${same} |`,
  );
});

// The per-parameter work left, in ns per parameter: the optimizer's update
// on the flat arrays, the copy of the weights for the SIMD forward kernel
// (what step() adds to stepArrays()), and a sync each way with the Values.
console.log(
  "\n| width | parameters | SGD | Adam | copy for SIMD forward | writeModel | readModel |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- |");
for (const w of widths) {
  const model = new after.Mlp(2, [w, w, 1], { seed: 1 });
  const params = model.parameters();
  const x = [[0.5, -1]];
  const compiled = new after.CompiledMlp(model, 1, { loss: "mse", syncModel: false });
  compiled.forward(x, [1]);
  compiled.backward();
  const p = Float64Array.from(params, (v) => v.data);
  const g = p.map((x) => x * 1e-3);
  const perParam = (f: () => void) => {
    const times: number[] = [];
    for (let r = 0; r < 21; r++) {
      const t0 = performance.now();
      f();
      times.push(performance.now() - t0);
    }
    return median(times) * 1e6 / p.length;
  };
  const sgd = new after.Sgd(params, { lr: 1e-9 });
  const adam = new after.Adam(params, { lr: 1e-9 });
  const cells = [
    perParam(() => sgd.stepArrays(p, g)),
    perParam(() => adam.stepArrays(p, g)),
    perParam(() => compiled.step(sgd)) - perParam(() => sgd.stepArrays(p, g)),
    perParam(() => compiled.writeModel()),
    perParam(() => compiled.readModel()),
  ];
  console.log(`| ${w} | ${p.length} | ${cells.map((c) => c.toFixed(2)).join(" | ")} |`);
}
