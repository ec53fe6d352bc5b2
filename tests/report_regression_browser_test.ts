import assert from "node:assert/strict";
import { Mlp, Rng } from "../mod.ts";
import { loadChartJs } from "../cli/_chart_js.ts";
import { renderPage, snapshotJson } from "../cli/report.ts";
import type { ReportPayload } from "../cli/page/data.ts";
import { gridBounds, planeCells } from "../workers/grid.ts";
import { mlpJsonOf } from "../workers/snapshots.ts";
import { IGNORE_BROWSER_TESTS, moveTimeline, openPage } from "./_chromium.ts";

/** A regression run's page data: `nin` features, targets from `f`, two timeline moments. */
function payload(nin: 1 | 2, f: (x: number[]) => number): ReportPayload {
  const rng = new Rng(5);
  const x = Array.from({ length: 80 }, () => Array.from({ length: nin }, () => rng.uniform(-2, 2)));
  const y = x.map(f);
  const shape = { nin, nouts: [8, 1], activation: "tanh", outputActivation: "linear" } as const;
  const moment = (step: number, seed: number) => {
    const params = new Mlp(nin, [8, 1], { activation: "tanh", seed }).parameters();
    return snapshotJson({
      step,
      params: Float64Array.from(params, (p) => p.data * (step === 0 ? 0.2 : 2)),
      grads: new Float64Array(params.length),
    });
  };
  const steps = Array.from({ length: 20 }, (_, i) => i + 1);
  return {
    info: {
      dataset: "<b>sine</b>",
      problem: "regression",
      featureNames: nin === 1 ? ["x"] : ["x1", "x2"],
      inputNames: nin === 1 ? ["x"] : ["x1", "x2"],
      classNames: [],
      steps: 20,
      model: shape,
      loss: "mse",
      l2: 0,
      points: { x, y, test: x.map((_, i) => i % 5 === 0) },
      ...(nin === 2 ? { bounds: gridBounds(x) } : {}),
      gridSize: 40,
    },
    history: {
      step: steps,
      loss: steps.map((s) => 1 / s),
      dataLoss: steps.map((s) => 1 / s),
      accuracy: steps.map(() => 0),
      lr: steps.map(() => 0.01),
      testLoss: steps.map((s) => 1.2 / s),
      testAccuracy: steps.map(() => null),
    },
    snapshots: [moment(0, 1), moment(10, 2), moment(20, 3)],
    end: {
      status: "completed",
      statusText: "Completed 20 steps",
      headline: "train mse 0.05",
      summary: [["Loss", "mse"]],
      command: "deno task train --dataset sine",
      fit: { truth: y, predicted: y.map((v) => v * 0.9), test: x.map((_, i) => i % 5 === 0) },
    },
  };
}

/** A page expression: keeps the pixels of canvas `id` in the page, to compare later. */
function keepPixels(id: string): string {
  return `(() => { const c = document.getElementById("${id}");
    window.kept_${id} = c.getContext("2d").getImageData(0, 0, c.width, c.height).data; return true; })()`;
}

/** A page expression: the share of the canvas's channels that differ from the kept pixels. */
function changedPixels(id: string): string {
  return `(() => { const c = document.getElementById("${id}");
    const now = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    const was = window.kept_${id};
    let n = 0;
    for (let i = 0; i < now.length; i++) if (now[i] !== was[i]) n++;
    return n / now.length; })()`;
}

