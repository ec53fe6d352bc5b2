import assert from "node:assert/strict";
import { graphStats, Mlp, trainSteps } from "../mod.ts";
import { ScalarLoopMlp } from "../bench/scalar_loop.ts";
import { naiveCeStep, NaiveMlp, naiveSvmStep } from "../bench/naive.ts";
import {
  ALPHA,
  jobFor,
  lrAt,
  makeChain,
  makeScalarLoopChain,
  stepFlops,
  sweepWorkload,
  W1,
  W2,
  W4,
} from "../bench/_workloads.ts";
import { episodeLr, type JobStepper, layerParams, runJob } from "../bench/_job.ts";
import { assertClose, readReference } from "./_helpers.ts";

// The benchmark compares systems doing the same work: these tests check that
// the baselines compute the same training run as the library, so that a fast
// time cannot come from a wrong or cheaper computation.

const ref = readReference<{ losses: number[]; "init_params": number[] }>(
  "train_trajectory.json",
);

Deno.test("W1 is the PyTorch trajectory's run", () => {
  assert.deepEqual(W1.init, ref.init_params);
  assert.equal(W1.data.x.length, 100);
  assert.equal(lrAt(0), 1);
  assert.equal(lrAt(99), 1.0 - 0.9 * 99 / 100);
});

Deno.test("the naive and scalar-loop baselines reproduce PyTorch's losses on W1", () => {
  const naive = new NaiveMlp(2, [16, 16, 1], () => 0);
  naive.setParameters(W1.init);
  const scalar = new ScalarLoopMlp(W1.sizes, W1.data.x.length, W1.init);
  scalar.setInputs(W1.data.x);
  for (let k = 0; k < 100; k++) {
    const b = scalar.svmStep(W1.data.y, lrAt(k), ALPHA);
    assertClose(b, ref.losses[k], 1e-9, `scalar loop loss at step ${k}`);
    // The naive port takes ~0.1 s a step: the first steps are enough.
    if (k < 8) {
      const a = naiveSvmStep(naive, W1.data.x, W1.data.y, lrAt(k), ALPHA);
      assertClose(a, ref.losses[k], 1e-9, `naive loss at step ${k}`);
    }
  }
});

Deno.test("the naive and scalar-loop baselines follow the library's cross-entropy run on W4", () => {
  const model = new Mlp(2, [32, 32, 3]);
  model.setParameters(W4.init);
  const steps = 20;
  const lib = [
    ...trainSteps(model, W4.data, { loss: "ce", l2: ALPHA, steps, lr: 1, engine: "value" }),
  ];
  const naive = new NaiveMlp(2, [32, 32, 3], () => 0);
  naive.setParameters(W4.init);
  const scalar = new ScalarLoopMlp(W4.sizes, W4.data.x.length, W4.init);
  scalar.setInputs(W4.data.x);
  for (let k = 0; k < steps; k++) {
    // trainSteps decays over its own 20 steps: 1 - 0.9 * k / 20.
    const lr = lib[k].lr;
    if (k < 2) {
      const a = naiveCeStep(naive, W4.data.x, W4.data.y, lr, ALPHA);
      assertClose(a, lib[k].loss, 1e-9, `naive loss at step ${k}`);
    }
    assertClose(
      scalar.ceStep(W4.data.y, lr, ALPHA),
      lib[k].loss,
      1e-9,
      `scalar loop loss at step ${k}`,
    );
  }
  assert.ok(lib.at(-1)!.loss < lib[0].loss, "the run learns something");
});

Deno.test("W3's chain has the nodes it claims, and the scalar loop gets the same grad", () => {
  const chain = makeChain(1000);
  const stats = graphStats(chain);
  assert.equal(stats.nodes, 1000);
  assert.equal(stats.depth, 999);
  chain.backward();
  let leaf = chain;
  while (leaf.children.length > 0) leaf = leaf.children[0];
  assertClose(makeScalarLoopChain(1000)(), leaf.grad, 1e-12, "leaf grad");
  assert.ok(leaf.grad > 0 && leaf.grad < 1);
});

