import assert from "node:assert/strict";
import {
  accuracy,
  type Activation,
  ACTIVATIONS,
  classificationLoss,
  CompiledMlp,
  type Dataset,
  evaluate,
  l1Penalty,
  l2Penalty,
  type LossName,
  makeBlobs,
  makeMoons,
  makeSpiral,
  Mlp,
  type OptimizerName,
  predictBatch,
  regressionLoss,
  resolveTrainOptions,
  Sgd,
  type StepMetrics,
  type TrainOptions,
  trainSteps,
  trainTestSplit,
} from "../mod.ts";
import { assertClose, readReference, type Trajectory } from "./_helpers.ts";

/** Trains two identical models, one per engine, and returns both histories and final parameters. */
function bothEngines(
  make: () => Mlp,
  data: Dataset,
  options: TrainOptions,
): { value: StepMetrics[]; compiled: StepMetrics[]; params: [number[], number[]] } {
  const a = make();
  const b = make();
  const value = [...trainSteps(a, data, { ...options, engine: "value" })];
  const compiled = [...trainSteps(b, data, { ...options, engine: "compiled" })];
  const params: [number[], number[]] = [
    a.parameters().map((p) => p.data),
    b.parameters().map((p) => p.data),
  ];
  return { value, compiled, params };
}

function assertLossesClose(value: StepMetrics[], compiled: StepMetrics[], tol: number): void {
  assert.equal(compiled.length, value.length);
  value.forEach((m, k) => {
    assertClose(compiled[k].loss, m.loss, tol, `loss at step ${k}`);
    assertClose(compiled[k].dataLoss, m.dataLoss, tol, `data loss at step ${k}`);
    assert.equal(compiled[k].accuracy, m.accuracy, `accuracy at step ${k}`);
    assert.equal(compiled[k].lr, m.lr);
  });
}

Deno.test("the compiled path gives the Value path's losses on the PyTorch trajectory", async (t) => {
  const ref = readReference<Trajectory>("train_trajectory.json");
  const make = () => {
    const model = new Mlp(2, [16, 16, 1]);
    model.setParameters(ref.init_params);
    return model;
  };
  const data: Dataset = { x: ref.X, y: ref.y, classes: 2 };
  const { value, compiled, params } = bothEngines(make, data, {
    loss: "svm",
    l2: ref.alpha,
    optimizer: "sgd",
    lr: 1.0,
    lrSchedule: "linear",
    steps: 100,
  });

  await t.step("every loss agrees with the Value path to 1e-12", () => {
    assertLossesClose(value, compiled, 1e-12);
  });

  await t.step("and with PyTorch to 1e-9, ending at 100% accuracy", () => {
    compiled.forEach((m, k) => {
      assertClose(m.loss, ref.losses[k], 1e-9, `loss at step ${k}`);
      assert.equal(m.accuracy, ref.accuracies[k], `accuracy at step ${k}`);
    });
    assert.equal(compiled.at(-1)!.accuracy, 1);
    params[1].forEach((p, i) => assertClose(p, ref.final_params[i], 1e-9, `final param ${i}`));
  });

  await t.step("bit for bit: same metrics and same final parameters", () => {
    assert.deepEqual(compiled, value);
    assert.deepEqual(params[1], params[0]);
  });
});

Deno.test("the compiled path matches the Value path on a 3-class cross-entropy run", () => {
  const data = makeSpiral({ samples: 90, classes: 3, noise: 0.1, seed: 5 });
  for (const batchSize of [0, 16]) {
    const { value, compiled, params } = bothEngines(
      () => new Mlp(2, [16, 16, 3], { seed: 11 }),
      data,
      { loss: "ce", steps: 40, lr: 0.5, batchSize },
    );
    assertLossesClose(value, compiled, 1e-12);
    assert.ok(value.at(-1)!.loss < value[0].loss, "the run learns something");
    assert.deepEqual(compiled, value, `batchSize ${batchSize}: bit for bit`);
    assert.deepEqual(params[1], params[0]);
  }
});

Deno.test("the compiled path matches the Value path on an Adam run", () => {
  const data = makeMoons({ samples: 80, noise: 0.15, seed: 9 });
  const { value, compiled, params } = bothEngines(
    () => new Mlp(2, [12, 12, 1], { seed: 2, activation: "tanh" }),
    data,
    { optimizer: "adam", lr: 0.02, steps: 60, loss: "bce", l2: 1e-3 },
  );
  assertLossesClose(value, compiled, 1e-12);
  assert.deepEqual(compiled, value);
  assert.deepEqual(params[1], params[0]);
});

