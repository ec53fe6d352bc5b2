import assert from "node:assert/strict";
import {
  Adam,
  checkSetting,
  CompiledMlp,
  type CompiledMlpOptions,
  type Dataset,
  makeBlobs,
  makeMoons,
  makeRegGauss,
  Mlp,
  type Optimizer,
  Sgd,
  type StepMetrics,
  type TrainOptions,
  trainSteps,
} from "../mod.ts";
import { splitting, THREAD_MIN_WORK, threadCount } from "../nn/compiled/_threads.ts";
import { IGNORE_BROWSER_TESTS, openPage } from "./_chromium.ts";
import { inTempDir, lines, runCli } from "./_cli.ts";

/** One training case: a model, its data, the loss and the optimizer. */
interface Case {
  name: string;
  layers: number[];
  data: Dataset;
  options: CompiledMlpOptions;
  optimizer: (m: Mlp) => Optimizer;
}

const moons = makeMoons({ samples: 203, noise: 0.2, seed: 4 });
const blobs = makeBlobs({ samples: 150, classes: 3, seed: 5 });
const gauss = makeRegGauss({ samples: 121, seed: 6 });

const CASES: Case[] = [
  {
    name: "svm (active rows only), odd widths, SGD",
    layers: [2, 33, 17, 1],
    data: moons,
    options: { loss: "svm", l2: 1e-4 },
    optimizer: (m) => new Sgd(m.parameters(), { lr: 0.05 }),
  },
  {
    name: "cross-entropy, 3 classes, Adam",
    layers: [2, 24, 9, 3],
    data: blobs,
    options: { loss: "ce", l1: 1e-4 },
    optimizer: (m) => new Adam(m.parameters(), { lr: 0.01 }),
  },
  {
    name: "mse, one wide layer, SGD",
    layers: [2, 64, 1],
    data: gauss,
    options: { loss: "mse", problem: "regression" },
    optimizer: (m) => new Sgd(m.parameters(), { lr: 0.01 }),
  },
  {
    name: "mse, three hidden layers of odd widths, Adam",
    layers: [2, 31, 15, 7, 1],
    data: gauss,
    options: { loss: "mse", problem: "regression" },
    optimizer: (m) => new Adam(m.parameters(), { lr: 0.01 }),
  },
];

/** Trains `c` for `steps` steps on `threads` threads; the losses and the parameters, as bits. */
async function trainCase(c: Case, threads: number, steps: number) {
  const model = new Mlp(c.layers[0], c.layers.slice(1), { seed: 7 });
  const compiled = new CompiledMlp(model, c.data.x.length, { ...c.options, threads });
  try {
    await compiled.threadsReady();
    const optimizer = c.optimizer(model);
    const losses: number[] = [];
    let used = 1;
    for (let k = 0; k < steps; k++) {
      losses.push(compiled.forward(c.data.x, c.data.y));
      optimizer.zeroGrad();
      compiled.backward();
      optimizer.step();
      used = Math.max(used, compiled.threadsUsed);
    }
    return { losses, params: model.parameters().map((p) => p.data), used };
  } finally {
    compiled.dispose();
  }
}

Deno.test("a step on 2 or 3 threads gives the one-thread numbers bit for bit", async (t) => {
  // Split every kernel call, however small, so that small models cover every split,
  // and leave every chunk to the workers.
  splitting.minWork = 1;
  splitting.callerTakes = false;
  try {
    for (const c of CASES) {
      await t.step(c.name, async () => {
        const one = await trainCase(c, 1, 25);
        assert.equal(one.used, 1);
        for (const threads of [2, 3]) {
          const many = await trainCase(c, threads, 25);
          assert.deepEqual(many.losses, one.losses);
          assert.deepEqual(many.params, one.params);
        }
        // A run that learned, so that equal numbers mean something.
        assert.ok(one.losses.at(-1)! < one.losses[0]);
      });
    }
  } finally {
    splitting.minWork = THREAD_MIN_WORK;
    splitting.callerTakes = true;
  }
});

