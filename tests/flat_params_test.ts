import assert from "node:assert/strict";
import {
  Adam,
  AdamW,
  CompiledMlp,
  type Dataset,
  DivergedError,
  makeMoons,
  Mlp,
  type Optimizer,
  Rng,
  Sgd,
  type TrainOptions,
  type TrainRun,
  trainSteps,
  Value,
} from "../mod.ts";

const data = makeMoons({ samples: 60, noise: 0.1, seed: 5 });
const test = makeMoons({ samples: 30, noise: 0.1, seed: 6 });

/** What a model holds: every parameter's data and grad. */
function state(model: Mlp): { data: number[]; grad: number[] } {
  const params = model.parameters();
  return { data: params.map((p) => p.data), grad: params.map((p) => p.grad) };
}

Deno.test("stepArrays gives the floats of step() for every optimizer and setting", async (t) => {
  const makers: [string, (ps: Value[]) => Optimizer][] = [
    ["sgd", (ps) => new Sgd(ps, { lr: 0.3 })],
    [
      "sgd with momentum and decay",
      (ps) => new Sgd(ps, { lr: 0.1, momentum: 0.9, weightDecay: 0.01 }),
    ],
    ["nesterov", (ps) => new Sgd(ps, { lr: 0.1, momentum: 0.5, nesterov: true })],
    ["adam", (ps) => new Adam(ps, { lr: 0.01 })],
    ["adam with decay", (ps) => new Adam(ps, { lr: 0.01, weightDecay: 0.1 })],
    ["adamw", (ps) => new AdamW(ps, { lr: 0.01, weightDecay: 0.2 })],
  ];
  for (const [name, make] of makers) {
    await t.step(name, () => {
      const rng = new Rng(7);
      const values = Array.from({ length: 50 }, () => new Value(rng.uniform(-2, 2)));
      const flat = Float64Array.from(values, (v) => v.data);
      const grads = new Float64Array(values.length);
      const a = make(values);
      const b = make(values.map((v) => new Value(v.data)));
      for (let step = 0; step < 6; step++) {
        values.forEach((v, i) => {
          v.grad = grads[i] = rng.uniform(-1, 1);
        });
        a.lr = b.lr = 0.01 * (step + 1);
        a.step();
        b.stepArrays(flat, grads);
        assert.deepEqual(Array.from(flat), values.map((v) => v.data), `step ${step}`);
      }
      assert.deepEqual(b.toJSON(), a.toJSON(), "the same state (steps, buffers)");
    });
  }
});

Deno.test("stepArrays checks that the arrays hold one number per parameter", () => {
  const opt = new Adam([new Value(1), new Value(2)]);
  assert.throws(
    () => opt.stepArrays(new Float64Array(3), new Float64Array(2)),
    /Cannot step the Adam optimizer as 'data' and 'grads' must hold 2 numbers each: current lengths are 3 and 2/,
  );
});

Deno.test("with syncModel false, the Values are read and written only when asked", () => {
  const model = new Mlp(2, [6, 1], { seed: 2 });
  const x = data.x.slice(0, 4);
  const y = data.y.slice(0, 4);
  const compiled = new CompiledMlp(model, 4, { loss: "mse", syncModel: false });
  const loss = compiled.forward(x, y);
  const w = model.layers[0].neurons[0].w[0];
  const was = w.data;
  w.data = 3;
  assert.equal(compiled.forward(x, y), loss, "a change to a Value is not seen before readModel()");
  compiled.readModel();
  const edited = compiled.forward(x, y);
  assert.notEqual(edited, loss, "and is seen after it");
  compiled.backward();
  assert.ok(model.parameters().every((p) => p.grad === 0), "backward() leaves the grads alone");
  const opt = new Sgd(model.parameters(), { lr: 0.1 });
  compiled.step(opt);
  assert.equal(w.data, 3, "step() leaves the Values alone");
  compiled.writeModel();
  assert.notEqual(w.data, 3, "writeModel() writes the updated parameters");
  // The same as the synced path: forward, backward into the Values, step on the Values.
  const twin = new Mlp(2, [6, 1], { seed: 2 });
  twin.layers[0].neurons[0].w[0].data = 3;
  const synced = new CompiledMlp(twin, 4, { loss: "mse" });
  assert.equal(synced.forward(x, y), edited);
  synced.backward();
  new Sgd(twin.parameters(), { lr: 0.1 }).step();
  assert.deepEqual(state(model), state(twin), "same data and grads");
  w.data = was;
});

Deno.test("copyParams gives an evaluating model the training model's flat parameters", () => {
  const model = new Mlp(2, [5, 1], { seed: 4 });
  const trainer = new CompiledMlp(model, 60, { syncModel: false });
  const evaluator = new CompiledMlp(model, 30, { syncModel: false });
  trainer.forward(data.x, data.y);
  trainer.backward();
  trainer.step(new Sgd(model.parameters(), { lr: 0.5 }));
  const stale = evaluator.forward(test.x, test.y);
  evaluator.copyParams(trainer);
  const fresh = evaluator.forward(test.x, test.y);
  trainer.writeModel();
  assert.notEqual(fresh, stale);
  assert.equal(fresh, new CompiledMlp(model, 30).forward(test.x, test.y));
  assert.throws(
    () => evaluator.copyParams(new CompiledMlp(new Mlp(2, [4, 1]), 3)),
    /Cannot copy the parameters as the models must have 21 parameters: current count is 17/,
  );
});

/**
 * Runs `options` on both engines, calling `between(run, model, step)` after
 * each step on each, and returns each engine's model state after each step.
 */
