import assert from "node:assert/strict";
import {
  ACTIVATIONS,
  Adam,
  type Dataset,
  defaultLoss,
  DivergedError,
  DIVERGENCE_FACTOR,
  evaluate,
  hasDiverged,
  makeCircles,
  makeMoons,
  makeSine,
  makeSpiral,
  Mlp,
  parseCsv,
  resolveTrainOptions,
  type StepMetrics,
  type TrainOptions,
  trainSteps,
  trainTestSplit,
} from "../mod.ts";
import { readReferenceText } from "./_helpers.ts";

Deno.test("training micrograd's demo data from a seeded init reaches 97% in 100 steps", () => {
  const data = parseCsv(readReferenceText("moons_micrograd_demo.csv"));
  const model = new Mlp(2, [16, 16, 1], { seed: 1337 });
  const history = [...trainSteps(model, data)];
  assert.equal(history.length, 100);
  const last = history.at(-1)!;
  assert.ok(last.accuracy! >= 0.97, `accuracy ${last.accuracy}`);
  assert.ok(last.loss < history[0].loss / 5, `loss went from ${history[0].loss} to ${last.loss}`);
  assert.ok(evaluate(model, data, { loss: "svm" }).accuracy! >= 0.97);
  // micrograd's schedule, step by step
  history.forEach((m, k) => assert.equal(m.lr, 1.0 - 0.9 * k / 100));
});

Deno.test("trainSteps yields one step at a time so a caller can interleave other work", () => {
  const data = makeMoons({ samples: 40, noise: 0.1, seed: 2 });
  const model = new Mlp(2, [8, 1], { seed: 1 });
  const before = model.toJSON();
  const it = trainSteps(model, data, { steps: 5 });
  assert.deepEqual(model.toJSON(), before, "nothing runs before the first next()");
  const first = it.next();
  assert.equal(first.done, false);
  assert.equal((first.value as StepMetrics).step, 1, "steps are numbered from 1");
  it.sync();
  assert.notDeepEqual(model.toJSON(), before, "one step updated the model");
  const rest = [...{ [Symbol.iterator]: () => it }];
  assert.deepEqual(rest.map((m) => m.step), [2, 3, 4, 5]);
});

Deno.test("a non-finite loss stops training with a DivergedError naming the step", async (t) => {
  for (const engine of ["compiled", "value"] as const) {
    await t.step(`on the ${engine} engine`, () => diverge(engine));
  }
});

function diverge(engine: "compiled" | "value"): void {
  const data = makeMoons({ samples: 50, noise: 0.1, seed: 3 });
  const model = new Mlp(2, [16, 16, 1], { seed: 4 });
  const seen: number[] = [];
  const options = { loss: "mse", lr: 1e6, lrSchedule: "constant", engine } as const;
  assert.throws(
    () => {
      for (const m of trainSteps(model, data, options)) seen.push(m.step);
    },
    (e: unknown) => {
      assert.ok(e instanceof DivergedError);
      assert.equal(e.step, seen.length + 1, "the step that diverged, numbered from 1");
      assert.match(
        e.message,
        new RegExp(
          `^Cannot train as the loss at step ${e.step} (is not finite|grew more than 10000-fold).*: current value is .*; try a smaller learning rate$`,
        ),
      );
      return true;
    },
  );
  assert.ok(seen.length >= 1);
}

Deno.test("a test split adds test loss and accuracy to every step", () => {
  const { train, test } = trainTestSplit(makeMoons({ samples: 120, noise: 0.1, seed: 5 }), {
    testFraction: 0.25,
  });
  const model = new Mlp(2, [16, 16, 1], { seed: 2 });
  const history = [...trainSteps(model, train, { test, steps: 60 })];
  assert.ok(history.every((m) => Number.isFinite(m.testLoss) && m.testAccuracy! >= 0));
  assert.ok(history.at(-1)!.testAccuracy! >= 0.9, `test accuracy ${history.at(-1)!.testAccuracy}`);
});

