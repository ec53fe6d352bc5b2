import assert from "node:assert/strict";
import { ACTIVATIONS, defaultLr, evaluate, Mlp, trainSteps } from "../mod.ts";
import { setUpRun } from "../cli/setup.ts";

const LOSSES = ["svm", "mse", "bce", "ce"] as const;
// The CLI's default optimizer and the adaptive one; bench/lr_sweep.ts covers all four.
const OPTIMIZERS = ["sgd", "adam"] as const;

Deno.test("with its default learning rate every loss and activation trains moons (sgd, adam)", async () => {
  const failures: string[] = [];
  for (const optimizer of OPTIMIZERS) {
    for (const loss of LOSSES) {
      for (const activation of ACTIVATIONS) {
        const lr = defaultLr({ optimizer, loss, activation });
        const setup = await setUpRun({ loss, activation, optimizer, lr });
        const model = new Mlp(setup.nin, setup.nouts, { activation, seed: setup.config.seed });
        let first = NaN;
        let worst = 0;
        for (
          const m of trainSteps(model, setup.train, {
            loss,
            optimizer,
            lr,
            lrSchedule: setup.config.lrSchedule,
            steps: setup.config.steps,
            l2: setup.config.l2,
            seed: setup.config.seed,
          })
        ) {
          if (Number.isNaN(first)) first = m.loss;
          worst = Math.max(worst, m.loss / first);
        }
        const { accuracy } = evaluate(model, setup.train, { loss });
        // Moons is nearly linearly separable: even a linear model gets past 80%.
        if (!(worst < 100) || !(accuracy! >= 0.8)) {
          failures.push(
            `${optimizer} ${loss} ${activation} lr ${lr}: ${accuracy} (loss x${worst})`,
          );
        }
      }
    }
  }
  assert.deepEqual(failures, []);
});

Deno.test("defaultLr falls back to the optimizer's base rate and refuses an unknown optimizer", () => {
  assert.equal(defaultLr({ optimizer: "adam", loss: "huber", activation: "relu" }), 0.01);
  assert.equal(defaultLr({ optimizer: "sgd", loss: "svm", activation: "swish" }), 1);
  assert.equal(defaultLr({ optimizer: "momentum", loss: "mse", activation: "linear" }), 0.01);
  assert.throws(
    () => defaultLr({ optimizer: "rmsprop", loss: "svm", activation: "relu" }),
    RangeError,
  );
  assert.throws(
    () => defaultLr({ optimizer: "toString", loss: "svm", activation: "relu" }),
    RangeError,
  );
});
