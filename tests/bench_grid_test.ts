import assert from "node:assert/strict";
import { CompiledMlp, Mlp } from "../mod.ts";
import {
  GRID_LR,
  gridCells,
  gridWorkload,
  OPENBLAS_PINS,
  pickCells,
  torchEnv,
} from "../bench/_grid.ts";
import { activeSamples, ALPHA, jobFor, stepFlops, W1, W2 } from "../bench/_workloads.ts";
import { resultOf, sendJob, timedSteps } from "../bench/_job.ts";
import {
  PEAK_C,
  PEAK_FLOPS_PER_TURN,
  PEAK_M,
  PEAK_SUMS,
  peakLoop,
  peakStart,
} from "../bench/simd_peak.ts";

// bench/report.ts's honest parts: what it counts as work, what it runs
// PyTorch with, and which cells its grid has. Timings are never asserted.

Deno.test("GFLOP/s count the backward pass on the active samples only", () => {
  const macs = 2 * 64 + 64 * 64 + 64;
  assert.equal(stepFlops(W2), 6 * 1000 * macs, "every sample active by default");
  assert.equal(stepFlops(W2, 100), (2 * 1000 + 4 * 100) * macs);
  assert.equal(stepFlops(W2, 0), 2 * 1000 * macs, "forward only");
  // SVM: active while 1 - t * out > 0, t = +1 for label 1 and -1 for label 0.
  const out = [2, 0.5, -3, 0.99, 1, -1];
  const y = [1, 1, 0, 1, 0, 0];
  assert.equal(activeSamples("svm", out, y), 3);
  assert.equal(activeSamples("mse", out, y), 6);
  assert.equal(activeSamples("ce", out, y), 6);
});

Deno.test("the SVM's active samples are those with a grad in the compiled backward pass", () => {
  // Per-sample: the grad of the loss wrt the first layer's weights, one sample at a time.
  const model = new Mlp(2, [16, 16, 1]);
  model.setParameters(W1.init);
  const compiled = new CompiledMlp(model, 1, { loss: "svm" });
  let withGrad = 0;
  for (let s = 0; s < W1.data.x.length; s++) {
    for (const p of model.parameters()) p.grad = 0;
    compiled.forward([W1.data.x[s]], [W1.data.y[s]]);
    compiled.backward();
    if (model.parameters().some((p) => p.grad !== 0)) withGrad++;
  }
  const all = new CompiledMlp(model, W1.data.x.length, { loss: "svm" });
  const active = activeSamples("svm", all.predict(W1.data.x), W1.data.y);
  assert.equal(active, withGrad);
  assert.ok(active > 0 && active < W1.data.x.length, `${active} active: a real mix`);
});

