import assert from "node:assert/strict";
import { IGNORE_BROWSER_TESTS, openPage } from "./_chromium.ts";
import { inTempDir, lines, runCli } from "./_cli.ts";
import { ModelFileSchema } from "../cli/model_file.ts";
import { CURVE_POINTS } from "../cli/compare.ts";
import type { ComparePayload } from "../cli/compare_page/data.ts";
import { classColour, rgbOf, ZERO } from "../nn/draw/palette.ts";
import { contrast } from "./_helpers.ts";

/** The `data-run` of the rows shown, in order. */
const ROWS = `[...document.querySelectorAll("#runs tbody tr")].map((tr) => tr.dataset.run)`;

/** The RGBA bytes of each run's boundary thumbnail, as drawn in the page. */
const THUMB_PIXELS = `[...document.querySelectorAll("img.thumb")].map((img) => {
  const c = document.createElement("canvas");
  c.width = img.naturalWidth;
  c.height = img.naturalHeight;
  const ctx = c.getContext("2d");
  ctx.drawImage(img, 0, 0);
  return [...ctx.getImageData(0, 0, c.width, c.height).data];
})`;

/** The y values of each curve of a chart. */
const curves = (id: string) =>
  `Chart.getChart(document.getElementById("${id}")).data.datasets.map((d) => d.data.map((p) => p.y))`;

Deno.test({
  name:
    "the compare page shows a row per run, sorts, filters, pins a baseline and smooths only the curves",
  ignore: IGNORE_BROWSER_TESTS,
  async fn() {
    await inTempDir(async (cwd) => {
      const r = await runCli([
        "sweep",
        ...["--lr", "0.05", "--lr", "0.5", "--seed", "1", "--seed", "2"],
        ...["--samples", "40", "--steps", "12", "--out", "s", "--quiet"],
      ], { cwd });
      assert.equal(r.code, 0, r.stderr);
      // `compare` over the sweep's folder writes the same page as the sweep did.
      const page = Deno.readTextFileSync(`${cwd}/s/compare.html`);
      const c = await runCli(["compare", "s", "--out", "again.html"], { cwd });
      assert.equal(c.code, 0, c.stderr);
      assert.equal(lines(c.stdout).at(-1), "again.html");
      const losses = new Map<string, number>();
      for (const t of ["trial-000", "trial-001", "trial-002", "trial-003"]) {
        const run = ModelFileSchema.parse(
          JSON.parse(Deno.readTextFileSync(`${cwd}/s/${t}/model.json`)),
        );
        losses.set(t, run.final!.trainLoss);
      }
      assert.ok(page.length < 400_000, `${page.length} bytes`);
      await using p = await openPage(`file://${cwd}/s/compare.html`, {
        viewport: { width: 1440, height: 900 },
      });
      await p.waitFor("document.body.dataset.ready");
      assert.deepEqual(await p.evaluate(ROWS), [...losses.keys()]);
      // Sorting by the final loss, then the other way.
      await p.page.click(`th[data-sort="finalLoss"]`);
      const ascending = [...losses.keys()].sort((a, b) => losses.get(a)! - losses.get(b)!);
      assert.deepEqual(await p.evaluate(ROWS), ascending);
      await p.page.click(`th[data-sort="finalLoss"]`);
      assert.deepEqual(await p.evaluate(ROWS), [...ascending].reverse());
      // The table shows the raw figure: the final loss cell of each row.
      const cells = await p.evaluate<string[]>(
        `[...document.querySelectorAll("#runs tbody tr")].map((tr) => tr.cells[tr.cells.length - 6].textContent)`,
      );
      assert.deepEqual(cells, [...ascending].reverse().map((t) => losses.get(t)!.toPrecision(4)));
      // Four curves per chart; smoothing changes them, not the table.
      const raw = await p.evaluate<number[][]>(curves("loss-curves"));
      assert.equal(raw.length, 4);
      assert.equal(raw[0].length, 12);
      const table = await p.evaluate<string>(`document.getElementById("runs").textContent`);
      await p.evaluate(
        `(() => { const s = document.getElementById("smoothing"); s.value = "0.9"; s.dispatchEvent(new Event("input")); })()`,
      );
      const smooth = await p.evaluate<number[][]>(curves("loss-curves"));
      assert.equal(smooth[0][0], raw[0][0]);
      assert.notDeepEqual(smooth, raw);
      assert.equal(await p.evaluate(`document.getElementById("runs").textContent`), table);
      // Unticking a run takes its curve away.
      await p.page.click(`tr[data-run="trial-001"] input[type=checkbox]`);
      assert.equal((await p.evaluate<number[][]>(curves("metric-curves"))).length, 3);
      // Pinning a baseline puts its row first and draws it dashed.
      await p.page.click(`tr[data-run="trial-002"] input[type=radio]`);
      assert.equal((await p.evaluate<string[]>(ROWS))[0], "trial-002");
      assert.deepEqual(
        await p.evaluate(
          `Chart.getChart(document.getElementById("loss-curves")).data.datasets[0].borderDash`,
        ),
        [6, 4],
      );
      // Each run's boundary: a thumbnail with both classes' colours.
      const colours = (await p.evaluate<number[][]>(THUMB_PIXELS)).map((d) => {
        let orange = 0, blue = 0;
        for (let i = 0; i < d.length; i += 4) {
          if (d[i] > d[i + 2] + 40) orange++;
          if (d[i + 2] > d[i] + 40) blue++;
        }
        return Math.min(orange, blue);
      });
      assert.equal(colours.length, 4);
      assert.ok(colours.every((n) => n > 10), colours.join());
      // Filtering by a setting.
      await p.page.select("#filter-key", "lr");
      await p.page.select("#filter-value", "0.5");
      assert.deepEqual(await p.evaluate(ROWS), ["trial-002", "trial-003"]);
      // Parallel coordinates: one line per run shown; over seeds: one row per other setting.
      assert.equal(await p.evaluate(`document.querySelectorAll("svg.pc polyline").length`), 2);
      assert.equal(await p.evaluate(`document.querySelectorAll("#seeds tr").length`), 3);
      assert.deepEqual(p.consoleErrors, []);
      // No request but the page itself (its images are data: URLs, made in the page).
      assert.deepEqual(p.requests.filter((u) => !u.startsWith("data:")), [
        `file://${cwd}/s/compare.html`,
      ]);
      // On a phone, nothing scrolls sideways but the table's own box.
      await p.page.setViewport({
        width: 390,
        height: 844,
        isMobile: true,
        hasTouch: true,
        deviceScaleFactor: 3,
      });
      await p.page.reload({ waitUntil: "load" });
      await p.waitFor("document.body.dataset.ready");
      assert.ok(await p.evaluate<number>("document.documentElement.scrollWidth") <= 390);
      assert.deepEqual(p.consoleErrors, []);
    });
  },
});

