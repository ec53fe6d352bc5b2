/**
 * TensorFlow.js peer of `bench/report.ts`: trains the job read from standard
 * input (see `../_job.ts`) on TF.js's WebAssembly backend (SIMD, one thread)
 * and prints the result as JSON. TF.js computes in float32 only.
 *
 *     deno run --config bench/peers/deno.json --allow-read --allow-env bench/peers/tfjs_wasm.ts < job.json
 *
 * The union package `@tensorflow/tfjs` is loaded for its gradients (tfjs-core
 * alone registers none, and its ESM files do not load under Deno); the
 * threaded Wasm build does not start under Deno, so it is turned off.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { type JobResult, type JobStepper, layerParams, readJob, runJob } from "../_job.ts";

// TF.js prints a hint about its Node backend when it thinks it runs in Node.
tf.env().set("IS_NODE", false);
tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
if (!(await tf.setBackend("wasm"))) throw new Error("TF.js's wasm backend did not start");
await tf.ready();

const job = await readJob();
const n = job.x.length;
const k = job.sizes[job.sizes.length - 1];
const layers = layerParams(job.sizes, job.init);
const weight = (i: number) => tf.tensor2d(Array.from(layers[i].w), [layers[i].nin, layers[i].nout]);
const bias = (i: number) => tf.tensor1d(Array.from(layers[i].b));
const ws = layers.map((_, i) => tf.variable(weight(i)));
const bs = layers.map((_, i) => tf.variable(bias(i)));
const vars: tf.Variable[] = [...ws, ...bs];
const x = tf.tensor2d(job.x);
const target = job.loss === "svm"
  ? tf.tensor2d(job.y.map((c) => [c === 1 ? 1 : -1]))
  : tf.oneHot(tf.tensor1d(job.y, "int32"), k).toFloat();
const last = layers.length - 1;

function lossFn(): tf.Scalar {
  let h: tf.Tensor2D = x;
  for (let l = 0; l <= last; l++) {
    const z: tf.Tensor2D = tf.add(tf.matMul(h, ws[l]), bs[l]);
    h = l < last ? tf.relu(z) : z;
  }
  const perSample = job.loss === "svm"
    ? tf.relu(tf.sub(1, tf.mul(target, h)))
    : tf.sub(tf.logSumExp(h, 1), tf.sum(tf.mul(h, target), 1));
  const data = tf.div(tf.sum(perSample), n);
  const reg = tf.addN(vars.map((v) => tf.sum(tf.square(v))));
  return tf.add(data, tf.mul(job.alpha, reg)) as tf.Scalar;
}

const optimizer = tf.train.sgd(1);
const stepper: JobStepper = {
  reset() {
    tf.tidy(() => {
      layers.forEach((_, i) => {
        ws[i].assign(weight(i));
        bs[i].assign(bias(i));
      });
    });
  },
  step(lr) {
    optimizer.setLearningRate(lr);
    const loss = optimizer.minimize(lossFn, true, vars)!;
    const value = loss.dataSync()[0];
    loss.dispose();
    return value;
  },
};

const { times, losses } = runJob(job, stepper);
const result: JobResult = {
  system: "TF.js",
  version: `${tf.version_core} (wasm, SIMD: ${tf.env().getBool("WASM_HAS_SIMD_SUPPORT")})`,
  dtype: "float32",
  threads: 1,
  times,
  losses,
};
console.log(JSON.stringify(result));
