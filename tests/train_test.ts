import assert from "node:assert/strict";
import {
  DivergedError,
  evaluate,
  makeMoons,
  makeSpiral,
  Mlp,
  parseCsv,
  resolveTrainOptions,
  type StepMetrics,
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
  assert.ok(last.accuracy >= 0.97, `accuracy ${last.accuracy}`);
  assert.ok(last.loss < history[0].loss / 5, `loss went from ${history[0].loss} to ${last.loss}`);
  assert.ok(evaluate(model, data, { loss: "svm" }).accuracy >= 0.97);
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
  assert.equal((first.value as StepMetrics).step, 1);
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
      assert.equal(e.step, seen.length + 1);
      assert.match(
        e.message,
        new RegExp(`^Cannot train as the loss at step ${e.step} is not finite`),
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
  assert.ok(history.at(-1)!.accuracy >= 0.8, `accuracy ${history.at(-1)!.accuracy}`);
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
    ["lr", { lr: -1 }, /'lr' must be a positive number: current value is -1/],
    ["steps", { steps: 0 }, /'steps' must be a positive integer: current value is 0/],
    ["batchSize", { batchSize: 1.5 }, /'batchSize' must be an integer >= 0/],
    ["l2", { l2: -0.1 }, /'l2' must be a finite number >= 0/],
    [
      "optimizer",
      { optimizer: "rmsprop" as "sgd" },
      /'optimizer' must be sgd, momentum, adam, adamw/,
    ],
    ["loss", { loss: "hinge" as "svm" }, /'loss' must be svm, mse, bce, ce/],
    ["ce on one output", { loss: "ce" }, /'loss' must be svm, mse or bce for a one-output model/],
    [
      "schedule",
      { lrSchedule: "step" as "linear" },
      /'lrSchedule' must be constant, linear, cosine/,
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
