/**
 * What training through the worker costs against the same training called
 * in-process: the worker's start-up, the message checks, the yields between
 * chunks and the progress messages. Each group trains the same model on the
 * same data with the same seed both ways; the in-process run also computes
 * the final metrics and the decision-boundary grid, as the worker does.
 *
 * Run: deno bench --unstable-worker-options --allow-read bench/worker_bench.ts
 *
 * The worker variant is an `async function`: `deno bench` awaits only
 * those, so a plain arrow that returns the run's promise would time the
 * worker's spawn and nothing else (it once reported a 1000-step `Value`
 * run "in a worker" at 84 ms, for ~1.9 s of training).
 * `tests/bench_baselines_test.ts` checks every bench here is one.
 *
 * `deno bench` runs the in-process variant warm (its JIT caches carry over
 * between iterations, and a worker torn down in the background slows the
 * next in-process iteration), while each worker starts cold. For a fair
 * figure, compare both cold, each run in a fresh process:
 *
 *     deno run --unstable-worker-options --allow-read --allow-run bench/worker_bench.ts --compare
 *
 * @module
 */
import { evaluate, makeMoons, Mlp, resolveSettings, trainSteps } from "../mod.ts";
import { makeTrainSpec, type StartMessage } from "../workers/protocol.ts";
import { spawnTrainer, trainerReady, trainInWorker } from "../workers/client.ts";
import { decisionGrid } from "../workers/grid.ts";

const data = makeMoons({ samples: 100, noise: 0.1, seed: 1337 });

function start(steps: number, engine: "compiled" | "value"): StartMessage {
  return {
    type: "start",
    spec: makeTrainSpec(resolveSettings({ classes: 2, steps, engine }), {
      nin: 2,
      nouts: [16, 16, 1],
      inputs: ["x1", "x2"],
      features: ["x1", "x2"],
    }),
    train: { x: data.x, y: data.y, classes: data.classes },
    grid: 80,
    chunkMs: 50,
  };
}

function inProcess(message: StartMessage): void {
  const { spec } = message;
  const model = new Mlp(spec.nin, spec.nouts, { activation: spec.activation, seed: spec.seed });
  for (const _ of trainSteps(model, message.train, { ...spec })) { /* train */ }
  evaluate(model, message.train, { loss: spec.loss });
  decisionGrid(model, message, spec.loss);
}

async function inWorker(message: StartMessage): Promise<void> {
  const outcome = await trainInWorker(message);
  if (outcome.type !== "done") throw new Error(outcome.message);
}

const cases: [string, number, "compiled" | "value"][] = [
  ["1 step: the worker's start-up cost", 1, "compiled"],
  ["micrograd's demo: 100 steps, compiled", 100, "compiled"],
  ["micrograd's demo: 100 steps, value engine", 100, "value"],
  ["moons: 2000 steps, compiled", 2000, "compiled"],
  ["moons: 1000 steps, value engine", 1000, "value"],
];

if (Deno.args[0] === "--child") {
  // One cold run, timed from before the model (or the worker) is made to the result.
  const [, mode, steps, engine] = Deno.args;
  const message = start(Number(steps), engine as "compiled" | "value");
  // "warm-worker" is what the CLI does: it spawns the worker first and sets up
  // the run (flags, data, Chart.js) while the worker loads, so only the
  // training itself is timed, from the start message to the done message.
  const worker = mode === "warm-worker" ? spawnTrainer() : undefined;
  if (worker) await trainerReady(worker);
  const t0 = performance.now();
  if (mode === "worker") await inWorker(message);
  else if (worker) await trainInWorker(message, { worker });
  else inProcess(message);
  console.log(performance.now() - t0);
  Deno.exit(0);
}

if (Deno.args[0] === "--compare") {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const child = async (mode: string, steps: number, engine: string) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--unstable-worker-options",
        "--allow-read",
        new URL(import.meta.url).pathname,
        "--child",
        mode,
        String(steps),
        engine,
      ],
      stderr: "inherit",
    }).output();
    return Number(new TextDecoder().decode(out.stdout));
  };
  const runs = Number(Deno.args[1] ?? 7);
  console.log(
    "| run | in-process (ms) | worker started early, as the CLI does (ms) | ratio | " +
      "worker started cold (ms) | ratio |",
  );
  console.log(`| --- | --: | --: | --: | --: | --: |`);
  for (const [group, steps, engine] of cases) {
    const a: number[] = [];
    const b: number[] = [];
    const c: number[] = [];
    for (let i = 0; i < runs; i++) {
      a.push(await child("in-process", steps, engine));
      b.push(await child("warm-worker", steps, engine));
      c.push(await child("worker", steps, engine));
    }
    const [ma, mb, mc] = [median(a), median(b), median(c)];
    console.log(
      `| ${group} | ${ma.toFixed(0)} | ${mb.toFixed(0)} | ${(mb / ma).toFixed(2)}x | ` +
        `${mc.toFixed(0)} | ${(mc / ma).toFixed(2)}x |`,
    );
  }
  Deno.exit(0);
}

for (const [group, steps, engine] of cases) {
  const message = start(steps, engine);
  const n = steps > 100 ? 5 : 10;
  Deno.bench({
    name: "in-process",
    group,
    baseline: true,
    n,
    warmup: 1,
    fn: () => inProcess(message),
  });
  Deno.bench({
    name: "in a worker",
    group,
    n,
    warmup: 1,
    fn: async () => {
      await inWorker(message);
    },
  });
}