/** The pinned baseline's line colour and the page's background, both as `rgb(...)`. */
const BASELINE_ON_PAGE = `(() => {
  const set = Chart.getChart(document.getElementById("loss-curves")).data.datasets[0];
  if (set.borderDash.length === 0) throw new Error("the first curve is not the baseline");
  const probe = document.createElement("i");
  probe.style.color = set.borderColor;
  document.body.append(probe);
  const line = getComputedStyle(probe).color;
  probe.remove();
  return [line, getComputedStyle(document.body).backgroundColor];
})()`;

Deno.test({
  name: "the compare page draws the pinned baseline in the page's text colour, dark or light",
  ignore: IGNORE_BROWSER_TESTS,
  async fn() {
    await inTempDir(async (cwd) => {
      const r = await runCli([
        "sweep",
        ...["--lr", "0.05", "--lr", "0.5", "--samples", "40", "--steps", "6", "--out", "s"],
        "--quiet",
      ], { cwd });
      assert.equal(r.code, 0, r.stderr);
      await using p = await openPage(`file://${cwd}/s/compare.html`);
      const scheme = (value: string) =>
        p.page.emulateMediaFeatures([{ name: "prefers-color-scheme", value }]);
      const pin = async () => {
        await p.waitFor("document.body.dataset.ready");
        await p.page.click(`tr[data-run="trial-001"] input[type=radio]`);
      };
      // The page hears of a new scheme a moment after it is emulated: up to 5 s to redraw.
      const check = async (mode: string) => {
        const end = Date.now() + 5000;
        for (;;) {
          const [line, paper] = await p.evaluate<[string, string]>(BASELINE_ON_PAGE);
          const ratio = contrast(line, paper);
          if (ratio >= 3) return line;
          assert.ok(
            Date.now() < end,
            `${mode}: the baseline ${line} on ${paper}, contrast ${ratio}`,
          );
          await new Promise((ok) => setTimeout(ok, 50));
        }
      };
      await scheme("light");
      await pin();
      const light = await check("light");
      // The scheme changing redraws the baseline in the new colours...
      await scheme("dark");
      const dark = await check("dark, after the change");
      assert.notEqual(dark, light);
      // ...and a page opened in dark mode draws it so from the start.
      await p.page.reload({ waitUntil: "load" });
      await pin();
      assert.equal(await check("dark, from the start"), dark);
      await scheme("light");
      assert.equal(await check("light again"), light);
      assert.deepEqual(p.consoleErrors, []);
    });
  },
});

/**
 * `n` run folders in `dir`, copies of the run in `from` with other lr and
 * seed values in their model.json: as many runs as a big sweep, made quickly.
 */
function copyRuns(from: string, dir: string, n: number): void {
  const model = JSON.parse(Deno.readTextFileSync(`${from}/model.json`));
  const history = Deno.readTextFileSync(`${from}/history.csv`);
  Deno.mkdirSync(dir);
  for (let i = 0; i < n; i++) {
    model.config.lr = Number((10 ** (-3 + 3 * ((i * 37) % 100) / 100)).toPrecision(3));
    model.config.seed = 1 + (i % 5);
    const run = `${dir}/run-${String(i).padStart(4, "0")}`;
    Deno.mkdirSync(run);
    Deno.writeTextFileSync(`${run}/model.json`, JSON.stringify(model));
    Deno.writeTextFileSync(`${run}/history.csv`, history);
  }
}

