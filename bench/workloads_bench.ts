/**
 * `deno bench` over the workloads of issue 4 (see `_workloads.ts`): each
 * group runs one workload on every system, so `deno bench` prints each
 * system's time as a ratio to the group's baseline ("naive" for W1 and W4,
 * "limit" for W2 and W3). `bench/report.ts` prints both ratios as a table.
 *
 *     deno task bench
 *
 * @module
 */
import {
  libraryStepper,
  limitStepper,
  makeChain,
  makeLimitChain,
  naiveStepper,
  type TrainWorkload,
  W1,
  W2,
  W4,
} from "./_workloads.ts";
import { tfjsReady, tfjsStepper } from "./_tfjs.ts";

await tfjsReady();

function trainGroup(w: TrainWorkload, baseline: "naive" | "limit", withNaive: boolean): void {
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
  const limit = limitStepper(w);
  Deno.bench({
    name: "limit (hand-written Float64Array)",
    group,
    baseline: baseline === "limit",
    fn: () => void limit.step(),
  });
  if (w.loss === "svm") {
    const tfjs = tfjsStepper(w);
    Deno.bench({ name: "tfjs (TF.js CPU backend)", group, fn: () => void tfjs.step() });
  }
}

trainGroup(W1, "naive", true);
// The naive port takes tens of seconds per W2 step; bench/report.ts --naive-w2 times it.
trainGroup(W2, "limit", false);
trainGroup(W4, "naive", true);

const chain = makeChain();
const limitChain = makeLimitChain();
Deno.bench({
  name: "value: backward()",
  group: "W3: backward on a 1,000,000-node chain",
  n: 30,
  warmup: 3,
  fn: () => chain.backward(),
});
Deno.bench({
  name: "limit: Float64Array loop",
  group: "W3: backward on a 1,000,000-node chain",
  baseline: true,
  fn: () => void limitChain(),
});
