import assert from "node:assert/strict";
import { classificationLoss, CompiledMlp, Mlp, regressionLoss, Sgd } from "../mod.ts";
import { simdKernels, simdModuleBytes } from "../nn/compiled/_simd.ts";

// The SIMD kernels run in chunks of samples (weight and bias grads: about
// 32768 / (nin + nout) samples, last chunk first; input grads: about
// 16384 / nout) inside register blocks (2 neurons x 8 or 2 inputs, 2 or 4
// samples). These tests put every edge of those where a sum could be split
// or reordered, and compare with sums written out plainly in the graph's order.

/** A memory with room for `n` numbers at a time, handed out 16-byte aligned. */
function arena(numbers: number) {
  const k = simdKernels(numbers * 8 + 4096)!;
  let at = 0;
  const take = (len: number, fill: (i: number) => number) => {
    const a = new Float64Array(k.memory.buffer, at, len);
    at += Math.ceil(len / 2) * 16;
    for (let i = 0; i < len; i++) a[i] = fill(i);
    return a;
  };
  const takeI32 = (values: number[]) => {
    const a = new Int32Array(k.memory.buffer, at, values.length);
    at += Math.ceil(values.length / 4) * 16;
    a.set(values);
    return a;
  };
  return { k, take, takeI32 };
}

/** Numbers of many magnitudes and both signs, so that any change of order shows. */
function wild(seed: number): (i: number) => number {
  return (i) => Math.sin(i * 12.9898 + seed * 78.233) * 10 ** ((i * 7 + seed) % 9 - 4);
}

Deno.test("SIMD weight and bias grads add each term in the graph's order across chunks of samples", () => {
  // (nin, nout, samples in all, which rows are active)
  const cases: [number, number, number, (s: number) => boolean][] = [
    [64, 64, 255, () => true], // one chunk less one
    [64, 64, 256, () => true], // exactly one chunk
    [64, 64, 257, () => true], // one chunk and one sample
    [64, 64, 700, (s) => s % 3 !== 1], // rows skipped, chunks of active rows
    [9, 7, 5000, (s) => s % 5 === 0 || s > 4990], // odd widths, 2 chunks of 2048
    [301, 3, 250, () => true], // chunks of 107, the last chunk short
    [2, 130, 3, () => true], // fewer samples than a chunk
    [17, 33, 1, () => true],
  ];
  for (const [nin, nout, total, active] of cases) {
    const rowList = Array.from({ length: total }, (_, s) => s).filter(active);
    const n = rowList.length;
    const { k, take, takeI32 } = arena(total * nin + n * nout + 2 * nout * (nin + 1) + n);
    const x = take(total * nin, wild(1));
    const gz = take(n * nout, wild(2));
    const g = take(nout * (nin + 1), wild(3));
    const rows = takeI32(rowList);
    const want = Float64Array.from(g);
    for (let j = 0; j < nout; j++) {
      for (let i = 0; i <= nin; i++) {
        let a = want[j * (nin + 1) + i];
        for (let t = n - 1; t >= 0; t--) {
          a += i === nin ? gz[t * nout + j] : x[rows[t] * nin + i] * gz[t * nout + j];
        }
        want[j * (nin + 1) + i] = a;
      }
    }
    const nj = nout - nout % 2;
    const ni = nin - nin % 2;
    k.weightGrads(g.byteOffset, x.byteOffset, rows.byteOffset, gz.byteOffset, nin, nout, nj, ni, n);
    k.biasGrads(g.byteOffset, gz.byteOffset, nin, nout, nj, n);
    const what = `${nin} inputs, ${nout} neurons, ${n} rows of ${total}`;
    for (let j = 0; j < nj; j++) {
      const at = j * (nin + 1);
      // The SIMD kernels do the even inputs and the biases of each pair of neurons.
      for (const i of [...Array(ni).keys(), nin]) {
        assert.equal(g[at + i], want[at + i], `${what}: grad of w[${j}, ${i}]`);
      }
    }
  }
});

