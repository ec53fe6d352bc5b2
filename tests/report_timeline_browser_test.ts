import assert from "node:assert/strict";
import { Mlp, Rng } from "../mod.ts";
import { loadChartJs } from "../cli/_chart_js.ts";
import { renderPage, snapshotJson } from "../cli/report.ts";
import type { ReportPayload } from "../cli/page/data.ts";
import { gridBounds } from "../workers/grid.ts";
import { timelineSteps } from "../workers/snapshots.ts";
import { type BrowserPage, IGNORE_BROWSER_TESTS, moveTimeline, openPage } from "./_chromium.ts";
import { runCli } from "./_cli.ts";
import { short } from "../cli/page/_dom.ts";

/** Opens `url` as a 390x844 phone (mobile emulation) or a 1440x900 desktop, light or dark. */
async function open(
  url: string,
  options: { phone?: boolean; dark?: boolean } = {},
): Promise<BrowserPage> {
  const page = await openPage(url, { viewport: { width: 1440, height: 900 } });
  if (options.phone) {
    await page.page.setViewport({
      width: 390,
      height: 844,
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 3,
    });
  }
  await page.page.emulateMediaFeatures([
    { name: "prefers-color-scheme", value: options.dark ? "dark" : "light" },
  ]);
  if (options.phone || options.dark) await page.page.reload({ waitUntil: "load" });
  await page.waitFor(`document.querySelector("#status")?.dataset.step !== undefined`);
  return page;
}

/** A page expression: moves the slider to `position` (0 to 1000) as a user would. */
function slide(position: number): string {
  return `new Promise((resolve) => {
    const s = document.getElementById("timeline");
    s.value = String(${position});
    s.dispatchEvent(new Event("input", { bubbles: true }));
    requestAnimationFrame(() => requestAnimationFrame(() => resolve(s.value)));
  })`;
}

const STATUS = `(() => {
  const s = document.getElementById("status");
  return { text: s.textContent, step: s.dataset.step, loss: s.dataset.loss,
    headline: document.getElementById("headline").textContent,
    valuetext: document.getElementById("timeline").getAttribute("aria-valuetext"),
    marker: Chart.getChart("loss-chart").$marker };
})()`;

const CONFUSION =
  `Array.from(document.querySelectorAll("#confusion td"), (td) => Number(td.textContent))`;

/** A column of history.csv by step, as the text the file holds. */
async function csvColumn(file: string, name: string): Promise<Map<string, string>> {
  const [head, ...rows] = (await Deno.readTextFile(file)).trimEnd().split("\n");
  const col = head.split(",").indexOf(name);
  return new Map(rows.map((r) => [r.split(",")[0], r.split(",")[col]]));
}

/** A classification run's page data of `steps` steps (done `done`), its loss reaching 0 at `zeroFrom`. */
function longPayload(steps: number, done: number, zeroFrom: number): ReportPayload {
  const rng = new Rng(3);
  const x = Array.from({ length: 60 }, () => [rng.uniform(-1, 1), rng.uniform(-1, 1)]);
  const y = x.map((p) => p[0] * p[1] > 0 ? 1 : 0);
  const params = new Mlp(2, [4, 1], { seed: 2 }).parameters().map((p) => p.data);
  const moments = timelineSteps(steps, 48).filter((s) => s <= done);
  if (moments.at(-1) !== done) moments.push(done);
  const history = Array.from({ length: 2000 }, (_, i) => Math.round(1 + i * (done - 1) / 1999));
  const loss = history.map((s) => s >= zeroFrom ? 0 : 1 / Math.sqrt(s));
  return {
    info: {
      dataset: "xor",
      problem: "classification",
      featureNames: ["x1", "x2"],
      inputNames: ["x1", "x2"],
      classNames: ["0", "1"],
      steps,
      model: { nin: 2, nouts: [4, 1], activation: "relu", outputActivation: "linear" },
      loss: "svm",
      l2: 0,
      points: { x, y, test: x.map(() => false) },
      bounds: gridBounds(x),
      gridSize: 30,
    },
    history: {
      step: history,
      loss,
      dataLoss: loss,
      accuracy: history.map(() => 0.9),
      lr: history.map((s) => 1 - 0.9 * s / steps),
      testLoss: history.map(() => null),
      testAccuracy: history.map(() => null),
    },
    snapshots: moments.map((step, k) =>
      snapshotJson({
        step,
        params: Float64Array.from(params, (p) => p * (1 + k / 10)),
        grads: new Float64Array(params.length),
      })
    ),
    end: {
      status: "cancelled",
      statusText: `Cancelled at step ${done.toLocaleString("en-US")} of ${
        steps.toLocaleString("en-US")
      }`,
      headline: "train accuracy 90.0%",
      summary: [["Status", "cancelled"]],
      command: "deno task train --dataset xor",
      confusion: { train: [[27, 3], [3, 27]] },
    },
  };
}