Deno.test({
  name: "a regression report shows the fitted curve (1 feature) or the predicted value (2)",
  ignore: IGNORE_BROWSER_TESTS,
  async fn(t) {
    const dir = await Deno.makeTempDir({ prefix: "denograd_regression_" });
    const chartJs = await loadChartJs();
    try {
      for (const nin of [1, 2] as const) {
        await t.step(`${nin} feature(s)`, async () => {
          const data = payload(nin, (x) => nin === 1 ? Math.sin(x[0]) : x[0] * x[1]);
          const file = `${dir}/report${nin}.html`;
          await Deno.writeTextFile(file, renderPage({ chartJs, title: "t", report: data }));
          const page = await openPage(`file://${file}`);
          try {
            // A HiDPI screen: canvases hold two pixels per CSS pixel.
            await page.page.setViewport({ width: 1280, height: 900, deviceScaleFactor: 2 });
            await page.page.reload({ waitUntil: "load" });
            await page.waitFor(`document.querySelector("table.summary")`);
            const fit = await page.evaluate<
              { width: number; css: number; ticks: string; legend: string; hidden: boolean }
            >(`(() => {
              const c = document.getElementById("fit");
              return { width: c.width, css: c.getBoundingClientRect().width, ticks: c.dataset.ticks,
                legend: document.getElementById("fit-legend").textContent,
                hidden: c.parentElement.hidden };
            })()`);
            assert.equal(fit.width, Math.round(fit.css * 2), "predicted-vs-true is HiDPI");
            assert.ok(fit.ticks.split(",").length >= 3, `ticks ${fit.ticks}`);
            assert.equal(fit.legend, "traintestpredicted = true");
            assert.equal(fit.hidden, false);
            // A constant learning rate is a line of text, not a chart card.
            assert.deepEqual(
              await page.evaluate(`({
                card: document.getElementById("lr-chart").closest("section").hidden,
                note: document.getElementById("lr-note").textContent,
              })`),
              { card: true, note: "Learning rate: 0.01 at every step (constant)." },
            );
            if (nin === 2) {
              // The plane's colour scale spans the largest predicted value over the plane.
              const model = Mlp.fromJSON(
                mlpJsonOf(data.info.model, data.snapshots[2].params as number[]),
              );
              let max = 1;
              for (const cell of planeCells(data.info.bounds!, data.info.gridSize)) {
                max = Math.max(max, Math.abs(model.predict(cell)[0]));
              }
              const scale = await page.evaluate<{ min: string; max: string; hidden: boolean }>(
                `({ ...document.getElementById("plane-scale").dataset,
                  hidden: document.getElementById("plane-scale").hidden })`,
              );
              assert.equal(scale.hidden, false);
              assert.ok(Math.abs(Number(scale.max) - max) < 1e-9 * max, `${scale.max} vs ${max}`);
              assert.equal(Number(scale.min), -Number(scale.max));
            }
            await page.evaluate(keepPixels("fit"));
            const id = nin === 1 ? "curve" : "boundary";
            assert.equal(await page.evaluate(`!!document.getElementById("${id}")`), true);
            // Regression has no accuracy: its second chart is R².
            assert.match(
              await page.evaluate<string>(
                `document.getElementById("accuracy-chart").closest("section").querySelector("h2").textContent`,
              ),
              /^R²/,
            );
            assert.equal(await page.evaluate(`!!document.getElementById("fit")`), true);
            await page.evaluate(keepPixels(id));
            await page.evaluate(moveTimeline(0));
            const changed = await page.evaluate<number>(changedPixels(id));
            assert.ok(
              changed > 0.003,
              `the ${id} changes with the timeline: ${changed}`,
            );
            assert.ok(
              await page.evaluate<number>(changedPixels("fit")) > 0,
              "predicted against true follows the timeline",
            );
            assert.equal(
              await page.evaluate(`document.getElementById("confusion-note").textContent`),
              "Before training.",
            );
            const box = await page.evaluate<{ x: number; y: number; w: number }>(`(() => {
              const r = document.getElementById("${id}").getBoundingClientRect();
              return { x: r.left, y: r.top, w: r.width };
            })()`);
            await page.page.mouse.move(box.x + box.w / 2, box.y + box.w / 3);
            assert.match(
              await page.evaluate<string>(`document.getElementById("readout").textContent`),
              /predicted -?[\d.]+/,
            );
            assert.match(await page.evaluate<string>("document.title"), /<b>sine<\/b> - completed/);
            assert.deepEqual(page.consoleErrors, []);
            // Without JavaScript: a static summary, not "Loading" forever.
            await page.page.setJavaScriptEnabled(false);
            await page.page.reload({ waitUntil: "load" });
            const text = await page.evaluate<string>(`document.body.innerText`).catch(() => "");
            const html = await page.page.content();
            assert.doesNotMatch(text || html, /Loading the report…(?![^]*<\/noscript>)/);
            assert.match(
              html,
              /<noscript>[^]*Completed 20 steps[^]*deno task train --dataset sine/,
            );
          } finally {
            await page.close();
          }
        });
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
