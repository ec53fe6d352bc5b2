import assert from "node:assert/strict";
import { graphStats, Mlp, trainSteps } from "../mod.ts";
import { LimitMlp } from "../bench/limit.ts";
import { naiveCeStep, NaiveMlp, naiveSvmStep } from "../bench/naive.ts";
import { ALPHA, lrAt, makeChain, makeLimitChain, W1, W4 } from "../bench/_workloads.ts";
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

Deno.test("the naive and limit baselines reproduce PyTorch's losses on W1", () => {
  const naive = new NaiveMlp(2, [16, 16, 1], () => 0);
  naive.setParameters(W1.init);
  const limit = new LimitMlp(W1.sizes, W1.data.x.length, W1.init);
  limit.setInputs(W1.data.x);
  for (let k = 0; k < 100; k++) {
    const b = limit.svmStep(W1.data.y, lrAt(k), ALPHA);
    assertClose(b, ref.losses[k], 1e-9, `limit loss at step ${k}`);
    // The naive port takes ~0.1 s a step: the first steps are enough.
    if (k < 8) {
      const a = naiveSvmStep(naive, W1.data.x, W1.data.y, lrAt(k), ALPHA);
      assertClose(a, ref.losses[k], 1e-9, `naive loss at step ${k}`);
    }
  }
});

Deno.test("the naive and limit baselines follow the library's cross-entropy run on W4", () => {
  const model = new Mlp(2, [32, 32, 3]);
  model.setParameters(W4.init);
  const steps = 20;
  const lib = [
    ...trainSteps(model, W4.data, { loss: "ce", l2: ALPHA, steps, lr: 1, engine: "value" }),
  ];
  const naive = new NaiveMlp(2, [32, 32, 3], () => 0);
  naive.setParameters(W4.init);
  const limit = new LimitMlp(W4.sizes, W4.data.x.length, W4.init);
  limit.setInputs(W4.data.x);
  for (let k = 0; k < steps; k++) {
    // trainSteps decays over its own 20 steps: 1 - 0.9 * k / 20.
    const lr = lib[k].lr;
    if (k < 2) {
      const a = naiveCeStep(naive, W4.data.x, W4.data.y, lr, ALPHA);
      assertClose(a, lib[k].loss, 1e-9, `naive loss at step ${k}`);
    }
    assertClose(limit.ceStep(W4.data.y, lr, ALPHA), lib[k].loss, 1e-9, `limit loss at step ${k}`);
  }
  assert.ok(lib.at(-1)!.loss < lib[0].loss, "the run learns something");
});

Deno.test("W3's chain has the nodes it claims, and the limit loop gets the same grad", () => {
  const chain = makeChain(1000);
  const stats = graphStats(chain);
  assert.equal(stats.nodes, 1000);
  assert.equal(stats.depth, 999);
  chain.backward();
  let leaf = chain;
  while (leaf.children.length > 0) leaf = leaf.children[0];
  assertClose(makeLimitChain(1000)(), leaf.grad, 1e-12, "leaf grad");
  assert.ok(leaf.grad > 0 && leaf.grad < 1);
});
