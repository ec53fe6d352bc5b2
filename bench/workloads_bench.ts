/**
 * `deno bench` over the workloads (see `_workloads.ts`): each group runs one
 * workload on each of our systems, so `deno bench` prints each system's time
 * as a ratio to the group's baseline ("naive" for W1 and W4, the hand-written
 * "scalar loop" for W2 and W3). The peers (PyTorch, jax-js, TF.js) run in
 * `bench/report.ts`, each in its own process.
 *
 *     deno task bench
 *
 * @module
 */
import {
  libraryStepper,
  makeChain,
  makeScalarLoopChain,
  naiveStepper,
  scalarLoopStepper,
  type TrainWorkload,
  W1,
  W2,
  W4,
} from "./_workloads.ts";

function trainGroup(w: TrainWorkload, baseline: "naive" | "scalar loop", withNaive: boolean): void {
  const group = `${w.id}: ${w.title}`;
  if (withNaive) {
    const naive = naiveStepper(w);
    Deno.bench({
      name: "naive (micrograd-style port)",
      group,
      baseline: baseline === "naive",
      n: 20,
      warmup: 3,
      fn: () => void naive.step(),
    });
  }
  const value = libraryStepper(w, "value");
  Deno.bench({ name: "value (Value graph)", group, fn: () => void value.step() });
  const compiled = libraryStepper(w, "compiled");
  Deno.bench({ name: "compiled (CompiledMlp)", group, fn: () => void compiled.step() });
  const scalar = scalarLoopStepper(w);
  Deno.bench({
    name: "scalar loop (hand-written Float64Array)",
    group,
    baseline: baseline === "scalar loop",
    fn: () => void scalar.step(),
  });
}

trainGroup(W1, "naive", true);
// The naive port takes tens of seconds per W2 step and needs a heap above 4 GB.
trainGroup(W2, "scalar loop", false);
trainGroup(W4, "naive", true);

const chain = makeChain();
const scalarChain = makeScalarLoopChain();
Deno.bench({
  name: "value: backward()",
  group: "W3: backward on a 1,000,000-node chain",
  n: 30,
  warmup: 3,
  fn: () => chain.backward(),
});
Deno.bench({
  name: "scalar loop: Float64Array",
  group: "W3: backward on a 1,000,000-node chain",
  baseline: true,
  fn: () => void scalarChain(),
});