Deno.test("every loss, activation and optimizer gives identical metrics on both engines", () => {
  const binary = trainTestSplit(makeMoons({ samples: 48, noise: 0.2, seed: 3 }), {
    testFraction: 0.25,
  });
  const multi = trainTestSplit(makeBlobs({ samples: 60, classes: 4, seed: 4 }), {
    testFraction: 0.2,
  });
  const activations = ACTIVATIONS;
  const optimizers: OptimizerName[] = ["sgd", "momentum", "adam", "adamw"];
  const cases: [LossName, number, typeof binary][] = [
    ["svm", 1, binary],
    ["mse", 1, binary],
    ["bce", 1, binary],
    ["svm", 4, multi],
    ["mse", 4, multi],
    ["ce", 4, multi],
  ];
  let runs = 0;
  for (const [loss, width, { train, test }] of cases) {
    activations.forEach((activation, i) => {
      const optimizer = optimizers[(i + runs) % optimizers.length];
      const outputActivation: Activation = activation === "relu" ? "sigmoid" : "linear";
      const options: TrainOptions = {
        loss,
        optimizer,
        steps: 8,
        batchSize: i % 2 === 0 ? 0 : 10,
        l2: i === 3 ? 0 : 1e-3,
        test,
        seed: i,
        // The table of default rates lists relu, tanh, sigmoid and linear; a small rate for the rest.
        ...(i >= 4 ? { lr: 0.05 } : {}),
      };
      const { value, compiled, params } = bothEngines(
        () => new Mlp(2, [6, 5, width], { seed: 1 + i, activation, outputActivation }),
        train,
        options,
      );
      const what = `${loss}/${width} ${activation} ${optimizer}`;
      assert.ok(value.every((m) => m.testLoss !== undefined), what);
      assert.deepEqual(compiled, value, what);
      assert.deepEqual(params[1], params[0], what);
      runs++;
    });
  }
  assert.equal(runs, cases.length * activations.length);
});

Deno.test("CompiledMlp.backward() adds into grad as Value.backward() does", () => {
  const model = new Mlp(3, [5, 2], { seed: 8, activation: "tanh" });
  const x = [[0.1, -0.2, 0.3], [1, 2, -1], [0, 0.5, 0.5]];
  const y = [0, 1, 1];
  const compiled = new CompiledMlp(model, 3, { loss: "ce", l2: 0.01 });
  const total = compiled.forward(x, y);
  compiled.backward();
  const once = model.parameters().map((p) => p.grad);
  compiled.backward();
  assert.deepEqual(model.parameters().map((p) => p.grad), once.map((g) => g + g));

  model.zeroGrad();
  const outputs = x.map((xi) => model.forward(xi));
  const graph = classificationLoss(outputs, y, { loss: "ce" }).add(
    l2Penalty(model.parameters(), 0.01),
  );
  graph.backward();
  assert.equal(total, graph.data);
  assert.deepEqual(model.parameters().map((p) => p.grad), once);
  assert.equal(
    compiled.accuracy,
    1 / 3 * (y.filter((c, i) => {
      const o = outputs[i].map((v) => v.data);
      return o.indexOf(Math.max(...o)) === c;
    }).length),
  );
});

Deno.test("CompiledMlp gives the same grads as the graph when a saturated tanh hides an infinite weight", () => {
  // tanh(Infinity) is 1 with grad 0, so the infinite weight gives NaN (Infinity * 0) only in backward().
  const model = new Mlp(1, [1, 1, 1], { seed: 1, activation: "tanh" });
  model.setParameters([1, 0.5, Infinity, 0, 0.5, 0.25]);
  const compiled = new CompiledMlp(model, 1, { loss: "mse" });
  const loss = compiled.forward([[1]], [1]);
  compiled.backward();
  const grads = model.parameters().map((p) => p.grad);
  model.zeroGrad();
  const graph = classificationLoss([model.forward([1])], [1], { loss: "mse" });
  graph.backward();
  assert.ok(Number.isFinite(loss));
  assert.equal(loss, graph.data);
  assert.deepEqual(grads, model.parameters().map((p) => p.grad));
  assert.ok(Number.isNaN(grads[0]) && Number.isNaN(grads[1]), "the NaN reaches the first layer");
});