function lockstep(
  options: TrainOptions,
  between: (run: TrainRun, model: Mlp, step: number) => void = () => {},
): Record<"value" | "compiled", { data: number[]; grad: number[] }[]> {
  const out = {
    value: [] as ReturnType<typeof state>[],
    compiled: [] as ReturnType<typeof state>[],
  };
  for (const engine of ["value", "compiled"] as const) {
    const model = new Mlp(2, [8, 8, 1], { seed: 3 });
    const run = trainSteps(model, data, { ...options, test, engine });
    for (const m of run) {
      run.sync();
      out[engine].push(state(model));
      between(run, model, m.step);
    }
  }
  return out;
}

Deno.test("sync() between steps shows the step's weights and grads, as the Value engine's", () => {
  for (const optimizer of ["sgd", "adam"] as const) {
    const { value, compiled } = lockstep({ optimizer, steps: 12, l2: 1e-3, l1: 1e-4 });
    assert.equal(compiled.length, 12);
    assert.deepEqual(compiled, value, optimizer);
  }
});

Deno.test("a weight edited between steps, then reload(), is where the next step starts", () => {
  const edit = (run: TrainRun, model: Mlp, step: number) => {
    if (step !== 4) return;
    model.layers[1].neurons[2].w[5].data = 0.75;
    model.layers[0].neurons[0].b.data = -1.5;
    run.reload();
  };
  const { value, compiled } = lockstep({ optimizer: "adam", lr: 0.02, steps: 10 }, edit);
  assert.deepEqual(compiled, value);
  // Without the edit the run ends elsewhere: the edit took effect.
  const { compiled: unedited } = lockstep({ optimizer: "adam", lr: 0.02, steps: 10 });
  assert.notDeepEqual(unedited.at(-1), compiled.at(-1));
});

Deno.test("the model's Values catch up however a run ends", async (t) => {
  const options = { optimizer: "adam", lrSchedule: "constant", steps: 20 } as const;
  const straight = (steps: number) => {
    const model = new Mlp(2, [8, 1], { seed: 9 });
    [...trainSteps(model, data, { ...options, steps, engine: "value" })];
    return state(model);
  };
  await t.step("all steps done", () => {
    const model = new Mlp(2, [8, 1], { seed: 9 });
    [...trainSteps(model, data, options)];
    assert.deepEqual(state(model), straight(20));
  });
  await t.step("a break out of the loop (return())", () => {
    const model = new Mlp(2, [8, 1], { seed: 9 });
    for (const m of trainSteps(model, data, options)) if (m.step === 7) break;
    assert.deepEqual(state(model), straight(7));
  });
  await t.step("a divergence: the weights the diverged step started from", () => {
    const diverging = (engine: "value" | "compiled") => {
      const model = new Mlp(2, [8, 8, 1], { seed: 4 });
      const o = { loss: "mse", lr: 1e6, lrSchedule: "constant", engine } as const;
      assert.throws(() => [...trainSteps(model, data, o)], DivergedError);
      return state(model);
    };
    assert.deepEqual(diverging("compiled"), diverging("value"));
  });
});

Deno.test("a run resumed from a synced model and the optimizer's state ends where one run ends", () => {
  for (const optimizer of ["momentum", "adam"] as const) {
    const options = { optimizer, lrSchedule: "constant", batchSize: 20, test } as const;
    const whole = new Mlp(2, [8, 1], { seed: 6 });
    const wholeRun = trainSteps(whole, data, { ...options, steps: 30 });
    [...wholeRun];
    const split = new Mlp(2, [8, 1], { seed: 6 });
    const first = trainSteps(split, data, { ...options, steps: 30 });
    for (const m of first) if (m.step === 13) break;
    const start = { step: 13, optimizer: first.optimizer.toJSON() };
    // The resumed run starts from a copy: what model.json holds, as --resume loads it.
    const resumed = Mlp.fromJSON(split.toJSON());
    const rest = trainSteps(resumed, data, { ...options, steps: 17, start });
    [...rest];
    assert.deepEqual(resumed.toJSON(), whole.toJSON(), optimizer);
    assert.deepEqual(rest.optimizer.toJSON(), wholeRun.optimizer.toJSON(), "Adam's state survives");
  }
});

Deno.test("a mid-run lr or penalty change (a new run from the synced state) matches the Value engine", () => {
  const changed = (engine: "value" | "compiled") => {
    const model = new Mlp(2, [8, 1], { seed: 8 });
    const base = { optimizer: "adam", lr: 0.01, steps: 16, engine } as const;
    const first = trainSteps(model, data, base);
    for (const m of first) if (m.step === 6) break;
    const start = { step: 6, optimizer: first.optimizer.toJSON() };
    const rest = [...trainSteps(model, data, { ...base, lr: 0.03, l2: 0.01, steps: 10, start })];
    return { model: state(model), losses: rest.map((m) => m.loss) };
  };
  assert.deepEqual(changed("compiled"), changed("value"));
});

Deno.test("sync() and reload() do nothing before the first step or after the end", () => {
  const model = new Mlp(2, [4, 1], { seed: 1 });
  const run = trainSteps(model, data as Dataset, { steps: 3 });
  run.sync();
  run.reload();
  assert.deepEqual(state(model), state(new Mlp(2, [4, 1], { seed: 1 })));
  [...run];
  const after = state(model);
  model.layers[0].neurons[0].w[0].data = 42;
  run.sync();
  assert.equal(model.layers[0].neurons[0].w[0].data, 42, "a finished run writes nothing more");
  model.layers[0].neurons[0].w[0].data = after.data[0];
});
