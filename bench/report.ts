/**
 * Times every workload on every system in one process and prints markdown:
 * median milliseconds per step, the ratios to the "naive" and "limit"
 * baselines, the issue's targets, and the memory each `Value` node takes.
 *
 *     deno task bench:report            # about two minutes
 *     deno task bench:report --naive-w2 # also the naive port on W2 (minutes, ~10 GB)
 *
 * Run with `--v8-flags=--expose-gc` (the task does) for the memory figures;
 * the naive port's W2 graph needs a heap above V8's default 4 GB
 * (`--max-old-space-size`, which the task also sets).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { graphStats, Mlp, Value } from "../mod.ts";
import { NaiveValue } from "./naive.ts";
import { TFJS_VERSION, tfjsReady, tfjsStepper } from "./_tfjs.ts";
import {
  EPISODE,
  libraryStepper,
  limitStepper,
  makeChain,
  makeLimitChain,
  naiveStepper,
  type Stepper,
  type SystemName,
  TRAIN_WORKLOADS,
  type TrainWorkload,
  W1,
} from "./_workloads.ts";

const args = parseArgs({
  args: Deno.args,
  options: {
    "naive-w2": { type: "boolean", default: false },
    budget: { type: "string", default: "2000" },
  },
  strict: true,
});
const budgetMs = Number(args.values.budget);

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Times single calls of `f` until `budgetMs` has passed (at least `min`, at most `max` calls). */
function timeCalls(f: () => unknown, min = 5, max = 5000): { median: number; runs: number } {
  const times: number[] = [];
  const start = performance.now();
  while (times.length < max && (times.length < min || performance.now() - start < budgetMs)) {
    const t = performance.now();
    f();
    times.push(performance.now() - t);
  }
  return { median: median(times), runs: times.length };
}

interface Row {
  workload: string;
  system: SystemName;
  ms: number | null;
  runs: number;
  note?: string;
  finalLoss?: number;
}

const rows: Row[] = [];
const gc = (globalThis as { gc?: () => void }).gc;
await tfjsReady();

function stepperFor(w: TrainWorkload, system: SystemName): Stepper {
  switch (system) {
    case "naive":
      return naiveStepper(w);
    case "value":
    case "compiled":
      return libraryStepper(w, system);
    case "limit":
      return limitStepper(w);
    case "tfjs":
      return tfjsStepper(w);
  }
}

for (const w of TRAIN_WORKLOADS) {
  const systems: SystemName[] = ["naive", "value", "compiled", "limit"];
  if (w.loss === "svm") systems.push("tfjs");
  for (const system of systems) {
    if (system === "naive" && w.id === "W2" && !args.values["naive-w2"]) {
      rows.push({ workload: w.id, system, ms: null, runs: 0, note: "skipped (--naive-w2)" });
      continue;
    }
    gc?.();
    const stepper = stepperFor(w, system);
    // Warm up: a whole first episode (W1), or a few steps for the slow ones.
    let finalLoss: number | undefined;
    const slow = system === "naive" || (system === "value" && w.id !== "W1");
    const warm = w.id === "W1" ? EPISODE : slow ? 2 : 30;
    for (let k = 0; k < warm; k++) {
      const loss = stepper.step();
      if (k === EPISODE - 1) finalLoss = loss;
    }
    const t = timeCalls(() => stepper.step(), slow ? 3 : 20);
    rows.push({ workload: w.id, system, ms: t.median, runs: t.runs, finalLoss });
    console.error(`${w.id} ${system}: ${t.median.toFixed(4)} ms/step (${t.runs} steps)`);
  }
}

// W3: backward() on a chain of a million nodes.
{
  gc?.();
  const chain = makeChain();
  const t = timeCalls(() => chain.backward(), 5, 50);
  rows.push({ workload: "W3", system: "value", ms: t.median, runs: t.runs });
  const limit = makeLimitChain();
  const tl = timeCalls(limit, 20);
  rows.push({ workload: "W3", system: "limit", ms: tl.median, runs: tl.runs });
  let v = new NaiveValue(0.5);
  for (let i = 1; i < 1_000_000; i++) v = v.mul(1);
  let note = "completes";
  try {
    v.backward();
  } catch (e) {
    note = `fails: ${e instanceof RangeError ? "stack overflow in its recursive sort" : String(e)}`;
  }
  rows.push({ workload: "W3", system: "naive", ms: null, runs: 0, note });
  console.error(`W3 value: ${t.median.toFixed(2)} ms, limit ${tl.median.toFixed(2)} ms`);
}