Deno.test("a NaN parameter behind a ReLU makes the loss NaN on both engines, as in PyTorch", () => {
  // relu(NaN) is NaN: a ReLU must not hide a diverged weight behind a finite loss.
  const model = new Mlp(1, [1, 1], { seed: 1 });
  model.setParameters([NaN, 0, 0.5, 0.25]);
  for (const loss of ["svm", "mse", "bce"] as const) {
    assert.ok(Number.isNaN(new CompiledMlp(model, 1, { loss }).forward([[1]], [1])), loss);
    assert.ok(Number.isNaN(classificationLoss([model.forward([1])], [1], { loss }).data), loss);
  }
});

Deno.test("CompiledMlp takes -1/+1 labels as the Value losses and accuracy do", () => {
  const model = new Mlp(2, [5, 1], { seed: 4, activation: "tanh" });
  const x = [[0.5, -1], [2, 0.25], [-1, -1], [0.3, 0.9]];
  const y = [1, -1, -1, 1];
  for (const loss of ["svm", "mse", "bce"] as const) {
    const compiled = new CompiledMlp(model, 4, { loss });
    const total = compiled.forward(x, y);
    const outputs = x.map((xi) => model.forward(xi));
    assert.equal(total, classificationLoss(outputs, y, { loss }).data, loss);
    assert.equal(compiled.accuracy, accuracy(outputs, y), loss);
    assert.ok(compiled.accuracy > 0 && compiled.accuracy < 1, `${loss}: a mixed batch`);
  }
});

Deno.test("CompiledMlp rejects bad sizes and labels with the Value losses' messages", () => {
  const model = new Mlp(2, [4, 1]);
  assert.throws(() => new CompiledMlp(model, 0), RangeError);
  assert.throws(() => new CompiledMlp(model, 2, { loss: "ce" }), RangeError);
  assert.throws(() => new CompiledMlp(model, 2, { l2: -1 }), RangeError);
  const compiled = new CompiledMlp(model, 2, { loss: "svm" });
  assert.throws(() => compiled.forward([[1, 2]], [1]), /batch must have 2 samples/);
  assert.throws(() => compiled.forward([[1, 2], [3]], [1, 0]), /must have 2 features/);
  const bad = [[1, 2], [3, 4]];
  const message = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return (e as Error).message;
    }
    assert.fail("expected an error");
  };
  assert.equal(
    message(() => compiled.forward(bad, [1, 2])),
    message(() => classificationLoss(bad.map((x) => model.forward(x)), [1, 2], { loss: "svm" })),
  );
  const multi = new Mlp(2, [4, 3]);
  for (const loss of ["ce", "svm", "mse"] as const) {
    assert.equal(
      message(() => new CompiledMlp(multi, 2, { loss }).forward(bad, [0, 3])),
      message(() => classificationLoss(bad.map((x) => multi.forward(x)), [0, 3], { loss })),
    );
  }
});

Deno.test("trainSteps uses the compiled engine by default and checks the engine option", () => {
  const data = makeMoons({ samples: 20, seed: 1 });
  const model = new Mlp(2, [4, 1]);
  assert.equal(resolveTrainOptions(model, data).engine, "compiled");
  assert.equal(resolveTrainOptions(model, data, { engine: "value" }).engine, "value");
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => resolveTrainOptions(model, data, { engine: "fast" as any }),
    /Cannot train as 'engine' must be one of compiled or value: current value is "fast"/,
  );
});

Deno.test("CompiledMlp.predict gives model.predict's outputs bit for bit", async (t) => {
  const x = makeSpiral({ samples: 60, classes: 3, seed: 2 }).x;
  for (const activation of ACTIVATIONS) {
    for (const nouts of [[5, 1], [6, 4, 3]]) {
      await t.step(`${activation} ${nouts.join("-")}`, () => {
        const model = new Mlp(2, nouts, { activation, seed: 9 });
        const k = nouts[nouts.length - 1];
        const out = new CompiledMlp(model, x.length).predict(x);
        assert.equal(out.length, x.length * k);
        x.forEach((xi, s) =>
          assert.deepEqual(Array.from(out.subarray(s * k, s * k + k)), model.predict(xi))
        );
      });
    }
  }
  assert.throws(() => new CompiledMlp(new Mlp(2, [1]), 2).predict([[1, 2]]), RangeError);
});