Deno.test("SIMD input grads sum over the neurons, last first, across chunks of samples", () => {
  const cases: [number, number, number][] = [
    [8, 64, 256], // exactly one chunk
    [8, 64, 258], // one chunk and a pair
    [30, 256, 130], // chunks of 64, the last short
    [5, 301, 110], // odd widths, chunks of 54
    [16, 8, 4], // fewer samples than a chunk
    [2, 3, 2],
  ];
  for (const [nin, nout, n] of cases) {
    const { k, take } = arena(nout * (nin + 1) + n * (nout + nin));
    const w = take(nout * (nin + 1), wild(4));
    const gz = take(n * nout, wild(5));
    const gx = take(n * nin, () => NaN);
    const ns = n - n % 2;
    const ni = nin - nin % 2;
    k.inputGrads(w.byteOffset, gz.byteOffset, gx.byteOffset, nin, nout, ns, ni);
    for (let s = 0; s < ns; s++) {
      for (let i = 0; i < ni; i++) {
        let a = 0;
        for (let j = nout - 1; j >= 0; j--) a += w[j * (nin + 1) + i] * gz[s * nout + j];
        assert.equal(
          gx[s * nin + i],
          a,
          `${nin} inputs, ${nout} neurons, ${n} samples: [${s}, ${i}]`,
        );
      }
    }
  }
});

Deno.test("training across chunks of samples gives the Value graph's numbers bit for bit", async (t) => {
  // Layer 2 (24 -> 301) has weight-grad chunks of 100 samples and input-grad
  // chunks of 54; layer 3 (301 -> 3) weight-grad chunks of 107: 113 samples
  // cross each of them, with a short last chunk.
  const n = 113;
  const x = Array.from({ length: n }, (_, s) => [Math.sin(s), Math.cos(s * 0.7), (s % 7) / 7]);
  for (const loss of ["svm", "mse"] as const) {
    await t.step(loss, () => {
      const problem = loss === "mse" ? "regression" : "classification";
      const model = new Mlp(3, loss === "mse" ? [24, 301, 1] : [24, 301, 3], { seed: 7 });
      const y = x.map(([a, b], s) => loss === "mse" ? Math.sin(3 * a) * b : s % 3);
      const runs = [true, false].map((simd) => {
        const compiled = new CompiledMlp(model, n, { loss, problem, simd });
        const total = compiled.forward(x, y);
        compiled.backward();
        const grads = model.parameters().map((p) => p.grad);
        model.zeroGrad();
        return { total, grads, kernels: compiled.kernels };
      });
      assert.deepEqual(runs.map((r) => r.kernels), ["wasm-simd", "js"]);
      const outputs = x.map((xi) => model.forward(xi));
      const graph = loss === "mse"
        ? regressionLoss(outputs, y, { loss })
        : classificationLoss(outputs, y, { loss });
      graph.backward();
      const grads = model.parameters().map((p) => p.grad);
      for (const run of runs) {
        assert.equal(run.total, graph.data, run.kernels);
        assert.deepEqual(run.grads, grads, run.kernels);
      }
      model.zeroGrad();
    });
  }
  await t.step("a few SGD steps at 2-64-64-1 on 1,000 points (MSE)", () => {
    const m = 1000;
    const xs = Array.from({ length: m }, (_, s) => [Math.sin(s * 0.7), Math.cos(s * 1.3)]);
    const ys = xs.map(([a, b]) => Math.sin(3 * a) * b);
    const [simd, js] = [true, false].map((on) => {
      const model = new Mlp(2, [64, 64, 1], { seed: 3 });
      const compiled = new CompiledMlp(model, m, { problem: "regression", loss: "mse", simd: on });
      const sgd = new Sgd(model.parameters(), { lr: 0.05 });
      const losses: number[] = [];
      for (let k = 0; k < 3; k++) {
        losses.push(compiled.forward(xs, ys));
        sgd.zeroGrad();
        compiled.backward();
        sgd.step();
      }
      return { losses, params: model.parameters().map((p) => p.data) };
    });
    assert.deepEqual(simd, js);
  });
});

Deno.test("the SIMD module stays under the 4 KB that browsers compile on the main thread", () => {
  const size = simdModuleBytes().length;
  assert.ok(size <= 4096, `${size} bytes`);
  // The module's docs say how big it is, to a tenth of a KB.
  const doc = Deno.readTextFileSync(new URL("../nn/compiled/_simd.ts", import.meta.url));
  assert.match(doc, new RegExp(`The module is ${(size / 1000).toFixed(1)} KB`));
});