function find(workload: string, system: SystemName): number | null {
  return rows.find((r) => r.workload === workload && r.system === system)?.ms ?? null;
}

function fmtMs(ms: number | null): string {
  if (ms === null) return "—";
  return ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(4);
}

function fmtRatio(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return "—";
  return x >= 100 ? `${x.toFixed(0)}×` : `${x.toFixed(2)}×`;
}

const lines: string[] = [];
lines.push(
  `Deno ${Deno.version.deno}, V8 ${Deno.version.v8}, TF.js ${TFJS_VERSION}, ${Deno.build.os}/${Deno.build.arch}, ${navigator.hardwareConcurrency} cores, ${
    new Date().toISOString().slice(0, 16)
  }Z`,
  "",
  "| workload | system | ms per step (median) | speed-up over naive | time / limit's time | steps timed |",
  "| --- | --- | ---: | ---: | ---: | ---: |",
);
for (const r of rows) {
  const naive = find(r.workload, "naive");
  const limit = find(r.workload, "limit");
  const vsNaive = r.ms !== null && naive !== null ? naive / r.ms : null;
  const vsLimit = r.ms !== null && limit !== null ? r.ms / limit : null;
  lines.push(
    `| ${r.workload} | ${r.system} | ${r.note ?? fmtMs(r.ms)} | ${fmtRatio(vsNaive)} | ${
      fmtRatio(vsLimit)
    } | ${r.runs || "—"} |`,
  );
}

const w1Losses = rows.filter((r) => r.workload === "W1" && r.finalLoss !== undefined);
lines.push(
  "",
  `W1 loss at step ${EPISODE} from the same start: ${
    w1Losses.map((r) => `${r.system} ${r.finalLoss!.toPrecision(8)}`).join(", ")
  } (TF.js computes in float32).`,
);

function ratio(a: number | null, b: number | null): number | null {
  return a !== null && b !== null ? a / b : null;
}
const targets: [string, string, number | null, (x: number) => boolean][] = [
  [
    "Value path, W1, speed-up over naive",
    ">= 15×",
    ratio(find("W1", "naive"), find("W1", "value")),
    (x) => x >= 15,
  ],
  [
    "compiled, W1, time / limit",
    "<= 3×",
    ratio(find("W1", "compiled"), find("W1", "limit")),
    (x) => x <= 3,
  ],
  [
    "compiled, W2, time / limit",
    "<= 3×",
    ratio(find("W2", "compiled"), find("W2", "limit")),
    (x) => x <= 3,
  ],
  [
    "compiled, W1, speed-up over TF.js CPU",
    "> 1×",
    ratio(find("W1", "tfjs"), find("W1", "compiled")),
    (x) => x > 1,
  ],
];
lines.push("", "| target | wanted | measured | met |", "| --- | --- | ---: | --- |");
for (const [name, want, got, ok] of targets) {
  lines.push(
    `| ${name} | ${want} | ${fmtRatio(got)} | ${got === null ? "—" : ok(got) ? "yes" : "no"} |`,
  );
}

// Memory per node.
if (gc === undefined) {
  lines.push("", "Memory: run with --v8-flags=--expose-gc to measure it.");
} else {
  const heap = () => {
    gc();
    return Deno.memoryUsage().heapUsed;
  };
  lines.push(
    "",
    "| Value graph | nodes | retained bytes per node (after GC) | heap per node right after backward() (before GC) |",
    "| --- | ---: | ---: | ---: |",
  );
  for (const n of [250_000, 500_000, 1_000_000]) {
    const before = heap();
    let chain: Value | null = makeChain(n);
    const built = heap();
    chain.backward();
    const after = Deno.memoryUsage().heapUsed;
    lines.push(
      `| W3 chain | ${n.toLocaleString("en")} | ${((built - before) / n).toFixed(1)} | ${
        ((after - before) / n).toFixed(1)
      } |`,
    );
    chain = null;
  }
  for (const w of [W1]) {
    const model = new Mlp(w.sizes[0], w.sizes.slice(1));
    model.setParameters(w.init);
    const before = heap();
    const outs = w.data.x.map((x) => model.forward(x));
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