Deno.test({
  name:
    "the report's timeline drives the whole page, by keys and touch, on a phone and in the dark",
  ignore: IGNORE_BROWSER_TESTS,
  async fn(t) {
    const cwd = await Deno.makeTempDir({ prefix: "denograd_timeline_" });
    try {
      const r = await runCli(
        ["train", "--test-fraction", "0.2", "--out", "moons", "--quiet"],
        { cwd },
      );
      assert.equal(r.code, 0, r.stderr);
      const url = `file://${cwd}/moons/report.html`;
      const losses = await csvColumn(`${cwd}/moons/history.csv`, "loss");

      await t.step(
        "a quarter along the slider is step ~25 of 100, and #status says so",
        async () => {
          const page = await open(url);
          try {
            const end = await page.evaluate<Record<string, string>>(STATUS);
            assert.equal(end.text, "Completed 100 steps");
            assert.equal(end.step, "100");
            assert.equal(end.loss, losses.get("100"));
            const finalMatrix = await page.evaluate<number[]>(CONFUSION);
            await page.evaluate(slide(250));
            const at = await page.evaluate<Record<string, string | number>>(STATUS);
            const step = Number(at.step);
            assert.ok(Math.abs(step - 25) <= 3, `step ${step}`);
            assert.equal(at.text, `Step ${step}`);
            assert.equal(at.loss, losses.get(String(step)), "the loss history.csv has");
            const dataLoss = Number((await csvColumn(`${cwd}/moons/history.csv`, "data_loss")).get(
              String(step),
            ));
            assert.match(
              String(at.headline),
              new RegExp(`^train loss ${short(dataLoss)} · train accuracy [\\d.]+% · test loss`),
            );
            assert.equal(at.valuetext, `After step ${step} of 100`);
            assert.equal(at.marker, step);
            // The confusion matrices (train and test) follow the moment: 80 + 20 points.
            const before = await page.evaluate(moveTimeline(0)).then(() =>
              page.evaluate<number[]>(CONFUSION)
            );
            assert.equal(before.reduce((a, b) => a + b, 0), 100);
            assert.notDeepEqual(before, finalMatrix);
            assert.equal(
              await page.evaluate(`document.getElementById("confusion-note").textContent`),
              "Before training.",
            );
            assert.equal(
              await page.evaluate(`document.getElementById("status").dataset.step`),
              "0",
            );
            assert.deepEqual(page.consoleErrors, []);
          } finally {
            await page.close();
          }
        },
      );

      await t.step("the keys go moment by moment; Play is a toggle button", async () => {
        const page = await open(url);
        try {
          const steps = await page.evaluate<number[]>(
            `Array.from(document.getElementById("timeline").list.options, (o) => Number(o.value))`,
          );
          await page.evaluate(`document.getElementById("timeline").focus()`);
          await page.page.keyboard.press("ArrowLeft");
          const back = await page.evaluate<Record<string, string>>(STATUS);
          assert.ok(Number(back.step) < 100 && Number(back.step) >= 90, back.step);
          assert.equal(back.loss, losses.get(back.step));
          await page.page.keyboard.press("Home");
          assert.equal(await page.evaluate(`document.getElementById("status").dataset.step`), "0");
          await page.page.keyboard.press("End");
          assert.equal(
            await page.evaluate(`document.getElementById("status").textContent`),
            "Completed 100 steps",
          );
          assert.ok(steps.length >= 30);
          const play = `document.getElementById("play").getAttribute("aria-pressed")`;
          assert.equal(await page.evaluate(play), "false");
          await page.evaluate(`document.getElementById("play").click()`);
          assert.equal(await page.evaluate(play), "true");
          await page.evaluate(`document.getElementById("play").click()`);
          assert.equal(await page.evaluate(play), "false");
          // The boundary's read-out: focus and arrows (no mouse).
          await page.evaluate(`document.getElementById("boundary").focus()`);
          await page.page.keyboard.press("ArrowRight");
          assert.match(
            await page.evaluate<string>(`document.getElementById("readout").textContent`),
            /x1 = -?[\d.]+.*predicted [01]/,
          );
          assert.deepEqual(page.consoleErrors, []);
        } finally {
          await page.close();
        }
      });

      await t.step("a phone: no sideways scroll; a tap reads the boundary out", async () => {
        const page = await open(url, { phone: true });
        try {
          const w = await page.evaluate<{ scroll: number; inner: number }>(
            `({ scroll: document.documentElement.scrollWidth, inner: innerWidth })`,
          );
          assert.deepEqual(w, { scroll: 390, inner: 390 });
          const box = await page.evaluate<{ x: number; y: number; w: number }>(`(() => {
            document.getElementById("boundary").scrollIntoView();
            const r = document.getElementById("boundary").getBoundingClientRect();
            return { x: r.left, y: r.top, w: r.width };
          })()`);
          await page.page.touchscreen.tap(box.x + box.w / 2, box.y + box.w / 2);
          assert.match(
            await page.evaluate<string>(`document.getElementById("readout").textContent`),
            /predicted [01]/,
          );
          assert.deepEqual(page.consoleErrors, []);
        } finally {
          await page.close();
        }
      });

      await t.step("dark mode: the page, its canvases and its charts turn dark", async () => {
        const look = `(() => {
          const c = document.getElementById("boundary");
          const px = c.getContext("2d").getImageData(1, 1, 1, 1).data;
          return { body: getComputedStyle(document.body).backgroundColor,
            corner: px[0] + px[1] + px[2], chart: Chart.defaults.color };
        })()`;
        const light = await open(url);
        const dark = await open(url, { dark: true });
        try {
          const a = await light.evaluate<{ body: string; corner: number; chart: string }>(look);
          const b = await dark.evaluate<{ body: string; corner: number; chart: string }>(look);
          assert.notEqual(a.body, b.body);
          const sum = (c: string) =>
            c.match(/\d+/g)!.slice(0, 3).map(Number).reduce((x, y) => x + y);
          assert.ok(sum(a.body) > 600 && sum(b.body) < 150, `${a.body} / ${b.body}`);
          assert.ok(a.corner > 700 && b.corner < 150, `canvas paper ${a.corner} / ${b.corner}`);
          assert.notEqual(a.chart, b.chart);
          assert.deepEqual(dark.consoleErrors, []);
        } finally {
          await light.close();
          await dark.close();
        }
      });
    } finally {
      await Deno.remove(cwd, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "a failed 1-step run shows its one step as a marker and no model drawn from exploded weights",
  ignore: IGNORE_BROWSER_TESTS,
  async fn() {
    const cwd = await Deno.makeTempDir({ prefix: "denograd_failed_" });
    try {
      const r = await runCli(["train", "--lr", "1e6", "--out", "failed", "--quiet"], { cwd });
      assert.equal(r.code, 1, r.stderr);
      const page = await open(`file://${cwd}/failed/report.html`, { phone: true });
      try {
        const status = await page.evaluate<string>(`document.getElementById("status").textContent`);
        assert.match(status, /^Failed after 1 step: /);
        assert.doesNotMatch(status, /\d{9}|\.\d{6}/, "no raw 16-digit numbers");
        // The one step is a marker: inked where Chart.js puts the point.
        const marker = await page.evaluate<{ radius: number; ink: number }>(`(() => {
          const chart = Chart.getChart("loss-chart");
          const p = chart.getDatasetMeta(0).data[0];
          const r = chart.currentDevicePixelRatio; // The page caps it (2 at most, cli/page/_dom.ts).
          const d = chart.ctx.getImageData(Math.round(p.x * r) - 1, Math.round(p.y * r) - 1, 3, 3).data;
          let ink = 0;
          for (let i = 3; i < d.length; i += 4) ink += d[i];
          return { radius: chart.data.datasets[0].pointRadius, ink };
        })()`);
        assert.ok(marker.radius >= 3, `radius ${marker.radius}`);
        assert.ok(marker.ink > 255 * 4, `ink ${marker.ink}`);
        const shown = await page.evaluate<{ svg: boolean; note: string; confusion: string }>(`({
          svg: !!document.querySelector("#network svg"),
          note: document.getElementById("network-note").textContent,
          confusion: document.getElementById("confusion").textContent,
        })`);
        assert.deepEqual(shown, {
          svg: false,
          note: "Not shown: the run has no usable model.",
          confusion: "Not shown: the run has no usable model.",
        });
        assert.equal(
          await page.evaluate(`document.documentElement.scrollWidth`),
          390,
        );
        assert.deepEqual(page.consoleErrors, []);
      } finally {
        await page.close();
      }
    } finally {
      await Deno.remove(cwd, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "a long cancelled run: log step axes whose labels never collide, a timeline over the steps done, zeros said",
  ignore: IGNORE_BROWSER_TESTS,
  async fn(t) {
    const dir = await Deno.makeTempDir({ prefix: "denograd_long_" });
    const chartJs = await loadChartJs();
    try {
      const file = `${dir}/long.html`;
      const data = longPayload(1_000_000, 300_000, 200_000);
      await Deno.writeTextFile(file, renderPage({ chartJs, title: "t", report: data }));
      for (const phone of [false, true]) {
        await t.step(phone ? "on a phone" : "on a desktop", async () => {
          const page = await open(`file://${file}`, { phone });
          try {
            const labels = await page.evaluate<
              { type: string; boxes: { label: string; left: number; right: number }[] }
            >(`(() => {
              const s = Chart.getChart("loss-chart").scales.x;
              const ctx = s.ctx;
              ctx.save();
              ctx.font = Chart.helpers.toFont(s.options.ticks.font).string;
              const boxes = s.ticks.map((t, i) => {
                const label = String(t.label ?? "");
                const w = ctx.measureText(label).width;
                const x = s.getPixelForTick(i);
                return { label, left: x - w / 2, right: x + w / 2 };
              }).filter((b) => b.label !== "");
              ctx.restore();
              return { type: s.type, boxes };
            })()`);
            assert.equal(labels.type, "logarithmic");
            assert.ok(labels.boxes.length >= 4, JSON.stringify(labels.boxes));
            for (let i = 1; i < labels.boxes.length; i++) {
              const [a, b] = [labels.boxes[i - 1], labels.boxes[i]];
              assert.ok(a.right + 2 <= b.left, `${a.label} and ${b.label} collide`);
            }
            assert.deepEqual(labels.boxes.map((b) => b.label).slice(-2), ["10k", "100k"]);
            const slider = await page.evaluate<Record<string, string>>(
              `({ ...document.getElementById("timeline").dataset })`,
            );
            assert.equal(slider.scale, "log");
            assert.equal(slider.maxStep, "300000", "the steps done, not the 1,000,000 planned");
            // Half way along a log slider: about sqrt(300,000), the moment nearest it.
            await page.evaluate(slide(500));
            const step = Number(
              await page.evaluate(`document.getElementById("status").dataset.step`),
            );
            const moments = data.snapshots.map((s) => s.step);
            const want = Math.expm1(Math.log1p(300_000) / 2);
            const nearest = moments.reduce((a, b) =>
              Math.abs(Math.log1p(b) - Math.log1p(want)) <
                  Math.abs(Math.log1p(a) - Math.log1p(want))
                ? b
                : a
            );
            assert.equal(step, nearest);
            // The loss is exactly 0 from step 200,000: the log scale leaves gaps, and says so.
            await page.evaluate(`document.getElementById("loss-log").click()`);
            const log = await page.evaluate<
              { type: string; nulls: number; gapsAreZeros: boolean; zeros: number; note: string }
            >(`(() => {
              const c = Chart.getChart("loss-chart");
              const d = c.data.datasets[0].data;
              return { type: c.options.scales.y.type, nulls: d.filter((p) => p.y === null).length,
                gapsAreZeros: d.every((p) => (p.x >= 200000) === (p.y === null)),
                zeros: d.filter((p) => p.y === 0).length,
                note: document.getElementById("loss-note").textContent };
            })()`);
            assert.equal(log.type, "logarithmic");
            assert.equal(log.zeros, 0);
            assert.ok(log.nulls > 100, `gaps: ${log.nulls}`);
            assert.ok(log.gapsAreZeros, "the gaps are the steps of loss 0, and only they");
            assert.match(log.note, /exactly 0 at [\d,]+ steps drawn, from step 200,\d{3}/);
            assert.ok(
              await page.evaluate<number>(`document.documentElement.scrollWidth`) <=
                (phone ? 390 : 1440),
            );
            assert.deepEqual(page.consoleErrors, []);
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