Deno.test({
  name: "the compare page of 1,000 runs draws every row, with thinned curves",
  ignore: IGNORE_BROWSER_TESTS,
  async fn() {
    await inTempDir(async (cwd) => {
      const steps = 600;
      const r = await runCli(
        ["train", "--samples", "40", "--steps", String(steps), "--out", "one", "--quiet"],
        { cwd },
      );
      assert.equal(r.code, 0, r.stderr);
      copyRuns(`${cwd}/one`, `${cwd}/runs`, 1000);
      const c = await runCli(["compare", "runs", "--out", "big.html"], { cwd });
      assert.equal(c.code, 0, c.stderr);
      const html = Deno.readTextFileSync(`${cwd}/big.html`);
      const t0 = performance.now();
      await using p = await openPage(`file://${cwd}/big.html`, {
        viewport: { width: 1440, height: 900 },
      });
      await p.waitFor("document.body.dataset.ready");
      // Measured, not asserted (timings belong to benchmarks).
      const inPage = await p.evaluate<number>("Number(document.body.dataset.readyMs)");
      console.log(
        `1,000 runs: ${(html.length / 1e6).toFixed(2)} MB, ready ${inPage} ms after navigation (${
          (performance.now() - t0).toFixed(0)
        } ms after launch)`,
      );
      assert.equal(await p.evaluate(`document.querySelectorAll("[data-run]").length`), 1000);
      assert.equal(await p.evaluate(`document.querySelectorAll("svg.pc polyline").length`), 1000);
      // Each curve is thinned to CURVE_POINTS steps, the first and the last kept.
      const data = await p.evaluate<ComparePayload>(
        `JSON.parse(document.getElementById("compare-data").textContent)`,
      );
      for (const run of data.runs) {
        assert.equal(run.curve.step.length, CURVE_POINTS);
        assert.equal(run.curve.loss.length, CURVE_POINTS);
        assert.deepEqual([run.curve.step[0], run.curve.step.at(-1)], [1, steps]);
      }
      const drawn = await p.evaluate<number[]>(
        `Chart.getChart(document.getElementById("loss-curves")).data.datasets.map((d) => d.data.length)`,
      );
      assert.deepEqual(drawn, Array(8).fill(CURVE_POINTS));
      // The rows past the first screens are laid out after ready, each with its boundary.
      await p.waitFor(`![...document.querySelectorAll("[data-run]")].some((tr) => tr.hidden)`);
      assert.equal(
        await p.evaluate(`[...document.querySelectorAll("img.thumb")].filter((i) => i.src).length`),
        1000,
      );
      assert.deepEqual(p.consoleErrors, []);
    });
  },
});

Deno.test("the compare page's bundle is fresh from its sources", async () => {
  const { bundleComparePage, compareBundleModule } = await import("../cli/compare_page/build.ts");
  const current = await Deno.readTextFile(
    new URL("../cli/compare_page/_bundle.ts", import.meta.url),
  );
  assert.equal(
    current,
    compareBundleModule(await bundleComparePage()),
    "run `deno task page:compare`",
  );
});

Deno.test({
  name: "the compare page's thumbnails colour each class as the report does (3 classes)",
  ignore: IGNORE_BROWSER_TESTS,
  async fn() {
    await inTempDir(async (cwd) => {
      const r = await runCli([
        "sweep",
        ...["--dataset", "spiral", "--classes", "3", "--seed", "1", "--seed", "2"],
        ...["--samples", "60", "--steps", "40", "--out", "s", "--quiet"],
      ], { cwd });
      assert.equal(r.code, 0, r.stderr);
      await using p = await openPage(`file://${cwd}/s/compare.html`);
      await p.waitFor("document.body.dataset.ready");
      // Every pixel lies between the plane's neutral and one class's colour (the report's rule).
      const rgbs = [0, 1, 2].map((k) => rgbOf(classColour(k, 3, 3)));
      const thumbs = await p.evaluate<number[][]>(THUMB_PIXELS);
      assert.equal(thumbs.length, 2);
      const seen = new Set<number>();
      const off: number[][] = [];
      for (const d of thumbs) {
        for (let i = 0; i < d.length; i += 4) {
          const k = rgbs.findIndex((rgb) => {
            // t from the channel that moves most (the least rounding).
            const span = rgb.map((v, c) => Math.abs(v - ZERO[c]));
            const ch = span.indexOf(Math.max(...span));
            const t = (d[i + ch] - ZERO[ch]) / (rgb[ch] - ZERO[ch]);
            return t >= 0.24 && t <= 1.01 &&
              [0, 1, 2].every((c) => Math.abs(ZERO[c] + (rgb[c] - ZERO[c]) * t - d[i + c]) <= 2);
          });
          if (k >= 0) seen.add(k);
          else off.push([d[i], d[i + 1], d[i + 2]]);
        }
      }
      assert.deepEqual(off.slice(0, 5), []);
      assert.ok(seen.size >= 2, `classes seen: ${[...seen]}`);
      assert.deepEqual(p.consoleErrors, []);
    });
  },
});