/** A 1-D regression set: a noisy sine with an outlier or two, so Huber meets both branches. */
function sine(samples: number, seed: number): Dataset {
  const x = Array.from({ length: samples }, (_, i) => [-3 + 6 * i / (samples - 1)]);
  const y = x.map(([v], i) =>
    2 * Math.sin(v) + 0.5 + (i % 17 === seed % 17 ? 4 : 0.1 * Math.cos(7 * i))
  );
  return { x, y, classes: 0 };
}

Deno.test("regression with mse and huber gives identical metrics on both engines", () => {
  const train = sine(40, 3);
  const test = sine(15, 5);
  const activations = ACTIVATIONS;
  const optimizers: OptimizerName[] = ["sgd", "momentum", "adam", "adamw"];
  for (const loss of ["mse", "huber"] as const) {
    activations.forEach((activation, i) => {
      const optimizer = optimizers[i];
      const { value, compiled, params } = bothEngines(
        () => new Mlp(1, [7, 5, 1], { seed: 2 + i, activation }),
        train,
        {
          problem: "regression",
          loss,
          optimizer,
          lr: 0.02,
          steps: 12,
          batchSize: i % 2 === 0 ? 0 : 9,
          test,
          seed: i,
        },
      );
      const what = `${loss} ${activation} ${optimizer}`;
      assert.ok(value.every((m) => m.r2 !== undefined && m.testR2 !== undefined), what);
      assert.ok(value.every((m) => m.accuracy === undefined && m.testAccuracy === undefined), what);
      assert.deepEqual(compiled, value, what);
      assert.deepEqual(params[1], params[0], what);
    });
  }
});

Deno.test("the Huber loss's kernel matches its Value form on both branches, with grads", () => {
  const model = new Mlp(1, [4, 1], { seed: 6, activation: "tanh" });
  const x = [[-2], [-0.5], [0], [0.7], [2.5]];
  for (const y of [[0, 0, 0, 0, 0], [5, -5, 0.2, 3, -1], [-0.3, 0.4, 9, -9, 0.1]]) {
    const outputs = x.map((xi) => model.forward(xi));
    const d = outputs.map((o, i) => Math.abs(o[0].data - y[i]));
    const compiled = new CompiledMlp(model, x.length, { problem: "regression", loss: "huber" });
    const loss = compiled.forward(x, y);
    compiled.backward();
    const grads = model.parameters().map((p) => p.grad);
    model.zeroGrad();
    const graph = regressionLoss(outputs, y, { loss: "huber" });
    graph.backward();
    assert.equal(loss, graph.data);
    assert.deepEqual(grads, model.parameters().map((p) => p.grad));
    model.zeroGrad();
    if (y[0] === 5) assert.ok(d.some((v) => v < 1) && d.some((v) => v >= 1), `both branches: ${d}`);
  }
});

Deno.test("the L1 penalty, alone and beside L2, is bit for bit the Value graph's", async (t) => {
  const data = makeMoons({ samples: 40, noise: 0.2, seed: 2 });
  for (const [l1, l2] of [[1e-3, 0], [1e-3, 1e-4], [0.05, 0.01]]) {
    await t.step(`l1 ${l1}, l2 ${l2}`, () => {
      const { value, compiled, params } = bothEngines(
        () => new Mlp(2, [8, 8, 1], { seed: 5, activation: "tanh" }),
        data,
        { l1, l2, optimizer: "adam", lr: 0.05, steps: 25 },
      );
      assert.deepEqual(compiled, value);
      assert.deepEqual(params[1], params[0]);
      assert.ok(value[0].loss > value[0].dataLoss, "the penalty is in the loss");
    });
  }
  await t.step("its loss is dataLoss + l2 * sum(p^2) + l1 * sum(|p|), in that order", () => {
    const model = new Mlp(2, [3, 1], { seed: 4 });
    model.parameters()[1].data = 0; // |p| has no derivative at 0: the grad is 0 there, as relu's
    const x = [[0.5, 1], [-1, 0.25]];
    const compiled = new CompiledMlp(model, 2, { loss: "svm", l1: 0.3, l2: 0.2 });
    const total = compiled.forward(x, [1, 0]);
    compiled.backward();
    const grads = model.parameters().map((p) => p.grad);
    model.zeroGrad();
    const params = model.parameters();
    const graph = classificationLoss(x.map((xi) => model.forward(xi)), [1, 0], { loss: "svm" })
      .add(l2Penalty(params, 0.2)).add(l1Penalty(params, 0.3));
    graph.backward();
    assert.equal(total, graph.data);
    assert.deepEqual(grads, params.map((p) => p.grad));
    const abs = params.reduce((s, p) => s + Math.abs(p.data), 0);
    assertClose(
      total - compiled.dataLoss,
      0.2 * params.reduce((s, p) => s + p.data ** 2, 0) + 0.3 * abs,
      1e-12,
    );
  });
  assert.throws(
    () => new CompiledMlp(new Mlp(2, [3, 1]), 2, { l1: -1 }),
    /'l1' must be a finite number >= 0/,
  );
});

