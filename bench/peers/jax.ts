/**
 * jax-js peer of `bench/report.ts`: trains the job read from standard input
 * (see `../_job.ts`) on jax-js's WebAssembly device and prints the result as
 * JSON. One step is one call of a `jit`-compiled function that runs
 * `valueAndGrad` of the loss and the SGD update.
 *
 *     deno run --config bench/peers/deno.json --allow-read bench/peers/jax.ts float64 < job.json
 *
 * Single-threaded: jax-js starts a pool of workers when `SharedArrayBuffer`
 * and `Worker` exist; `Worker` is hidden before it loads, as PyTorch is held
 * to one thread.
 *
 * Every constant the loss needs (`1/n`, `alpha`, the learning rate) is passed
 * in as an array of the job's dtype: jax-js 0.1.25's `jit` rounds literal
 * constants such as the `1/n` of `np.mean` to float32, which moves a
 * float64 loss by about 1e-8. Its float64 `exp` and `log` are accurate to
 * about 1e-7 only (measured here at start-up and sent as `mathError`), so
 * its cross-entropy losses agree with the others to about 1e-6.
 *
 * @module
 */
import { type JobResult, type JobStepper, layerParams, readJob, runJob } from "../_job.ts";

(globalThis as { Worker?: unknown }).Worker = undefined;
const jax = await import("@jax-js/jax");
const { numpy: np, jit, valueAndGrad } = jax;
type Arr = InstanceType<typeof jax.Array>;

const dtypeName = Deno.args[0] === "float32" ? "float32" : "float64";
const dtype = dtypeName === "float32" ? np.float32 : np.float64;
const devices = await jax.init("wasm");
if (!devices.includes("wasm")) throw new Error("jax-js has no wasm device here");
jax.defaultDevice("wasm");

/** The largest relative error of jax-js's exp and log against Math's, on a few points. */
function measureMathError(): number {
  const points = [0.3, -1.7, 2.5, 7.25, -0.01, 11.5];
  const exp = np.exp(array(points, [points.length])).dataSync();
  const log = np.log(array(points.map(Math.abs), [points.length])).dataSync();
  let worst = 0;
  points.forEach((v, i) => {
    worst = Math.max(worst, Math.abs(exp[i] / Math.exp(v) - 1));
    const want = Math.log(Math.abs(v));
    worst = Math.max(worst, Math.abs(log[i] - want) / Math.max(Math.abs(want), 1));
  });
  return worst;
}

const job = await readJob();
const n = job.x.length;
const k = job.sizes[job.sizes.length - 1];

function array(values: ArrayLike<number>, shape: number[]): Arr {
  const buf = dtypeName === "float32" ? Float32Array.from(values) : Float64Array.from(values);
  return np.array(buf, { dtype }).reshape(shape);
}

function scalar(v: number): Arr {
  return array([v], []);
}

type Params = { w: Arr[]; b: Arr[] };
const layers = layerParams(job.sizes, job.init);
const makeParams = (): Params => ({
  w: layers.map((l) => array(l.w, [l.nin, l.nout])),
  b: layers.map((l) => array(l.b, [l.nout])),
});

const x = array(job.x.flat(), [n, job.sizes[0]]);
// svm: a column of -1/+1; ce: one-hot rows.
const target = job.loss === "svm"
  ? array(job.y.map((c) => c === 1 ? 1 : -1), [n, 1])
  : array(job.y.flatMap((c) => Array.from({ length: k }, (_, j) => j === c ? 1 : 0)), [n, k]);
const alpha = scalar(job.alpha);
const invN = scalar(1 / n);

function lossFn(p: Params, x: Arr, t: Arr, alpha: Arr, invN: Arr): Arr {
  let h = x;
  let reg: Arr | null = null;
  const last = p.w.length - 1;
  for (let l = 0; l <= last; l++) {
    const z = np.matmul(h, p.w[l].ref).add(p.b[l].ref);
    h = l < last ? jax.nn.relu(z) : z;
    const r = np.sum(np.square(p.w[l])).add(np.sum(np.square(p.b[l])));
    reg = reg === null ? r : reg.add(r);
  }
  const perSample = job.loss === "svm"
    ? jax.nn.relu(np.negative(t.mul(h)).add(1))
    : jax.nn.logsumexp(h.ref, 1).sub(np.sum(h.mul(t), 1));
  return np.sum(perSample).mul(invN).add(reg!.mul(alpha));
}

const step = jit((p: Params, x: Arr, t: Arr, lr: Arr, alpha: Arr, invN: Arr) => {
  const [loss, g] = valueAndGrad(lossFn)(
    { w: p.w.map((a) => a.ref), b: p.b.map((a) => a.ref) },
    x,
    t,
    alpha,
    invN,
  );
  const w = p.w.map((a, l) => a.sub(g.w[l].mul(lr.ref)));
  const b = p.b.map((a, l) => a.sub(g.b[l].mul(lr.ref)));
  lr.dispose();
  return [loss, { w, b }] as [Arr, Params];
});

let params: Params | null = null;
const stepper: JobStepper = {
  reset() {
    if (params !== null) { for (const a of [...params.w, ...params.b]) a.dispose(); }
    params = makeParams();
  },
  step(lr) {
    const [loss, next] = step(params!, x.ref, target.ref, scalar(lr), alpha.ref, invN.ref) as [
      Arr,
      Params,
    ];
    params = next;
    return loss.dataSync()[0];
  },
};

const mathError = measureMathError();
const { times, losses } = runJob(job, stepper);
const result: JobResult = {
  system: "jax-js",
  version: "0.1.25 (wasm)",
  dtype: dtypeName,
  threads: 1,
  times,
  losses,
};
// float32's own epsilon is about 6e-8: only report an error beyond the dtype's.
if (mathError > (dtypeName === "float32" ? 1e-6 : 1e-14)) result.mathError = mathError;
console.log(JSON.stringify(result));