Deno.test("softmax cross-entropy with Adam learns a 3-class spiral", () => {
  const data = makeSpiral({ samples: 150, classes: 3, noise: 0.02, seed: 6 });
  const model = new Mlp(2, [24, 24, 3], { seed: 3 });
  const history = [
    ...trainSteps(model, data, { optimizer: "adam", lr: 0.02, lrSchedule: "constant", steps: 250 }),
  ];
  assert.ok(history.at(-1)!.loss < history[0].loss / 2);
  assert.ok(history.at(-1)!.accuracy! >= 0.8, `accuracy ${history.at(-1)!.accuracy}`);
});

Deno.test("mini-batches are drawn from the seed: same seed, same run", () => {
  const data = makeMoons({ samples: 80, noise: 0.1, seed: 7 });
  const run = (seed: number) =>
    [...trainSteps(new Mlp(2, [8, 1], { seed: 1 }), data, { batchSize: 16, steps: 10, seed })]
      .map((m) => m.loss);
  assert.deepEqual(run(1), run(1));
  assert.notDeepEqual(run(1), run(2));
});

Deno.test("every optimizer and loss trains without error", async (t) => {
  const data = makeMoons({ samples: 60, noise: 0.1, seed: 8 });
  for (const optimizer of ["sgd", "momentum", "adam", "adamw"] as const) {
    for (const loss of ["svm", "mse", "bce"] as const) {
      await t.step(`${optimizer} + ${loss}`, () => {
        const model = new Mlp(2, [8, 1], { seed: 2, activation: "tanh" });
        const lr = optimizer === "sgd" ? 0.2 : undefined;
        const h = [...trainSteps(model, data, { optimizer, loss, lr, steps: 40 })];
        assert.ok(h.at(-1)!.loss < h[0].loss, `${h[0].loss} -> ${h.at(-1)!.loss}`);
      });
    }
  }
});

Deno.test("bad training options throw a RangeError naming the option before any step", async (t) => {
  const data = makeMoons({ samples: 20 });
  const model = new Mlp(2, [4, 1]);
  const cases: [string, Parameters<typeof resolveTrainOptions>[2], RegExp][] = [
    ["lr", { lr: -1 }, /'lr' must be a positive number up to 1e12: current value is -1/],
    ["steps", { steps: 0 }, /'steps' must be an integer from 1 to 1000000: current value is 0/],
    [
      "batchSize",
      { batchSize: 1.5 },
      /'batchSize' must be an integer from 0 to 100000 \(0 for the whole set\): current value is 1.5/,
    ],
    ["l2", { l2: -0.1 }, /'l2' must be a number from 0 to 1000000: current value is -0.1/],
    [
      "optimizer",
      { optimizer: "rmsprop" as "sgd" },
      /'optimizer' must be one of sgd, momentum, adam or adamw: current value is "rmsprop"/,
    ],
    [
      "loss",
      { loss: "hinge" as "svm" },
      /'loss' must be one of svm, mse, bce, ce or huber: current value is "hinge"/,
    ],
    ["ce on one output", { loss: "ce" }, /'loss' must be svm, mse or bce for a one-output model/],
    [
      "schedule",
      { lrSchedule: "step" as "linear" },
      /'lrSchedule' must be one of constant, linear or cosine: current value is "step"/,
    ],
  ];
  for (const [name, options, message] of cases) {
    await t.step(name, () => {
      assert.throws(() => resolveTrainOptions(model, data, options), {
        name: "RangeError",
        message,
      });
      assert.throws(() => trainSteps(model, data, options).next(), RangeError);
    });
  }
  await t.step("model width against classes", () => {
    assert.throws(
      () => resolveTrainOptions(new Mlp(2, [4, 3]), data),
      /'model' must be 1 or 2 outputs for 2 classes: current value is "3 outputs"/,
    );
  });
  await t.step("feature count", () => {
    assert.throws(
      () => resolveTrainOptions(new Mlp(3, [4, 1]), data),
      /'data.x\[0\]' must be 3 features/,
    );
  });
});

