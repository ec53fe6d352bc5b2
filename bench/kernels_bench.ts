/**
 * `deno bench` of the compiled path's two sets of kernels on each workload:
 * the JS kernels alone (the baseline, what runs where WebAssembly SIMD does
 * not) and WebAssembly SIMD with the JS kernels for the remainders (the
 * default). Both give the same numbers bit for bit (`tests/compiled_test.ts`).
 *
 *     deno bench bench/kernels_bench.ts
 *
 * @module
 */
import { CompiledMlp, Mlp, Sgd } from "../mod.ts";
import { ALPHA, sweepWorkload, type TrainWorkload, W1, W2, W4 } from "./_workloads.ts";

/** One training step (forward, backward, SGD) of `w` on the compiled path. */
function stepper(w: TrainWorkload, simd: boolean): () => void {
  const model = new Mlp(w.sizes[0], w.sizes.slice(1));
  model.setParameters(w.init);
  const compiled = new CompiledMlp(model, w.data.x.length, { loss: w.loss, l2: ALPHA, simd });
  const optimizer = new Sgd(model.parameters(), { lr: 0.01 * w.lr });
  return () => {
    compiled.forward(w.data.x, w.data.y);
    optimizer.zeroGrad();
    compiled.backward();
    optimizer.step();
  };
}

for (const w of [W1, W2, W4, sweepWorkload(256)]) {
  const group = `${w.id}: ${w.title}`;
  const js = stepper(w, false);
  const simd = stepper(w, true);
  Deno.bench({ name: "JS kernels", group, baseline: true, fn: js });
  Deno.bench({ name: "WebAssembly SIMD kernels", group, fn: simd });
}