Deno.test("CompiledMlp checks the problem and that the loss fits it", () => {
  const one = new Mlp(2, [3, 1]);
  const two = new Mlp(2, [3, 2]);
  assert.throws(
    () => new CompiledMlp(two, 2, { problem: "regression" }),
    /'mse' loss does not fit 2 output\(s\) for regression/,
  );
  assert.throws(() => new CompiledMlp(one, 2, { problem: "regression", loss: "svm" }), RangeError);
  assert.throws(
    () => new CompiledMlp(one, 2, { loss: "huber" }),
    /'huber' loss does not fit 1 output\(s\) for classification/,
  );
  assert.throws(
    () => new CompiledMlp(one, 2, { problem: "ranking" as "regression" }),
    /'problem' must be classification or regression/,
  );
  const compiled = new CompiledMlp(one, 2, { problem: "regression" });
  assert.equal(compiled.loss, "mse");
  assert.throws(() => compiled.forward([[1, 2], [3, 4]], [0.5, NaN]), {
    name: "RangeError",
    message:
      "Cannot compute the MSE loss as 'labels[1]' must be a finite number: current value is NaN",
  });
  compiled.forward([[1, 2], [3, 4]], [0.5, -2]);
  assert.ok(Number.isNaN(compiled.accuracy) && Number.isFinite(compiled.r2));
});

Deno.test("predictBatch gives model.predict's outputs bit for bit, whatever the rows per pass", () => {
  const x = makeSpiral({ samples: 50, classes: 3, seed: 4 }).x;
  const model = new Mlp(2, [9, 7, 3], { activation: "tanh", seed: 3 });
  const want = x.flatMap((xi) => model.predict(xi));
  for (const rowsPerPass of [1, 7, 16, 50, 64, undefined]) {
    assert.deepEqual(Array.from(predictBatch(model, x, { rowsPerPass })), want, `${rowsPerPass}`);
  }
  assert.deepEqual(Array.from(predictBatch(model, [])), []);
  assert.throws(
    () => predictBatch(model, x, { rowsPerPass: 0 }),
    /'rowsPerPass' must be a positive integer/,
  );
  assert.throws(
    () => predictBatch(model, [[1, 2], [3]]),
    /must have 2 features: current length is 1/,
  );
});

Deno.test("evaluate runs on the compiled path and gives the Value graph's loss bit for bit", async (t) => {
  await t.step("classification", () => {
    const data = makeBlobs({ samples: 5000, classes: 3, seed: 2 });
    const model = new Mlp(2, [6, 3], { seed: 1 });
    for (const loss of ["ce", "svm", "mse"] as const) {
      const got = evaluate(model, data, { loss });
      const outputs = data.x.map((xi) => model.forward(xi));
      assert.equal(got.loss, classificationLoss(outputs, data.y, { loss }).data, loss);
      assert.equal(got.accuracy, accuracy(outputs, data.y), loss);
      assert.deepEqual(Object.keys(got).sort(), ["accuracy", "loss"]);
    }
  });
  await t.step("regression", () => {
    const data = sine(3000, 1);
    const model = new Mlp(1, [5, 1], { seed: 1, activation: "tanh" });
    for (const loss of ["mse", "huber"] as const) {
      const got = evaluate(model, data, { problem: "regression", loss });
      const outputs = data.x.map((xi) => model.forward(xi));
      assert.equal(got.loss, regressionLoss(outputs, data.y, { loss }).data, loss);
      assert.deepEqual(Object.keys(got).sort(), ["loss", "mse", "r2"]);
      assert.ok(got.r2! < 1 && got.mse! > 0);
    }
  });
  await t.step("bad options", () => {
    const model = new Mlp(1, [5, 1]);
    assert.throws(
      () => evaluate(model, sine(5, 1), { problem: "regression", loss: "ce" }),
      /'ce' loss does not fit/,
    );
    assert.throws(() => evaluate(model, { x: [], y: [], classes: 2 }), /at least 1/);
  });
});