Deno.test("the divergence rule: non-finite, or more than DIVERGENCE_FACTOR times the start", () => {
  assert.equal(DIVERGENCE_FACTOR, 1e4);
  assert.equal(hasDiverged(1e4 * 2.5, 2.5), false, "exactly the factor is not yet divergence");
  assert.equal(hasDiverged(1e4 * 2.5 * 1.001, 2.5), true);
  assert.equal(hasDiverged(9999, 0.01), false, "a start below 1 counts as 1");
  assert.equal(hasDiverged(10001, 0.01), true);
  assert.equal(hasDiverged(1e-12, 0.5), false);
  for (const loss of [NaN, Infinity, -Infinity]) assert.equal(hasDiverged(loss, 1), true);
  assert.equal(hasDiverged(1, NaN), true, "a run whose first loss is not finite has diverged");
});

Deno.test("a loss that grows 10,000-fold but stays finite ends the run as diverged", async (t) => {
  // micrograd's moons with mse and tanh at SGD's lr 1: the loss goes from ~2.5 to ~1e4 in 4 steps.
  for (const engine of ["compiled", "value"] as const) {
    await t.step(engine, () => {
      const model = new Mlp(2, [16, 16, 1], { seed: 7, activation: "tanh" });
      const data = makeMoons({ samples: 200, noise: 0.1, seed: 1 });
      const seen: StepMetrics[] = [];
      const options = { loss: "mse", optimizer: "sgd", lr: 1, steps: 100, engine } as const;
      assert.throws(() => {
        for (const m of trainSteps(model, data, options)) seen.push(m);
      }, (e: unknown) => {
        assert.ok(e instanceof DivergedError);
        assert.ok(Number.isFinite(e.loss) && e.loss > 1e4 * seen[0].loss, `loss ${e.loss}`);
        assert.equal(e.step, seen.length + 1);
        assert.match(
          e.message,
          /grew more than 10000-fold over its start \(.*\): current value is .*; try a smaller learning rate$/,
        );
        return true;
      });
      assert.ok(seen.every((m) => m.loss <= 1e4 * seen[0].loss));
    });
  }
});

Deno.test("the divergence rule never fires on healthy runs: every loss, activation and optimizer", () => {
  const sets: [string, Dataset][] = [
    ["moons", makeMoons({ samples: 60, noise: 0.1, seed: 1 })],
    ["circles", makeCircles({ samples: 60, noise: 0.05, seed: 1 })],
    ["spiral", makeSpiral({ samples: 60, classes: 3, noise: 0.05, seed: 1 })],
  ];
  // Rates a user would pick (SGD at 0.1 sends a 3-layer linear net with mse truly to 1e17).
  const lrs = { sgd: 0.05, momentum: 0.02, adam: 0.01, adamw: 0.01 } as const;
  let runs = 0;
  for (const [name, data] of sets) {
    const k = data.classes === 2 ? 1 : data.classes;
    for (const loss of k === 1 ? ["svm", "mse", "bce"] as const : ["svm", "mse", "ce"] as const) {
      for (const activation of ACTIVATIONS) {
        for (const optimizer of ["sgd", "momentum", "adam", "adamw"] as const) {
          const model = new Mlp(2, [8, 8, k], { seed: 3, activation });
          const h = [
            ...trainSteps(model, data, { loss, optimizer, lr: lrs[optimizer], steps: 80 }),
          ];
          assert.equal(h.length, 80, `${name} ${loss} ${activation} ${optimizer}`);
          runs++;
        }
      }
    }
  }
  for (const loss of ["mse", "huber"] as const) {
    for (const activation of ACTIVATIONS) {
      for (const optimizer of ["sgd", "momentum", "adam", "adamw"] as const) {
        const model = new Mlp(1, [8, 8, 1], { seed: 3, activation });
        const h = [
          ...trainSteps(model, sine(), {
            problem: "regression",
            loss,
            optimizer,
            lr: optimizer.startsWith("adam") ? lrs[optimizer] : lrs[optimizer] / 2.5,
            steps: 80,
          }),
        ];
        assert.equal(h.length, 80, `regression ${loss} ${activation} ${optimizer}`);
        runs++;
      }
    }
  }
  assert.equal(runs, (3 * 3 * 4 + 2 * 4) * ACTIVATIONS.length);
});

function sine(samples = 50): Dataset {
  const x = Array.from({ length: samples }, (_, i) => [-3 + 6 * i / (samples - 1)]);
  return { x, y: x.map(([v]) => Math.sin(v)), classes: 0 };
}

