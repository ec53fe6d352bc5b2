/**
 * The learning-rate sweep behind `nn/train/default_lr.ts`: every loss x
 * activation x optimizer, on moons, circles, xor and spiral with the CLI's
 * defaults otherwise (100 samples, noise 0.1, 16,16 hidden, L2 1e-4, 100
 * full-batch steps, linear decay), over a grid of learning rates and three
 * seeds. For each combination it prints the rate with the best mean final
 * accuracy (a rate within 1 point of the best that is smaller is preferred:
 * it is further from diverging) and the accuracy the current table gives.
 *
 * ```sh
 * deno run --allow-read bench/lr_sweep.ts            # the whole sweep, a few minutes
 * deno run --allow-read bench/lr_sweep.ts --quick    # one seed
 * ```
 *
 * @module
 */
import { evaluate, Mlp, trainSteps } from "../mod.ts";
import { defaultLr } from "../nn/train/default_lr.ts";
import { setUpRun } from "../cli/setup.ts";
import type { LossName } from "../nn/model/losses.ts";
import type { OptimizerName } from "../mod.ts";

const LOSSES: LossName[] = ["svm", "mse", "bce", "ce"];
const ACTIVATIONS = ["relu", "tanh", "sigmoid", "linear"] as const;
const OPTIMIZERS: OptimizerName[] = ["sgd", "momentum", "adam", "adamw"];
const DATASETS = ["moons", "circles", "xor", "spiral"];
const LRS = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const SEEDS = Deno.args.includes("--quick") ? [1337] : [1337, 1, 2];

type Activation = typeof ACTIVATIONS[number];

/** Final train accuracy of one run, or NaN when it diverged or was refused. */
async function run(
  dataset: string,
  loss: LossName,
  activation: Activation,
  optimizer: OptimizerName,
  lr: number,
  seed: number,
): Promise<number> {
  let setup;
  try {
    setup = await setUpRun({ dataset, loss, activation, optimizer, lr, seed });
  } catch {
    return NaN; // The CLI refuses this combination (e.g. bce with 3 classes).
  }
  const c = setup.config;
  const model = new Mlp(setup.nin, setup.nouts, { activation, seed });
  let first = NaN;
  try {
    for (
      const m of trainSteps(model, setup.train, {
        loss,
        optimizer,
        lr,
        lrSchedule: c.lrSchedule,
        steps: c.steps,
        batchSize: c.batchSize,
        l2: c.l2,
        seed,
      })
    ) {
      if (Number.isNaN(first)) first = m.loss;
      // Divergence as the CLI judges it: non-finite, or grown by orders of magnitude.
      if (!Number.isFinite(m.loss) || m.loss > 100 * Math.max(first, 1e-3)) return NaN;
    }
    const e = evaluate(model, setup.train, { loss });
    return Number.isFinite(e.loss) ? e.accuracy ?? NaN : NaN;
  } catch {
    return NaN;
  }
}

/** Mean accuracy over datasets and seeds; a diverged run counts as 0, a refused one is skipped. */
async function score(
  loss: LossName,
  activation: Activation,
  optimizer: OptimizerName,
  lr: number,
): Promise<{ mean: number; diverged: number; runs: number; perDataset: number[] }> {
  let total = 0;
  let n = 0;
  let diverged = 0;
  const perDataset: number[] = [];
  for (const dataset of DATASETS) {
    let sum = 0;
    let count = 0;
    for (const seed of SEEDS) {
      const acc = await run(dataset, loss, activation, optimizer, lr, seed);
      if (Number.isNaN(acc)) {
        // Refused (setUpRun) vs diverged: a refused combination never trains.
        const refused = await setUpRun({ dataset, loss, activation, optimizer, lr, seed })
          .then(() => false, () => true);
        if (refused) continue;
        diverged++;
      }
      const a = Number.isNaN(acc) ? 0 : acc;
      sum += a;
      count++;
    }
    if (count > 0) {
      perDataset.push(sum / count);
      total += sum;
      n += count;
    } else perDataset.push(NaN);
  }
  return { mean: n ? total / n : NaN, diverged, runs: n, perDataset };
}

/**
 * The rate to recommend: among rates that never diverged and whose next
 * larger rate on the grid diverged in at most a quarter of its runs (a margin; so the largest
 * rate of the grid is never picked), the best mean accuracy. The
 * optimizer's old default stays when it never diverged and is within 2
 * point of that.
 */
function recommend(
  scores: { lr: number; mean: number; diverged: number; runs: number }[],
  oldDefault: number,
): { lr: number; mean: number } {
  const safe = scores.filter((s, i) =>
    s.diverged === 0 && scores[i + 1] !== undefined && scores[i + 1].diverged <= s.runs / 4
  );
  const pool = safe.length > 0 ? safe : scores.filter((s) => s.diverged === 0);
  const best = pool.reduce((a, b) => (b.mean > a.mean + 1e-9 ? b : a));
  const old = scores.find((s) => s.lr === oldDefault && s.diverged === 0);
  return old !== undefined && old.mean >= best.mean - 0.02 ? old : best;
}

const OLD_DEFAULT: Record<OptimizerName, number> = {
  sgd: 1,
  momentum: 0.1,
  adam: 0.01,
  adamw: 0.01,
};
const table: Record<string, Record<string, Record<string, number>>> = {};
const all: unknown[] = [];
console.log(
  "optimizer loss activation | recommended lr (mean acc) | table lr (mean acc; per dataset)",
);
for (const optimizer of OPTIMIZERS) {
  table[optimizer] = {};
  for (const loss of LOSSES) {
    table[optimizer][loss] = {};
    for (const activation of ACTIVATIONS) {
      const scores = [];
      for (const lr of LRS) scores.push({ lr, ...(await score(loss, activation, optimizer, lr)) });
      const pick = recommend(scores, OLD_DEFAULT[optimizer]);
      all.push({ optimizer, loss, activation, scores });
      table[optimizer][loss][activation] = pick.lr;
      const tableLr = defaultLr({ optimizer, loss, activation });
      const now = scores.find((s) => s.lr === tableLr) ??
        { lr: tableLr, ...(await score(loss, activation, optimizer, tableLr)) };
      console.log(
        `${optimizer} ${loss} ${activation} | ${pick.lr} (${
          (pick.mean * 100).toFixed(1)
        }%) | ${tableLr} (${(now.mean * 100).toFixed(1)}%; ${
          now.perDataset.map((a) => (a * 100).toFixed(0)).join("/")
        }; diverged ${now.diverged})`,
      );
    }
  }
}
console.log(JSON.stringify(table));
if (Deno.args.includes("--json")) console.log(JSON.stringify(all));