Deno.test("PyTorch's command loses OpenBLAS's pins and is pinned to its thread count", async () => {
  const parent = {
    PATH: "/usr/bin",
    OPENBLAS_CORETYPE: "Haswell",
    OPENBLAS_L2_SIZE: "512",
    OMP_NUM_THREADS: "8",
    HOME: "/tmp",
  };
  const env = torchEnv(parent, 2);
  assert.deepEqual(OPENBLAS_PINS, ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"]);
  assert.deepEqual(env, {
    PATH: "/usr/bin",
    HOME: "/tmp",
    OMP_NUM_THREADS: "2",
    OPENBLAS_NUM_THREADS: "2",
    MKL_NUM_THREADS: "2",
  });
  assert.equal(parent.OPENBLAS_CORETYPE, "Haswell", "the parent's env is left alone");
  // As the report spawns it (clearEnv), a child sees neither pin.
  const out = await new Deno.Command("sh", {
    args: ["-c", 'echo "${OPENBLAS_CORETYPE-unset} ${OPENBLAS_L2_SIZE-unset} $OMP_NUM_THREADS"'],
    env: torchEnv({ ...Deno.env.toObject(), ...parent }, 1),
    clearEnv: true,
    stdout: "piped",
  }).output();
  assert.equal(new TextDecoder().decode(out.stdout).trim(), "unset unset 1");
});

Deno.test("the grid has every W in 16..512 by every N in 100..10,000, and --cells picks some", () => {
  const cells = gridCells();
  assert.equal(cells.length, 18);
  assert.deepEqual(cells.slice(0, 4).map((c) => c.id), ["16x100", "16x1000", "16x10000", "32x100"]);
  assert.deepEqual(cells.at(-1), { id: "512x10000", width: 512, samples: 10_000 });
  assert.equal(new Set(cells.map((c) => c.id)).size, 18);
  assert.deepEqual(pickCells(undefined), cells);
  // In the grid's order, whatever the order asked.
  assert.deepEqual(pickCells("256x1000, 64X10000").map((c) => c.id), ["64x10000", "256x1000"]);
  assert.throws(() => pickCells("64x999"), /'--cells' takes cells WxN .*current value is 64x999/);
  assert.throws(() => pickCells(""), RangeError);
  for (const c of cells) assert.ok(GRID_LR[c.width] > 0, `a learning rate for width ${c.width}`);
});

Deno.test("a grid cell is 2-W-W-1 with MSE on N moons points, and its job says so", () => {
  const w = gridWorkload({ id: "32x100", width: 32, samples: 100 });
  assert.deepEqual(w.sizes, [2, 32, 32, 1]);
  assert.equal(w.loss, "mse");
  assert.equal(w.data.x.length, 100);
  assert.equal(w.init.length, 32 * 3 + 32 * 33 + 33);
  assert.equal(w.lr, GRID_LR[32]);
  assert.deepEqual(gridWorkload({ id: "64x1000", width: 64, samples: 1000 }).data.x, W2.data.x);
  const job = jobFor(w, "float64", { minSteps: 4, maxSteps: 8, budgetMs: 0 });
  assert.equal(job.loss, "mse");
  assert.equal(job.alpha, ALPHA);
});

Deno.test("the report times the steps past the warm-up", () => {
  const times = Array.from({ length: 250 }, (_, i) => i);
  assert.deepEqual(timedSteps(times, 100), times.slice(100));
  assert.deepEqual(timedSteps(times.slice(0, 50), 100), times.slice(5, 50));
  assert.deepEqual(timedSteps(times.slice(0, 101), 100), times.slice(5, 101), "not 1 step");
  assert.deepEqual(timedSteps([9, 8, 7, 6], 100), [7, 6]);
  assert.deepEqual(timedSteps([9], 100), [9]);
});

Deno.test("the SIMD peak loop does the multiply-adds it counts", () => {
  const run = peakLoop();
  assert.equal(PEAK_FLOPS_PER_TURN, PEAK_SUMS * 4);
  for (const turns of [1, 2, 1000]) {
    let sum = 0;
    for (let i = 0; i < PEAK_SUMS; i++) {
      let s = peakStart(i);
      for (let k = 0; k < turns; k++) s = s * PEAK_M + PEAK_C;
      sum += s;
    }
    assert.equal(run(turns), sum, `${turns} turns`);
  }
});

Deno.test({
  name: "PyTorch's MSE run of a grid cell reaches our losses to 1e-9",
  ignore: !(await Deno.stat("/usr/bin/python3").then(() => true, () => false)),
  async fn() {
    const w = gridWorkload({ id: "16x100", width: 16, samples: 100 });
    const job = jobFor(w, "float64", { minSteps: 6, maxSteps: 6, budgetMs: 0 });
    const result = async (cmd: string, args: string[], env?: Record<string, string>) => {
      const out = await sendJob(cmd, job, { args, env, clearEnv: env !== undefined });
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
      return resultOf(out);
    };
    const peer = new URL("../bench/peers/torch_peer.py", import.meta.url).pathname;
    const probe = await new Deno.Command("/usr/bin/python3", { args: ["-c", "import torch"] })
      .output();
    if (!probe.success) return;
    const torch = await result("/usr/bin/python3", [peer, "float64", "1"], {
      ...torchEnv(Deno.env.toObject(), 1),
    });
    const ours = await result(Deno.execPath(), [
      "run",
      "--no-lock",
      "--allow-read",
      new URL("../bench/run_ours.ts", import.meta.url).pathname,
      "compiled",
    ]);
    assert.equal(torch.threads, 1);
    assert.equal(ours.active, 100, "MSE: every sample in the backward pass");
    assert.equal(ours.losses.length, 6);
    for (let i = 0; i < 6; i++) {
      const rel = Math.abs(ours.losses[i] - torch.losses[i]) / Math.abs(torch.losses[i]);
      assert.ok(rel <= 1e-9, `step ${i}: ${ours.losses[i]} vs ${torch.losses[i]}`);
    }
    assert.ok(ours.losses[5] < ours.losses[0], "the run learns");
  },
});
