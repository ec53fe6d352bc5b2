/**
 * TensorFlow.js (`@tensorflow/tfjs`) on its pure-JavaScript CPU backend, running the same
 * training step as the other systems (W1, W2: SVM loss + L2, SGD). TF.js's
 * CPU backend computes in float32 only, so its losses agree with the others
 * to about 1e-6, not to the last digit.
 *
 * @module
 */
// The union package: its Node build registers the gradients that tfjs-core's
// own Node build leaves out (tfjs-core's ESM files do not load under Deno).
import * as tf from "@tensorflow/tfjs";
import { ALPHA, EPISODE, lrAt, type Stepper, type TrainWorkload } from "./_workloads.ts";

let ready: Promise<void> | null = null;

/** Selects the CPU backend once. */
export function tfjsReady(): Promise<void> {
  ready ??= (async () => {
    // TF.js prints a hint about its Node backend when it thinks it runs in Node.
    tf.env().set("IS_NODE", false);
    await tf.setBackend("cpu");
    await tf.ready();
  })();
  return ready;
}

/** The TF.js version in use. */
export const TFJS_VERSION: string = tf.version_core;

/** Splits micrograd-ordered parameters into per-layer `[nin, nout]` weights and biases. */
function layerTensors(sizes: number[], init: number[]): { w: number[][]; b: number[] }[] {
  const layers = [];
  let at = 0;
  for (let l = 1; l < sizes.length; l++) {
    const nin = sizes[l - 1];
    const nout = sizes[l];
    const w = Array.from({ length: nin }, () => new Array<number>(nout).fill(0));
    const b = new Array<number>(nout).fill(0);
    for (let j = 0; j < nout; j++) {
      for (let i = 0; i < nin; i++) w[i][j] = init[at++];
      b[j] = init[at++];
    }
    layers.push({ w, b });
  }
  return layers;
}

/**
 * A TF.js stepper for a one-output SVM workload (W1, W2). Call
 * {@linkcode tfjsReady} first.
 */
export function tfjsStepper(wl: TrainWorkload): Stepper {
  if (wl.loss !== "svm") throw new RangeError("the TF.js stepper runs SVM workloads only");
  const init = layerTensors(wl.sizes, wl.init);
  const vars: tf.Variable[] = init.flatMap(({ w, b }) => [
    tf.variable(tf.tensor2d(w)) as tf.Variable,
    tf.variable(tf.tensor1d(b)) as tf.Variable,
  ]);
  const x = tf.tensor2d(wl.data.x);
  const y = tf.tensor2d(wl.data.y.map((c) => [c === 1 ? 1 : -1]));
  const optimizer = tf.train.sgd(1.0);
  const last = init.length - 1;
  const lossFn = (): tf.Scalar => {
    let h: tf.Tensor = x;
    for (let l = 0; l <= last; l++) {
      const z = tf.add(tf.matMul(h as tf.Tensor2D, vars[2 * l] as tf.Tensor2D), vars[2 * l + 1]);
      h = l < last ? tf.relu(z) : z;
    }
    const data = tf.mean(tf.relu(tf.sub(1, tf.mul(y, h))));
    const reg = tf.addN(vars.map((v) => tf.sum(tf.square(v))));
    return tf.add(data, tf.mul(ALPHA, reg)) as tf.Scalar;
  };
  let k = 0;
  return {
    step() {
      if (k % EPISODE === 0) {
        init.forEach(({ w, b }, l) => {
          tf.tidy(() => {
            vars[2 * l].assign(tf.tensor2d(w));
            vars[2 * l + 1].assign(tf.tensor1d(b));
          });
        });
      }
      optimizer.setLearningRate(lrAt(k++ % EPISODE));
      const loss = optimizer.minimize(lossFn, true, vars)!;
      const value = loss.dataSync()[0];
      loss.dispose();
      return value;
    },
  };
}