Deno.test("big layers split at the default threshold, same numbers", async (t) => {
  const cases: Case[] = [{
    name: "2-128-128-1 mse",
    layers: [2, 128, 128, 1],
    data: makeRegGauss({ samples: 400, seed: 2 }),
    options: { loss: "mse", problem: "regression" },
    optimizer: (m) => new Sgd(m.parameters(), { lr: 0.001 }),
  }, {
    name: "2-129-65-3 cross-entropy, odd widths",
    layers: [2, 129, 65, 3],
    data: makeBlobs({ samples: 401, classes: 3, seed: 8 }),
    options: { loss: "ce" },
    optimizer: (m) => new Adam(m.parameters(), { lr: 0.001 }),
  }];
  for (const c of cases) {
    await t.step(c.name, async () => {
      const one = await trainCase(c, 1, 4);
      for (const threads of [2, 3]) {
        const many = await trainCase(c, threads, 4);
        assert.deepEqual(many.losses, one.losses);
        assert.deepEqual(many.params, one.params);
      }
    });
  }
});

Deno.test("trainSteps with threads 1, 2 and 3 gives the same run, and its workers stop", async () => {
  splitting.minWork = 1;
  try {
    const runs: { history: StepMetrics[]; model: unknown }[] = [];
    for (const threads of [1, 2, 3]) {
      const model = new Mlp(2, [21, 11, 1], { seed: 3 });
      const options: TrainOptions = { steps: 30, threads, optimizer: "adam" };
      const history: StepMetrics[] = [];
      for (const m of trainSteps(model, moons, options)) {
        history.push(m);
        // Let the workers start, so that most steps run on them.
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      runs.push({ history, model: model.toJSON() });
    }
    assert.deepEqual(runs[1], runs[0]);
    assert.deepEqual(runs[2], runs[0]);
  } finally {
    splitting.minWork = THREAD_MIN_WORK;
  }
  // Deno's test sanitizers fail this test if a worker were left running.
});

Deno.test("a run's workers stop when it ends or is stopped, so the process exits", async () => {
  // A live worker keeps Deno running: the child would time out.
  const code = `
    import { Mlp, makeMoons, trainSteps } from ${
    JSON.stringify(new URL("../mod.ts", import.meta.url).href)
  };
    const data = makeMoons({ samples: 50 });
    for (const m of trainSteps(new Mlp(2, [8, 1]), data, { steps: 50, threads: 2 })) {
      if (m.step === 3) break;
    }
    [...trainSteps(new Mlp(2, [8, 1]), data, { steps: 5, threads: 3 })];
    try {
      [...trainSteps(new Mlp(2, [8, 1]), data, { steps: 5, threads: 2, lr: 1e12 })];
    } catch (e) {
      console.log((e as Error).name);
    }
  `;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-lock", "--ext=ts", code],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  });
  const out = await child.output();
  assert.equal(new TextDecoder().decode(out.stderr), "");
  assert.equal(out.code, 0);
  assert.equal(new TextDecoder().decode(out.stdout).trim(), "DivergedError");
});

Deno.test("threads: 'auto' takes the cores for big layers only", () => {
  const cores = navigator.hardwareConcurrency;
  assert.equal(threadCount("auto", THREAD_MIN_WORK - 1), 1);
  assert.equal(threadCount("auto", THREAD_MIN_WORK), Math.min(32, cores));
  assert.equal(threadCount(3, 1), 3);
  const small = new CompiledMlp(new Mlp(2, [16, 16, 1]), 100, { threads: "auto" });
  assert.equal(small.threads, 1);
  const big = new CompiledMlp(new Mlp(2, [256, 256, 1]), 1000, { threads: "auto" });
  assert.equal(big.threads, Math.min(32, cores));
  big.dispose();
  const js = new CompiledMlp(new Mlp(2, [256, 256, 1]), 1000, { threads: 2, simd: false });
  assert.equal(js.threads, 1, "threads run the SIMD kernels only");
});

Deno.test("threads: bad values are refused with one clear message", async (t) => {
  await t.step("by the table", () => {
    assert.equal(checkSetting("threads", "auto"), "auto");
    assert.equal(checkSetting("threads", 2), 2);
    for (const bad of [0, -1, "x", 1.5, 33, "2"]) {
      assert.throws(
        () => checkSetting("threads", bad),
        {
          name: "RangeError",
          message:
            `Cannot train as 'threads' must be an integer from 1 to 32, or auto: current value is ${
              JSON.stringify(bad)
            }`,
        },
      );
    }
  });
  await t.step("by CompiledMlp and trainSteps", () => {
    const model = new Mlp(2, [4, 1]);
    assert.throws(() => new CompiledMlp(model, 4, { threads: 0 }), /'threads' must be an integer/);
    assert.throws(() => trainSteps(model, moons, { threads: -1 }), /'threads' must be an integer/);
  });
  await t.step("by the CLI: exit 2, one line", async () => {
    await inTempDir(async (dir) => {
      for (const bad of ["0", "-1", "x"]) {
        const r = await runCli(["train", "--threads", bad, "--steps", "1"], { cwd: dir });
        assert.equal(r.code, 2);
        assert.deepEqual(lines(r.stderr), [
          `Cannot train as '--threads' must be an integer from 1 to 32, or auto: current value is "${bad}"`,
        ]);
      }
    });
  });
});

Deno.test("the CLI trains the same model with --threads 2 as with 1, in its sandboxed worker", async () => {
  await inTempDir(async (dir) => {
    const models: unknown[] = [];
    for (const threads of ["1", "2"]) {
      const out = `${dir}/run${threads}`;
      const args = ["train", "--dataset", "reg-gauss", "--samples", "600", "--layers", "96,96"];
      const r = await runCli(
        [...args, "--steps", "6", "--threads", threads, "--out", out],
        { cwd: dir },
      );
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "");
      const json = JSON.parse(await Deno.readTextFile(`${out}/model.json`));
      models.push({ model: json.model, final: json.final, optimizer: json.optimizer });
    }
    assert.deepEqual(models[1], models[0]);
  });
});