Deno.test("regression trains a sine with mse and huber and reports mse and R^2, not accuracy", async (t) => {
  for (const loss of ["mse", "huber"] as const) {
    await t.step(loss, () => {
      const { train, test } = trainTestSplit(sine(120), { testFraction: 0.25 });
      const model = new Mlp(1, [16, 16, 1], { seed: 2, activation: "tanh" });
      const h = [
        ...trainSteps(model, train, {
          problem: "regression",
          loss,
          optimizer: "adam",
          lr: 0.01,
          steps: 300,
          test,
        }),
      ];
      const last = h.at(-1)!;
      assert.ok(last.r2! > 0.9 && last.testR2! > 0.9, `R^2 ${last.r2}, test ${last.testR2}`);
      assert.ok(last.mse! < h[0].mse! / 10);
      assert.equal(last.accuracy, undefined);
      const e = evaluate(model, test, { problem: "regression", loss });
      assert.ok(e.r2! > 0.9 && e.mse! < 0.05, JSON.stringify(e));
      if (loss === "mse") assert.equal(last.mse, last.dataLoss);
    });
  }
});

Deno.test("bad regression, L1 and resume options throw before any step", async (t) => {
  const data = sine(20);
  const model = new Mlp(1, [4, 1]);
  const cases: [string, Dataset, TrainOptions, RegExp][] = [
    [
      "classification loss",
      data,
      { problem: "regression", loss: "svm" },
      /'loss' must be mse or huber for regression: current value is "svm"/,
    ],
    [
      "regression loss",
      makeMoons({ samples: 10 }),
      { loss: "huber" },
      /'loss' must be svm or mse or bce or ce for classification: current value is "huber"/,
    ],
    [
      "problem",
      data,
      { problem: "ranking" as "regression" },
      /'problem' must be one of classification or regression: current value is "ranking"/,
    ],
    [
      "target",
      { ...data, y: data.y.map((y, i) => i === 3 ? NaN : y) },
      { problem: "regression" },
      /'data.y\[3\]' must be a finite number \(a regression target\): current value is null/,
    ],
    [
      "l1",
      data,
      { problem: "regression", l1: -1 },
      /'l1' must be a number from 0 to 1000000: current value is -1/,
    ],
    ["start.step", data, {
      problem: "regression",
      optimizer: "adam",
      start: { step: -1, optimizer: new Adam([]).toJSON() },
    }, /'start.step' must be an integer >= 0: current value is -1/],
  ];
  for (const [name, set, options, message] of cases) {
    await t.step(name, () => {
      const m = name === "regression loss" ? new Mlp(2, [4, 1]) : model;
      assert.throws(() => trainSteps(m, set, options), { name: "RangeError", message });
    });
  }
  await t.step("a regression model must have one output", () => {
    assert.throws(
      () => trainSteps(new Mlp(1, [4, 2]), data, { problem: "regression" }),
      /'model' must be 1 output for regression: current value is "2 outputs"/,
    );
  });
  await t.step("a start state from another optimizer is a TypeError", () => {
    const other = trainSteps(new Mlp(1, [4, 1]), data, {
      problem: "regression",
      optimizer: "sgd",
      steps: 1,
    });
    [...other];
    assert.throws(
      () =>
        trainSteps(new Mlp(1, [4, 1]), data, {
          problem: "regression",
          optimizer: "adam",
          start: { step: 1, optimizer: other.optimizer.toJSON() },
        }),
      { name: "TypeError", message: /'type' must be "adam": current value is "sgd"/ },
    );
    const momentum = trainSteps(new Mlp(1, [4, 1]), data, {
      problem: "regression",
      optimizer: "momentum",
      steps: 1,
    });
    [...momentum];
    assert.throws(
      () =>
        trainSteps(new Mlp(1, [4, 1]), data, {
          problem: "regression",
          optimizer: "sgd",
          start: { step: 1, optimizer: momentum.optimizer.toJSON() },
        }),
      {
        name: "TypeError",
        message: /'momentum' must be 0 \(this optimizer's\): current value is 0.9/,
      },
    );
  });
});

Deno.test("a resumed run ends exactly where the straight run ends, step numbers continuing", async (t) => {
  const data = makeMoons({ samples: 60, noise: 0.1, seed: 4 });
  const cases: [string, TrainOptions][] = [
    ["adam, constant rate, full batch", { optimizer: "adam", lrSchedule: "constant", l1: 1e-4 }],
    ["momentum, mini-batches", { optimizer: "momentum", lrSchedule: "constant", batchSize: 16 }],
    ["adamw, value engine", { optimizer: "adamw", lrSchedule: "constant", engine: "value" }],
    ["regression with huber", {
      problem: "regression",
      loss: "huber",
      optimizer: "adam",
      lrSchedule: "constant",
    }],
  ];
  for (const [name, options] of cases) {
    await t.step(name, () => {
      const set = options.problem === "regression" ? sine(40) : data;
      const nin = set.x[0].length;
      const straight = new Mlp(nin, [8, 8, 1], { seed: 9, activation: "tanh" });
      const all = [...trainSteps(straight, set, { ...options, steps: 100 })];
      const resumed = new Mlp(nin, [8, 8, 1], { seed: 9, activation: "tanh" });
      const first = trainSteps(resumed, set, { ...options, steps: 50 });
      const head = [...first];
      // The state goes through JSON, as model.json keeps it.
      const state = JSON.parse(JSON.stringify(first.optimizer.toJSON()));
      const again = new Mlp(nin, [8, 8, 1], { activation: "tanh" });
      again.setParameters(resumed.parameters().map((p) => p.data));
      const tail = [
        ...trainSteps(again, set, { ...options, steps: 50, start: { step: 50, optimizer: state } }),
      ];
      assert.deepEqual(tail.map((m) => m.step), all.slice(50).map((m) => m.step));
      assert.equal(tail[0].step, 51);
      assert.deepEqual([...head, ...tail], all);
      assert.deepEqual(
        again.parameters().map((p) => p.data),
        straight.parameters().map((p) => p.data),
      );
    });
  }
});

Deno.test("the sampler's seed defaults to 1337", () => {
  const data = makeMoons({ samples: 50, noise: 0.1, seed: 3 });
  const run = (seed?: number) =>
    [...trainSteps(new Mlp(2, [4, 1], { seed: 1 }), data, { batchSize: 8, steps: 5, seed })].map((
      m,
    ) => m.loss);
  assert.equal(resolveTrainOptions(new Mlp(2, [4, 1]), data).seed, 1337);
  assert.deepEqual(run(), run(1337));
  assert.notDeepEqual(run(), run(0));
});

Deno.test("the default loss follows the model's outputs, as defaultLoss and evaluate's do", () => {
  const moons = makeMoons({ samples: 20 });
  for (const [nouts, want] of [[[8, 1], "svm"], [[8, 2], "ce"]] as const) {
    const model = new Mlp(2, [...nouts]);
    const width = nouts[nouts.length - 1];
    assert.equal(resolveTrainOptions(model, moons).loss, want, `${width} outputs`);
    assert.equal(defaultLoss(width), want);
  }
  const sine = makeSine({ samples: 20 });
  assert.equal(resolveTrainOptions(new Mlp(1, [8, 1]), sine).loss, "mse");
});

Deno.test("a resumed linear schedule starts at the run's last lr and decays over the new steps", () => {
  const data = makeMoons({ samples: 30, noise: 0.1, seed: 2 });
  const model = new Mlp(2, [4, 1], { seed: 3 });
  const first = trainSteps(model, data, { steps: 50, lr: 1 });
  const head = [...first];
  assert.ok(Math.abs(head[49].lr - 0.118) < 1e-12);
  const start = { step: 50, optimizer: first.optimizer.toJSON() };
  const tail = [...trainSteps(model, data, { steps: 50, start })];
  assert.equal(tail[0].step, 51);
  assert.equal(tail[0].lr, head[49].lr);
  tail.forEach((m, i) => assert.ok(i === 0 || m.lr < tail[i - 1].lr, `step ${m.step}`));
  assert.ok(Math.abs(tail[49].lr - head[49].lr * (1 - 0.9 * 49 / 50)) < 1e-15);
});