Deno.test("the blocked kernels give the Value graph's numbers for every remainder of the blocks", async (t) => {
  // JS blocks are 4 neurons x 2 samples (forward), 2 neurons x 4 inputs (weight
  // grads) and 2 samples x 4 inputs (input grads); SIMD blocks are 4 samples x
  // 4 neurons, 2 neurons x 8 inputs and 2 samples x 8 inputs, the JS kernels
  // doing the rest: these sizes leave every remainder of both.
  for (const simd of [true, false]) {
    await t.step(simd ? "WebAssembly SIMD and JS" : "JS only", () => {
      assert.equal(
        new CompiledMlp(new Mlp(2, [3, 1]), 1, { simd }).kernels,
        simd ? "wasm-simd" : "js",
      );
      for (const width of [1, 2, 3, 4, 5, 7, 8, 9, 12, 17]) {
        for (const n of [1, 2, 3, 4, 5, 7, 8, 9]) {
          for (const activation of ["relu", "tanh"] as const) {
            const nin = 1 + (width * 3) % 11;
            const model = new Mlp(nin, [width, width + 1, 3], {
              seed: width * 10 + n,
              activation,
            });
            const x = Array.from(
              { length: n },
              (_, s) => Array.from({ length: nin }, (_, i) => Math.sin(s * 3 + i) * 2),
            );
            const y = x.map((_, s) => s % 3);
            for (const loss of ["ce", "svm", "mse"] as const) {
              const compiled = new CompiledMlp(model, n, { loss, l2: 1e-3, simd });
              const total = compiled.forward(x, y);
              compiled.backward();
              const grads = model.parameters().map((p) => p.grad);
              model.zeroGrad();
              const graph = classificationLoss(x.map((xi) => model.forward(xi)), y, { loss })
                .add(l2Penalty(model.parameters(), 1e-3));
              graph.backward();
              const what = `${nin}-${width}-${width + 1}-3, ${n} samples, ${activation}, ${loss}`;
              assert.equal(total, graph.data, what);
              assert.deepEqual(grads, model.parameters().map((p) => p.grad), what);
              model.zeroGrad();
            }
          }
        }
      }
    });
  }
});

Deno.test("every layout of the kernels' memory fits, whatever the layer widths and batch", () => {
  // Odd widths times odd batches leave each array a different padding; these
  // once ran past the end of a memory of a whole number of 64 KiB pages.
  const cases: [number[], number][] = [[[5, 5, 2], 825], [[9, 7, 3], 3895], [[3, 3, 3, 1], 1]];
  for (const [nouts, n] of cases) {
    const model = new Mlp(2, nouts, { seed: 1 });
    const x = Array.from({ length: n }, (_, s) => [Math.sin(s), Math.cos(s * 0.7)]);
    const compiled = new CompiledMlp(model, n);
    assert.equal(compiled.kernels, "wasm-simd");
    const out = compiled.predict(x);
    for (const s of [0, n >> 1, n - 1]) {
      assert.deepEqual(
        Array.from(out.subarray(s * nouts.at(-1)!, (s + 1) * nouts.at(-1)!)),
        model.predict(x[s]),
      );
    }
  }
  for (let width = 1; width <= 9; width += 2) {
    for (let n = 1; n <= 1200; n += 37) new CompiledMlp(new Mlp(2, [width, width, 1]), n);
  }
});

