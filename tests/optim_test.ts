import assert from "node:assert/strict";
import { Adam, AdamW, type Optimizer, Sgd, Value } from "../mod.ts";
import { assertClose, readReference } from "./_helpers.ts";

interface OptimizerReference {
  init: number[];
  target: number[];
  weight: number[];
  steps: number;
  runs: Record<string, { losses: number[]; params: number[][] }>;
}

const ref = readReference<OptimizerReference>("optimizers.json");

/** The reference loss: sum_i w_i (p_i - t_i)^2 + tanh(p0 * p1) + sigmoid(p2) * p3. */
function loss(p: Value[]): Value {
  const fit = Value.sum(p.map((pi, i) => pi.sub(ref.target[i]).pow(2).mul(ref.weight[i])));
  return fit.add(p[0].mul(p[1]).tanh()).add(p[2].sigmoid().mul(p[3]));
}

const makers: Record<string, (p: Value[]) => Optimizer> = {
  sgd: (p) => new Sgd(p, { lr: 0.05 }),
  momentum: (p) => new Sgd(p, { lr: 0.05, momentum: 0.9 }),
  nesterov: (p) => new Sgd(p, { lr: 0.05, momentum: 0.9, nesterov: true }),
  "sgd_weight_decay": (p) => new Sgd(p, { lr: 0.05, momentum: 0.5, weightDecay: 0.1 }),
  adam: (p) => new Adam(p, { lr: 0.1 }),
  "adam_weight_decay": (p) => new Adam(p, { lr: 0.1, weightDecay: 0.1 }),
  adamw: (p) => new AdamW(p, { lr: 0.1, weightDecay: 0.1 }),
};

Deno.test("every optimizer follows PyTorch's trajectory step by step", async (t) => {
  assert.deepEqual(Object.keys(makers).sort(), Object.keys(ref.runs).sort());
  for (const [name, make] of Object.entries(makers)) {
    await t.step(name, () => {
      const p = ref.init.map((x) => new Value(x));
      const opt = make(p);
      const run = ref.runs[name];
      for (let k = 0; k < ref.steps; k++) {
        opt.zeroGrad();
        const l = loss(p);
        l.backward();
        opt.step();
        assertClose(l.data, run.losses[k], 1e-12, `${name} loss ${k}`);
        p.forEach((pi, i) =>
          assertClose(pi.data, run.params[k][i], 1e-12, `${name} p${i} after ${k}`)
        );
      }
    });
  }
});

Deno.test("optimizer state round-trips through JSON and resumes identically", async (t) => {
  for (const name of ["momentum", "adam"]) {
    await t.step(name, () => {
      const a = ref.init.map((x) => new Value(x));
      const optA = makers[name](a);
      for (let k = 0; k < 25; k++) {
        if (k === 10) {
          // Hand over to a fresh optimizer and fresh parameters mid-run.
          const b = a.map((v) => new Value(v.data));
          const optB = makers[name](b);
          optB.loadState(JSON.parse(JSON.stringify(optA)));
          for (let j = k; j < 25; j++) {
            for (const [p, o] of [[a, optA], [b, optB]] as const) {
              o.zeroGrad();
              loss(p).backward();
              o.step();
            }
          }
          assert.deepEqual(b.map((v) => v.data), a.map((v) => v.data));
          b.forEach((v, i) => assertClose(v.data, ref.runs[name].params[24][i], 1e-12, `p${i}`));
          return;
        }
        optA.zeroGrad();
        loss(a).backward();
        optA.step();
      }
    });
  }
});

Deno.test("loadState restores the learning rate, step count and buffers that toJSON gave", async (t) => {
  for (const name of ["momentum", "adamw"]) {
    await t.step(name, () => {
      const p = ref.init.map((x) => new Value(x));
      const opt = makers[name](p);
      for (let k = 0; k < 3; k++) {
        opt.zeroGrad();
        loss(p).backward();
        opt.step();
      }
      opt.lr = 0.0123; // as a schedule would set it
      const state = JSON.parse(JSON.stringify(opt));
      const copy = makers[name](p);
      copy.loadState(state);
      assert.deepEqual(copy.toJSON(), state);
      assert.equal(copy.lr, 0.0123);
    });
  }
});

Deno.test("optimizers reject bad options and foreign state", () => {
  const p = [new Value(1)];
  assert.throws(() => new Sgd(p, { lr: -1 }), {
    name: "RangeError",
    message: "Cannot make the SGD optimizer as 'lr' must be a positive number: current value is -1",
  });
  assert.throws(() => new Sgd(p, { momentum: 1 }), /'momentum' must be in \[0, 1\)/);
  assert.throws(() => new Sgd(p, { nesterov: true }), /Nesterov momentum needs 'momentum' > 0/);
  assert.throws(() => new Adam(p, { beta2: 1.5 }), /Cannot make the Adam optimizer as 'beta2'/);
  assert.throws(() => new AdamW(p, { lr: 0 }), /Cannot make the AdamW optimizer as 'lr'/);
  assert.throws(() => new Sgd(p).loadState(new Adam(p).toJSON()), {
    name: "TypeError",
    message: `Cannot load the state as its 'type' must be "sgd": current value is "adam"`,
  });
  assert.throws(
    () => new Adam(p).loadState({ ...new Adam(p).toJSON(), lr: "0.1" as unknown as number }),
    /its 'lr' must be a positive number: current value is "0.1"/,
  );
  assert.throws(
    () => new Sgd(p).loadState({ ...new Sgd(p).toJSON(), steps: -1 }),
    /its 'steps' must be an integer >= 0: current value is -1/,
  );
  assert.throws(
    () => new Adam([...p, new Value(2)]).loadState(new Adam(p).toJSON()),
    /'m' must be an array of 2 numbers/,
  );
});
