/**
 * Times the compiled path's SIMD kernels (GFLOP/s of forward, weight grads
 * and input grads on a hidden W x W layer over N samples, all active) and
 * whole training steps (2-W-W-1, ReLU, MSE, SGD, float64, full batch, one
 * thread) on the workloads of issue 21 (`--small`: layers that fit in L1).
 * With `--before DIR` (a copy of another commit's `deno.json`, `mod.ts`,
 * `engine/` and `nn/`, e.g. from `git archive`), it runs that copy and this
 * one alternately, round by round, and prints the medians and their ratio.
 * Each round's figure is the fastest call in this process's CPU time: the
 * machine may be shared, and wall time counts other processes' turns.
 *
 *     git archive main deno.json mod.ts engine nn | tar -x -C /tmp/base
 *     deno run --allow-read bench/kernel_timing.ts --before /tmp/base
 *
 * @module
 */
import { cpuUsage } from "node:process";
import { parseArgs } from "node:util";
import * as here from "../mod.ts";
import * as simdHere from "../nn/compiled/_simd.ts";

type Lib = typeof here;
type SimdLib = typeof simdHere;

const CASES: [number, number][] = Deno.args.includes("--small")
  ? [[64, 64], [32, 128]]
  : [[64, 10_000], [128, 1_000], [256, 1_000]];

function median(a: number[]): number {
  const s = a.slice().sort((x, y) => x - y);
  return s[s.length >> 1];
}

/** Per kernel, a function that runs it once on a W x W layer over n samples. */
function kernelRunners(lib: SimdLib, w: number, n: number): Record<string, () => void> {
  const f64 = 3 * (w + 1) * w + 4 * n * w + 64;
  const k = lib.simdKernels(f64 * 8 + n * 4 + 1024)!;
  let at = 0;
  const take = (len: number) => {
    const a = new Float64Array(k.memory.buffer, at, len);
    at += Math.ceil(len * 8 / 16) * 16;
    for (let i = 0; i < len; i++) a[i] = Math.sin(i * 0.37 + len) * 0.5;
    return a;
  };
  const wt = take((w + 1) * w);
  const p = take((w + 1) * w);
  const x = take(n * w);
  const z = take(n * w);
  const gz = take(n * w);
  const gx = take(n * w);
  const g = take((w + 1) * w);
  const rows = new Int32Array(k.memory.buffer, at, n);
  for (let s = 0; s < n; s++) rows[s] = s;
  const ns4 = n - n % 4;
  const ns2 = n - n % 2;
  const ev = w - w % 2;
  return {
    forward: () => k.forward(wt.byteOffset, x.byteOffset, z.byteOffset, w, w, ns4, ev),
    weightGrads: () =>
      k.weightGrads(
        g.byteOffset,
        x.byteOffset,
        rows.byteOffset,
        gz.byteOffset,
        w,
        w,
        ev,
        ev,
        n,
      ),
    inputGrads: () => k.inputGrads(p.byteOffset, gz.byteOffset, gx.byteOffset, w, w, ns2, ev),
  };
}

/** One training step (forward, backward, SGD) of 2-w-w-1 on n points, MSE. */
function stepper(lib: Lib, w: number, n: number): () => number {
  const model = new lib.Mlp(2, [w, w, 1], { seed: 1337 });
  const x = Array.from({ length: n }, (_, s) => [Math.sin(s * 0.7), Math.cos(s * 1.3)]);
  const y = x.map(([a, b]) => Math.sin(3 * a) * b);
  const compiled = new lib.CompiledMlp(model, n, { problem: "regression", loss: "mse" });
  const optimizer = new lib.Sgd(model.parameters(), { lr: 1e-4 });
  return () => {
    const loss = compiled.forward(x, y);
    optimizer.zeroGrad();
    compiled.backward();
    optimizer.step();
    return loss;
  };
}

/**
 * Milliseconds of one call of `fn`, in this process's CPU time (the machine
 * is shared: wall time counts the time other processes run): the fastest of
 * the calls made over at least `ms` milliseconds.
 */
function time(fn: () => unknown, ms: number): number {
  const times: number[] = [];
  const t0 = performance.now();
  while (performance.now() - t0 < ms || times.length < 3) {
    const c0 = cpuUsage();
    fn();
    const c1 = cpuUsage(c0);
    times.push((c1.user + c1.system) / 1000);
  }
  return Math.min(...times);
}

const args = parseArgs({
  args: Deno.args,
  options: {
    before: { type: "string" },
    small: { type: "boolean" },
    rounds: { type: "string", default: "7" },
  },
});
const rounds = Number(args.values.rounds);
const dir = args.values.before;
const sides: [string, Lib, SimdLib][] = [["after", here, simdHere]];
if (dir !== undefined) {
  const base = new URL(`file://${Deno.realPathSync(dir)}/`);
  const lib = await import(new URL("mod.ts", base).href) as Lib;
  const simd = await import(new URL("nn/compiled/_simd.ts", base).href) as SimdLib;
  sides.unshift(["before", lib, simd]);
}

for (const [w, n] of CASES) {
  const flops = 2 * n * w * w;
  const kernels = sides.map(([, , s]) => kernelRunners(s, w, n));
  const steps = sides.map(([, lib]) => stepper(lib, w, n));
  const losses = steps.map((step) => [step(), step()]);
  const kt: Record<string, number[][]> = {};
  const st: number[][] = sides.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < sides.length; i++) {
      for (const [name, fn] of Object.entries(kernels[i])) {
        (kt[name] ??= sides.map(() => []))[i].push(time(fn, 60));
      }
      st[i].push(time(steps[i], 300));
    }
  }
  console.log(`\n2-${w}-${w}-1 x ${n}  (losses ${JSON.stringify(losses)})`);
  for (const [name, t] of Object.entries(kt)) {
    const cells = t.map((ts, i) =>
      `${sides[i][0]} ${median(ts).toFixed(3)} ms ${(flops / median(ts) / 1e6).toFixed(2)} GFLOP/s`
    );
    const ratio = t.length === 2
      ? `  after/before ${(median(t[1]) / median(t[0])).toFixed(2)}`
      : "";
    console.log(`  ${name.padEnd(12)} ${cells.join("  |  ")}${ratio}`);
  }
  const cells = st.map((ts, i) => `${sides[i][0]} ${median(ts).toFixed(3)} ms`);
  const ratio = st.length === 2
    ? `  after/before ${(median(st[1]) / median(st[0])).toFixed(2)}`
    : "";
  console.log(`  ${"step".padEnd(12)} ${cells.join("  |  ")}${ratio}`);
}