Deno.test("the report's job loop restarts every episode on micrograd's schedule", () => {
  // Two episodes of W1 through runJob, as every system of the report runs them.
  const job = jobFor(W1, "float64", { minSteps: 200, maxSteps: 200, budgetMs: 0 });
  const scalar = new ScalarLoopMlp(job.sizes, job.x.length, job.init);
  scalar.setInputs(job.x);
  const seen: number[] = [];
  const stepper: JobStepper = {
    reset: () => scalar.params.set(job.init),
    step(lr) {
      const loss = scalar.svmStep(job.y, lr, job.alpha);
      seen.push(loss);
      return loss;
    },
  };
  const { times, losses } = runJob(job, stepper);
  assert.equal(times.length, 200);
  assert.equal(losses.length, 100, "losses of the first episode only");
  for (let k = 0; k < 100; k++) {
    assertClose(losses[k], ref.losses[k], 1e-9, `loss at step ${k}`);
    assert.equal(seen[100 + k], seen[k], `episode 2 repeats episode 1 at step ${k}`);
  }
  assert.equal(episodeLr(0, 100), 1);
  assert.equal(episodeLr(99, 100), lrAt(99));
  // What the JSON carries is what the library trains on.
  assert.deepEqual(JSON.parse(JSON.stringify(job)).x, W1.data.x);
});

Deno.test("the peers' layer layout (x @ W + b) computes the model's outputs", () => {
  const model = new Mlp(2, [16, 16, 1]);
  model.setParameters(W1.init);
  const layers = layerParams(W1.sizes, W1.init);
  assert.deepEqual(layers.map((l) => [l.nin, l.nout]), [[2, 16], [16, 16], [16, 1]]);
  for (const x of W1.data.x.slice(0, 10)) {
    let h = x;
    layers.forEach(({ w, b, nin, nout }, l) => {
      h = Array.from({ length: nout }, (_, j) => {
        let z = b[j];
        for (let i = 0; i < nin; i++) z += h[i] * w[i * nout + j];
        return l < layers.length - 1 && z < 0 ? 0 : z;
      });
    });
    assertClose(h[0], model.predict(x)[0], 1e-12, "output");
  }
  assert.throws(() => layerParams(W1.sizes, W1.init.slice(1)), RangeError);
});

Deno.test("the GFLOP/s sweep counts 6 flops per weight and sample", () => {
  assert.equal(sweepWorkload(64), W2);
  const w = sweepWorkload(256);
  assert.deepEqual(w.sizes, [2, 256, 256, 1]);
  assert.equal(w.data, W2.data);
  assert.equal(w.init.length, 256 * 3 + 256 * 257 + 257);
  assert.equal(stepFlops(W2), 6 * 1000 * (2 * 64 + 64 * 64 + 64));
});

Deno.test("every worker bench is an async function, so deno bench waits for the done message", async () => {
  // deno bench awaits a bench only when its fn is an `async function`; an
  // arrow returning the worker's promise was timed at its spawn (84 ms for
  // a ~1.9 s run).
  const registered: Deno.BenchDefinition[] = [];
  const original = Deno.bench;
  (Deno as { bench: unknown }).bench = (definition: Deno.BenchDefinition) => {
    registered.push(definition);
  };
  try {
    await import("../bench/worker_bench.ts");
  } finally {
    (Deno as { bench: unknown }).bench = original;
  }
  const inWorker = registered.filter((b) => b.name === "in a worker");
  assert.ok(inWorker.length >= 5, `${inWorker.length} worker benches`);
  for (const b of inWorker) {
    assert.equal(b.fn.constructor.name, "AsyncFunction", `${b.group}: fn must be async`);
  }
});

Deno.test("bench:report refuses a bad flag with one line and exit code 2, before any work", async (t) => {
  const env = Deno.env.toObject();
  delete env.RUST_BACKTRACE;
  env.NO_COLOR = "1";
  const cases: [string[], RegExp][] = [
    [["--rounds", "abc"], /'--rounds' must be a whole number, 1 or more: current value is abc/],
    [["--rounds", "0"], /'--rounds' must be a whole number, 1 or more: current value is 0/],
    [["--budget=-1"], /'--budget' must be a positive number of ms: current value is -1/],
    [["--only", "W1,W9"], /'--only' takes workloads from W1, W2, W4, G16, G256: current value/],
    [["--cells", "64x999"], /'--cells' takes cells WxN from 16,32,64,128,256,512 x 100,/],
    [
      ["--grid-budget", "x"],
      /'--grid-budget' must be a number of ms, 0 or more: current value is x/,
    ],
    [["--bogus"], /Unknown option '--bogus'/],
  ];
  for (const [args, message] of cases) {
    await t.step(args.join(" "), async () => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--no-lock",
          "-A",
          new URL("../bench/report.ts", import.meta.url).pathname,
          ...args,
        ],
        env,
        clearEnv: true,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr).trim().split("\n");
      assert.equal(out.code, 2);
      assert.equal(stderr.length, 1, stderr.join("\n"));
      assert.match(stderr[0], /^bench:report: /);
      assert.match(stderr[0], message);
      assert.equal(new TextDecoder().decode(out.stdout), "");
    });
  }
});