Deno.test({
  name: "the playground (a file page, not cross-origin isolated) shows threads disabled and trains",
  ignore: IGNORE_BROWSER_TESTS,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await inTempDir(async (dir) => {
      const r = await runCli(["playground", "--out", `${dir}/playground.html`], { cwd: dir });
      assert.equal(r.code, 0, r.stderr);
      const flags = ["--layers", "8", "--steps", "3"];
      const cli = await runCli(["train", ...flags, "--out", `${dir}/run`, "--quiet"], { cwd: dir });
      assert.equal(cli.code, 0, cli.stderr);
      const want = lines(await Deno.readTextFile(`${dir}/run/history.csv`)).at(-1)!.split(",")[1];
      // A link that asks for 2 threads: the page runs on one, with the same numbers.
      const page = await openPage(`file://${dir}/playground.html#layers=8&steps=3&threads=2`);
      try {
        const status = `document.querySelector("#status").dataset`;
        await page.waitFor(`${status}.step === "0" && document.querySelector("[data-setting]")`);
        const control = `document.querySelector("[data-setting=threads]")`;
        assert.equal(await page.evaluate(`${control}.disabled`), true);
        assert.match(await page.evaluate<string>(`${control}.parentElement.title`), /one thread/);
        await page.evaluate(`document.querySelector("[data-action=play]").click()`);
        await page.waitFor(`${status}.step === "3"`, 60_000);
        assert.equal(await page.evaluate(`${status}.loss`), want);
        assert.deepEqual(page.consoleErrors, []);
      } finally {
        await page.close();
      }
    });
  },
});
