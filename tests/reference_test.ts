import assert from "node:assert/strict";
import {
  accuracy,
  classificationLoss,
  l2Penalty,
  Mlp,
  Sgd,
  svmLoss,
  trainSteps,
  Value,
} from "../mod.ts";
import { assertClose, readReference, type Trajectory } from "./_helpers.ts";

type Arg = string | number;
interface EngineCase {
  name: string;
  inputs: Record<string, number>;
  program: [string, string, ...Arg[]][];
  output: string;
  expect: { values: Record<string, number>; grads: Record<string, number> };
}

/** Runs one reference program through the public `Value` API. */
function run(c: EngineCase): { env: Map<string, Value>; leaves: Map<string, Value> } {
  const env = new Map<string, Value>();
  const leaves = new Map<string, Value>();
  for (const [name, data] of Object.entries(c.inputs)) {
    const v = new Value(data, { label: name });
    env.set(name, v);
    leaves.set(name, v);
  }
  const val = (a: Arg): Value | number => typeof a === "number" ? a : env.get(a)!;
  const one = (a: Arg): Value => {
    const v = val(a);
    return typeof v === "number" ? new Value(v) : v;
  };
  const binary: Record<string, (x: Value, y: Value | number) => Value> = {
    add: (x, y) => x.add(y),
    sub: (x, y) => x.sub(y),
    mul: (x, y) => x.mul(y),
    div: (x, y) => x.div(y),
    pow: (x, y) => x.pow(y as number),
  };
  const unary: Record<string, (x: Value) => Value> = {
    neg: (x) => x.neg(),
    exp: (x) => x.exp(),
    log: (x) => x.log(),
    tanh: (x) => x.tanh(),
    relu: (x) => x.relu(),
    sigmoid: (x) => x.sigmoid(),
  };
  for (const [name, op, ...args] of c.program) {
    let out: Value;
    if (op === "sum") out = Value.sum(args.map(val));
    else if (op in binary) out = binary[op](one(args[0]), val(args[1]));
    else if (op in unary) out = unary[op](one(args[0]));
    else throw new Error(`unknown op ${op} in the reference`);
    env.set(name, out);
  }
  return { env, leaves };
}

Deno.test("every engine case matches PyTorch's values and grads", async (t) => {
  const { cases, tolerance } = readReference<{ cases: EngineCase[]; tolerance: string }>(
    "engine_cases.json",
  );
  assert.match(tolerance, /1e-9/);
  assert.equal(cases.length, 304);
  const names = cases.map((c) => c.name);
  for (const must of ["micrograd-sanity", "micrograd-more-ops", "lecture-tanh-neuron"]) {
    assert.ok(names.includes(must), `the reference has ${must}`);
  }
  for (const c of cases) {
    await t.step(c.name, () => {
      const { env, leaves } = run(c);
      env.get(c.output)!.backward();
      for (const [name, want] of Object.entries(c.expect.values)) {
        assertClose(env.get(name)!.data, want, 1e-9, `${c.name}: value of ${name}`);
      }
      for (const [name, want] of Object.entries(c.expect.grads)) {
        assertClose(leaves.get(name)!.grad, want, 1e-9, `${c.name}: grad of ${name}`);
      }
    });
  }
});

Deno.test("micrograd's own two tests give its numbers", () => {
  const { cases } = readReference<{ cases: EngineCase[] }>("engine_cases.json");
  const sanity = run(cases.find((c) => c.name === "micrograd-sanity")!);
  sanity.env.get("y")!.backward();
  assert.equal(sanity.env.get("y")!.data, -20);
  assert.equal(sanity.leaves.get("x")!.grad, 46);
  const more = run(cases.find((c) => c.name === "micrograd-more-ops")!);
  more.env.get("g")!.backward();
  assert.equal(more.env.get("g")!.data.toFixed(4), "24.7041");
  assert.equal(more.leaves.get("a")!.grad.toFixed(4), "138.8338");
  assert.equal(more.leaves.get("b")!.grad.toFixed(4), "645.5773");
});

Deno.test("micrograd's demo run replays PyTorch's trajectory through Mlp, svmLoss and Sgd", () => {
  const t = readReference<Trajectory>("train_trajectory.json");
  const [nin, ...nouts] = t.sizes;
  const model = new Mlp(nin, nouts, { activation: "relu" });
  model.setParameters(t.init_params);
  const params = model.parameters();
  assert.equal(params.length, t.init_params.length);
  const optimizer = new Sgd(params, { lr: 1 });
  const steps = t.losses.length;
  for (let k = 0; k < steps; k++) {
    const scores = t.X.map((x) => model.forward(x)[0]);
    const loss = svmLoss(scores, t.y).add(l2Penalty(params, t.alpha));
    assertClose(loss.data, t.losses[k], 1e-9, `loss at step ${k}`);
    assert.equal(accuracy(scores.map((s) => [s]), t.y), t.accuracies[k], `accuracy at step ${k}`);
    optimizer.zeroGrad();
    loss.backward();
    if (k === 0) {
      params.forEach((p, i) => assertClose(p.grad, t.first_step_grads[i], 1e-9, `grad ${i}`));
    }
    optimizer.lr = 1.0 - 0.9 * k / steps;
    optimizer.step();
  }
  assert.equal(t.accuracies[steps - 1], 1);
  const final = t.X.map((x) => model.forward(x));
  assert.equal(accuracy(final, t.y), 1);
  params.forEach((p, i) => assertClose(p.data, t.final_params[i], 1e-9, `final param ${i}`));
});

