/**
 * Threads 1 against threads 2 against PyTorch float64 on two threads (at its
 * best: its own OpenBLAS kernels), on 2-W-W-1 x N points, MSE, SGD,
 * alternating the three in rounds; prints each round and the medians.
 *
 *     deno run --allow-read --allow-run --allow-env bench/threads_bench.ts [W] [N] [rounds]
 *
 * The first steps (same init, same data) must give the same losses to 1e-9
 * in PyTorch and bit for bit at both thread counts.
 *
 * @module
 */
import { CompiledMlp, Mlp, Rng, Sgd } from "../mod.ts";
import { resultOf, sendJob } from "./_job.ts";

const [W, N, ROUNDS] = [
  Number(Deno.args[0] ?? 256),
  Number(Deno.args[1] ?? 1000),
  Number(Deno.args[2] ?? 5),
];
const CHECK = 3;
const TIMED = 20;
const LR = 0.001;

const rng = new Rng(1);
const x = Array.from({ length: N }, () => [rng.uniform(-2, 2), rng.uniform(-2, 2)]);
const y = x.map(([a, b]) => Math.sin(a) * Math.cos(b));
const init = new Mlp(2, [W, W, 1], { seed: 5 }).parameters().map((p) => p.data);

/** Our step on `threads` threads: a fresh model from `init`, `steps` SGD steps; ms per step and losses. */
async function ours(threads: number, steps: number, timed: number) {
  const model = new Mlp(2, [W, W, 1]);
  model.parameters().forEach((p, i) => p.data = init[i]);
  const c = new CompiledMlp(model, N, { loss: "mse", problem: "regression", threads });
  await c.threadsReady();
  const sgd = new Sgd(model.parameters(), { lr: LR });
  const step = () => {
    const loss = c.forward(x, y);
    sgd.zeroGrad();
    c.backward();
    sgd.step();
    return loss;
  };
  const losses = Array.from({ length: steps }, step);
  const t0 = performance.now();
  for (let k = 0; k < timed; k++) step();
  const ms = (performance.now() - t0) / timed;
  c.dispose();
  return { ms, losses, used: c.threadsUsed };
}

async function torch(steps: number, timed: number) {
  const env = Deno.env.toObject();
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const job = { sizes: [2, W, W, 1], x, y, init, lr: LR, steps, timed };
  const out = await sendJob("/usr/bin/python3", job, {
    args: [new URL("./peers/threads_torch.py", import.meta.url).pathname, "2"],
    env: { ...env, OMP_NUM_THREADS: "2", OPENBLAS_NUM_THREADS: "2" },
    clearEnv: true,
    stderr: "inherit",
  });
  return resultOf<{ ms: number; losses: number[] }>(out);
}

const median = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
const t1: number[] = [];
const t2: number[] = [];
const tt: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const a = await ours(1, CHECK, TIMED);
  const b = await ours(2, CHECK, TIMED);
  const p = await torch(CHECK, TIMED);
  if (a.losses.some((l, i) => !Object.is(l, b.losses[i]))) {
    throw new Error("threads 2 differs from threads 1");
  }
  const diff = Math.max(
    ...a.losses.map((l, i) => Math.abs(l - p.losses[i]) / Math.max(1, Math.abs(l))),
  );
  if (!(diff <= 1e-9)) throw new Error(`PyTorch differs (relative) by ${diff}`);
  t1.push(a.ms);
  t2.push(b.ms);
  tt.push(p.ms);
  console.log(
    `round ${r + 1}: threads1 ${a.ms.toFixed(2)} ms, threads2 ${
      b.ms.toFixed(2)
    } ms (used ${b.used}), torch2 ${p.ms.toFixed(2)} ms; relative loss diff ${
      diff.toExponential(1)
    }`,
  );
}
const [m1, m2, mt] = [median(t1), median(t2), median(tt)];
console.log(
  `2-${W}-${W}-1 x ${N}, medians of ${ROUNDS}: threads1 ${m1.toFixed(2)} ms, threads2 ${
    m2.toFixed(2)
  } ms, PyTorch f64 2 threads ${mt.toFixed(2)} ms`,
);
console.log(
  `threads2/threads1 ${(m2 / m1).toFixed(2)}; threads2/PyTorch2 ${
    (m2 / mt).toFixed(2)
  }; threads1/PyTorch2 ${(m1 / mt).toFixed(2)}`,
);
console.log(
  `per-round ratios threads2/threads1: ${t2.map((v, i) => (v / t1[i]).toFixed(2)).join(" ")}`,
);