Deno.test("without WebAssembly, or without its SIMD, the JS kernels run and give the same numbers", async (t) => {
  // A short W4-like run (2-12-10-3, cross-entropy, relu) in a fresh process
  // whose WebAssembly is taken away before the library loads.
  const script = (setup: string) =>
    `${setup}
const { CompiledMlp, makeSpiral, Mlp, Sgd } = await import(${
      JSON.stringify(new URL("../mod.ts", import.meta.url).href)
    });
const data = makeSpiral({ samples: 37, classes: 3, seed: 5 });
const model = new Mlp(2, [12, 10, 3], { seed: 9 });
const compiled = new CompiledMlp(model, 37, { loss: "ce", l2: 1e-3 });
const sgd = new Sgd(model.parameters(), { lr: 0.5 });
const losses = [];
for (let k = 0; k < 5; k++) {
  losses.push(compiled.forward(data.x, data.y));
  sgd.zeroGrad();
  compiled.backward();
  sgd.step();
}
console.log(JSON.stringify({ kernels: compiled.kernels, losses, params: model.parameters().map((p) => p.data) }));`;
  const run = async (setup: string) => {
    const env = Deno.env.toObject();
    delete env.RUST_BACKTRACE;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--no-lock", script(setup)],
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(out.stderr);
    assert.ok(out.success, err);
    return JSON.parse(new TextDecoder().decode(out.stdout));
  };
  const simd = await run("");
  assert.equal(simd.kernels, "wasm-simd");
  await t.step("simd takes true or false only", () => {
    for (const bad of ["no", 0, 1]) {
      assert.throws(
        () => new CompiledMlp(new Mlp(2, [3, 1]), 1, { simd: bad as unknown as boolean }),
        { name: "TypeError", message: /'simd' must be true or false: current value is / },
      );
    }
  });
  await t.step("no WebAssembly at all", async () => {
    const js = await run("delete globalThis.WebAssembly;");
    assert.equal(js.kernels, "js");
    assert.deepEqual(js, { ...simd, kernels: "js" });
  });
  await t.step("a WebAssembly that cannot compile SIMD", async () => {
    const js = await run(
      `WebAssembly.Module = function () { throw new WebAssembly.CompileError("no SIMD here"); };`,
    );
    assert.equal(js.kernels, "js");
    assert.deepEqual(js, { ...simd, kernels: "js" });
  });
});

Deno.test("a batch run in several passes gives the same numbers as one pass", async (t) => {
  const data = makeSpiral({ samples: 23, classes: 3, noise: 0.1, seed: 8 });
  for (const loss of ["ce", "svm"] as const) {
    await t.step(loss, () => {
      const run = (rowsPerPass?: number) => {
        const model = new Mlp(2, [9, 6, 3], { seed: 4, activation: "tanh" });
        const compiled = new CompiledMlp(model, 23, { loss, l2: 1e-3, l1: 1e-3, rowsPerPass });
        const optimizer = new Sgd(model.parameters(), { lr: 0.3 });
        const losses: number[] = [];
        for (let k = 0; k < 5; k++) {
          losses.push(compiled.forward(data.x, data.y), compiled.accuracy);
          optimizer.zeroGrad();
          compiled.backward();
          optimizer.step();
        }
        // backward() again adds the same grads, recomputing the passes it needs.
        optimizer.zeroGrad();
        compiled.forward(data.x, data.y);
        compiled.backward();
        const once = model.parameters().map((p) => p.grad);
        compiled.backward();
        assert.deepEqual(model.parameters().map((p) => p.grad), once.map((g) => g + g));
        return { losses, params: model.parameters().map((p) => p.data), once };
      };
      const whole = run();
      for (const rows of [1, 2, 5, 22, 23, 100]) {
        assert.deepEqual(run(rows), whole, `${rows} rows per pass`);
      }
    });
  }
  assert.throws(
    () => new CompiledMlp(new Mlp(2, [3, 1]), 4, { rowsPerPass: 1.5 }),
    /'rowsPerPass' must be a positive integer: current value is 1.5/,
  );
});

Deno.test("samples whose output grads are 0 are skipped only when that cannot hide a NaN", () => {
  // An SVM sample past its margin adds only zeros... unless an input is infinite: Infinity * 0 is NaN.
  const model = new Mlp(2, [3, 1], { seed: 2 });
  model.setParameters([1, 0.5, 0, -1, 0.25, 0, 0.5, -0.5, 0, 1, 1, 1, 0]);
  for (const x of [[[1, 2], [40, 30], [-0.5, 0.1]], [[1, 2], [Infinity, 30], [-0.5, 0.1]]]) {
    const y = [1, 1, 0];
    const compiled = new CompiledMlp(model, 3, { loss: "svm" });
    const loss = compiled.forward(x, y);
    compiled.backward();
    const grads = model.parameters().map((p) => p.grad);
    model.zeroGrad();
    const graph = classificationLoss(x.map((xi) => model.forward(xi)), y, { loss: "svm" });
    graph.backward();
    assert.equal(loss, graph.data);
    assert.deepEqual(grads, model.parameters().map((p) => p.grad));
    model.zeroGrad();
    assert.equal(grads.some((g) => Number.isNaN(g)), !Number.isFinite(x[1][0]), `${x[1][0]}`);
  }
});