/** `tests/reference/regression_trajectory.json`: a PyTorch MSE regression run with Adam. */
interface RegressionTrajectory {
  sizes: number[];
  activation: "tanh";
  X: number[][];
  y: number[];
  "init_params": number[];
  losses: number[];
  "final_params": number[];
}

Deno.test("PyTorch's Adam regression run replays through trainSteps on both engines", async (t) => {
  const ref = readReference<RegressionTrajectory>("regression_trajectory.json");
  const [nin, ...nouts] = ref.sizes;
  assert.equal(ref.losses.length, 150);
  for (const engine of ["compiled", "value"] as const) {
    await t.step(engine, () => {
      const model = new Mlp(nin, nouts, { activation: ref.activation });
      model.setParameters(ref.init_params);
      const history = [
        ...trainSteps(model, { x: ref.X, y: ref.y, classes: 0 }, {
          problem: "regression",
          loss: "mse",
          optimizer: "adam",
          lr: 0.01,
          lrSchedule: "constant",
          l2: 0,
          steps: ref.losses.length,
          engine,
        }),
      ];
      assert.equal(history.length, ref.losses.length);
      history.forEach((m, k) => {
        assert.equal(m.step, k + 1);
        assertClose(m.loss, ref.losses[k], 1e-9, `${engine}: loss at step ${k + 1}`);
        assert.equal(m.mse, m.dataLoss, "with the mse loss, the mse metric is the data loss");
        assert.equal(m.accuracy, undefined);
      });
      assert.ok(history.at(-1)!.r2! > 0.95, `R^2 ${history.at(-1)!.r2}`);
      const params = model.parameters().map((p) => p.data);
      params.forEach((p, i) => assertClose(p, ref.final_params[i], 1e-9, `${engine}: param ${i}`));
    });
  }
});

/** `tests/reference/{gelu,leaky_relu}_trajectory.json`: PyTorch runs of the activations issue 16 added. */
interface ActivationTrajectory {
  sizes: number[];
  activation: "gelu" | "leaky-relu";
  loss: "svm" | "ce";
  l2: number;
  optimizer: "sgd" | "adam";
  lr: number;
  X: number[][];
  y: number[];
  "init_params": number[];
  "first_step_grads": number[];
  losses: number[];
  "final_params": number[];
}

for (const file of ["gelu_trajectory.json", "leaky_relu_trajectory.json"]) {
  const ref = readReference<ActivationTrajectory>(file);
  Deno.test(`PyTorch's ${ref.activation} run replays through Mlp on both engines, bit for bit alike`, async (t) => {
    const [nin, ...nouts] = ref.sizes;
    assert.equal(ref.losses.length, 100);
    await t.step("first step's grads through the Value graph", () => {
      const model = new Mlp(nin, nouts, { activation: ref.activation });
      model.setParameters(ref.init_params);
      const outputs = ref.X.map((x) => model.forward(x));
      let loss = classificationLoss(outputs, ref.y, { loss: ref.loss });
      if (ref.l2 > 0) loss = loss.add(l2Penalty(model.parameters(), ref.l2));
      assertClose(loss.data, ref.losses[0], 1e-9, "first loss");
      loss.backward();
      model.parameters().forEach((p, i) =>
        assertClose(p.grad, ref.first_step_grads[i], 1e-9, `grad ${i}`)
      );
    });
    const runs: { losses: number[]; params: number[] }[] = [];
    for (const engine of ["compiled", "value"] as const) {
      await t.step(engine, () => {
        const model = new Mlp(nin, nouts, { activation: ref.activation });
        model.setParameters(ref.init_params);
        const history = [
          ...trainSteps(model, { x: ref.X, y: ref.y, classes: 2 }, {
            loss: ref.loss,
            optimizer: ref.optimizer,
            lr: ref.lr,
            lrSchedule: "constant",
            l2: ref.l2,
            steps: ref.losses.length,
            engine,
          }),
        ];
        history.forEach((m, k) => {
          assertClose(m.loss, ref.losses[k], 1e-9, `${engine}: loss at step ${k + 1}`);
        });
        const params = model.parameters().map((p) => p.data);
        params.forEach((p, i) =>
          assertClose(p, ref.final_params[i], 1e-9, `${engine}: param ${i}`)
        );
        runs.push({ losses: history.map((m) => m.loss), params });
      });
    }
    assert.deepEqual(runs[0], runs[1], "the compiled and Value engines agree bit for bit");
  });
}
