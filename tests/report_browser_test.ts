import assert from "node:assert/strict";
import { canvasPixels, IGNORE_BROWSER_TESTS, moveTimeline, openPage } from "./_chromium.ts";
import { FIXTURES, runCli } from "./_cli.ts";

/** Counts, per canvas id, the share of pixels that are not transparent (-1: no such canvas). */
const INKED_PIXELS = `(() => {
  const out = {};
  for (const id of ["loss-chart", "accuracy-chart", "lr-chart", "boundary"]) {
    const c = document.getElementById(id);
    if (!c) { out[id] = -1; continue; }
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    out[id] = n / (c.width * c.height);
  }
  return out;
})()`;

/** How many distinct colours cover at least 2% of the boundary canvas each. */
const BOUNDARY_COLORS = `(() => {
  const c = document.getElementById("boundary");
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  const counts = new Map();
  for (let i = 0; i < d.length; i += 4) {
    const key = [d[i] >> 5, d[i + 1] >> 5, d[i + 2] >> 5].join();
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.values()].filter((n) => n > 0.02 * c.width * c.height).length;
})()`;

/** The boundary canvas's pixels, as one array. */
const BOUNDARY_PIXELS = canvasPixels("boundary");

function differing(a: number[], b: number[]): number {
  let n = 0;
  for (let i = 0; i < a.length; i += 4) {
    if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) n++;
  }
  return n / (a.length / 4);
}

async function train(cwd: string, out: string, args: string[], code = 0): Promise<string> {
  const r = await runCli(["train", ...args, "--out", out, "--quiet"], { cwd });
  assert.equal(r.code, code, r.stderr);
  return `file://${cwd}/${out}/report.html`;
}

/** A CSV of 4 features, 3 classes (by which of the first 3 features is largest). */
function fourFeatureCsv(): string {
  const lines = ["a,b,c,d,kind"];
  let s = 7;
  const rand = () => (s = (s * 16807) % 2147483647) / 2147483647;
  for (let i = 0; i < 90; i++) {
    const x = [rand(), rand(), rand(), rand()];
    const k = x.slice(0, 3).indexOf(Math.max(...x.slice(0, 3)));
    lines.push([...x.map((v) => v.toFixed(4)), ["red", "green", "blue"][k]].join(","));
  }
  return lines.join("\n") + "\n";
}

Deno.test({
  name: "the report draws the run offline: charts, boundary, network, timeline, confusion matrix",
  ignore: IGNORE_BROWSER_TESTS,
  async fn(t) {
    const cwd = await Deno.makeTempDir({ prefix: "denograd_report_" });
    try {
      await Deno.writeTextFile(`${cwd}/four.csv`, fourFeatureCsv());
      const reports = {
        moons: await train(cwd, "moons", []),
        csv: await train(cwd, "csv", [
          "--dataset",
          `${FIXTURES}/script_header.csv`,
          "--test-fraction",
          "0.25",
          "--steps",
          "40",
        ]),
        spiral: await train(cwd, "spiral", [
          "--dataset",
          "spiral",
          "--optimizer",
          "adam",
          "--lr",
          "0.03",
          "--steps",
          "60",
        ]),
        four: await train(cwd, "four", ["--dataset", `${cwd}/four.csv`, "--steps", "60"]),
        failed: await train(cwd, "failed", [
          ...["--loss", "mse", "--activation", "tanh", "--optimizer", "sgd", "--lr", "1"],
          ...["--steps", "200"],
        ], 1),
      };

      // About half of it is the playground, gzipped, that "Open in playground" unpacks.
      await t.step("the default report is under 1.25 MB", async () => {
        const size = (await Deno.stat(`${cwd}/moons/report.html`)).size;
        assert.ok(size < 1_250_000, `report.html is ${size} bytes`);
      });

      for (const [name, url] of Object.entries(reports)) {
        await t.step(`${name}: drawn with no console errors and no requests`, async () => {
          const page = await openPage(url);
          try {
            await page.waitFor(`document.querySelector("table.summary")`);
            const inked = await page.evaluate<Record<string, number>>(INKED_PIXELS);
            for (const id of ["loss-chart", "accuracy-chart", "lr-chart"]) {
              assert.ok(inked[id] > 0.01, `${id} drawn: ${inked[id]}`);
            }
            const status = await page.evaluate<string>(
              `document.getElementById("status").textContent`,
            );
            const title = await page.evaluate<string>("document.title");
            if (name === "failed") {
              assert.match(status, /^Failed after \d+ steps?: /);
              assert.match(title, /^denograd: moons - failed$/);
            } else {
              assert.match(title, / - completed$/);
            }
            if (name === "four") {
              assert.equal(inked.boundary, -1, "no boundary for 4 features");
              const cells = await page.evaluate<string[]>(
                `Array.from(document.querySelectorAll("#confusion table.confusion td"), (td) => td.textContent)`,
              );
              assert.equal(cells.length, 9, "a 3 by 3 confusion matrix");
              assert.equal(cells.map(Number).reduce((a, b) => a + b, 0), 90);
            } else if (name !== "failed") {
              assert.ok(inked.boundary > 0.99, "the boundary fills its canvas");
              const colors = await page.evaluate<number>(BOUNDARY_COLORS);
              assert.ok(colors >= (name === "spiral" ? 3 : 2), `boundary colors: ${colors}`);
              assert.ok(
                await page.evaluate<number>(`document.querySelectorAll("#confusion td").length`) >=
                  4,
                "a confusion matrix",
              );
            }
            assert.deepEqual(page.consoleErrors, []);
            // The page's CSP lets its grids' compiled model run its WebAssembly SIMD kernels.
            assert.ok(
              await page.evaluate<boolean>(
                `(() => { try { new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])); return true; } catch { return false; } })()`,
              ),
              "WebAssembly compiles under the page's Content-Security-Policy",
            );
            // data: URLs (the network's heatmaps) are not requests that leave the page.
            assert.deepEqual(
              page.requests.filter((r) => r !== url && !r.startsWith("data:")),
              [],
            );
          } finally {
            await page.close();
          }
        });
      }

      await t.step("moons: the network has one element per neuron and per weight", async () => {
        const page = await openPage(reports.moons);
        try {
          await page.waitFor(`document.querySelector("#network [data-neuron]")`);
          // The default model: 2-16-16-1.
          const counts = await page.evaluate<{ neurons: number; weights: number }>(`({
            neurons: document.querySelectorAll("#network [data-neuron]").length,
            weights: document.querySelectorAll("#network [data-weight]").length,
          })`);
          assert.deepEqual(counts, { neurons: 16 + 16 + 1, weights: 2 * 16 + 16 * 16 + 16 * 1 });
        } finally {
          await page.close();
        }
      });

      await t.step(
        "moons: moving the timeline redraws the boundary and marks the step",
        async () => {
          const page = await openPage(reports.moons);
          try {
            await page.waitFor(`document.querySelector("#network [data-neuron]")`);
            const moments = await page.evaluate<number>(
              `document.getElementById("timeline").list.options.length`,
            );
            assert.ok(moments >= 30 && moments <= 60, `timeline moments: ${moments}`);
            const last = await page.evaluate<number[]>(BOUNDARY_PIXELS);
            const lastNetwork = await page.evaluate<string>(
              `document.getElementById("network").outerHTML`,
            );
            await page.evaluate(moveTimeline(0));
            const first = await page.evaluate<number[]>(BOUNDARY_PIXELS);
            assert.ok(differing(first, last) > 0.05, `pixels changed: ${differing(first, last)}`);
            assert.notEqual(
              await page.evaluate<string>(`document.getElementById("network").outerHTML`),
              lastNetwork,
            );
            assert.equal(
              await page.evaluate<string>(`document.getElementById("timeline-step").textContent`),
              "Before training",
            );
            await page.evaluate(moveTimeline(10));
            const label = await page.evaluate<string>(
              `document.getElementById("timeline-step").textContent`,
            );
            const step = Number(label.match(/After step (\d+)/)![1]);
            assert.equal(
              await page.evaluate<number>(`Chart.getChart("loss-chart").$marker`),
              step,
            );
            // Play runs through the moments to the end.
            await page.evaluate(`document.getElementById("play").click()`);
            await page.waitFor(
              `document.getElementById("timeline").dataset.step !== "${step}"`,
              5_000,
            );
            await page.waitFor(
              `document.getElementById("timeline").value === document.getElementById("timeline").max`,
              30_000,
            );
            assert.deepEqual(page.consoleErrors, []);
          } finally {
            await page.close();
          }
        },
      );

      await t.step("moons: log scale, discretize and the hover read-out", async () => {
        const page = await openPage(reports.moons);
        try {
          await page.waitFor(`document.querySelector("#network [data-neuron]")`);
          const before = await page.evaluate<string>(
            `Chart.getChart("loss-chart").options.scales.y.type`,
          );
          await page.evaluate(`document.getElementById("loss-log").click()`);
          const after = await page.evaluate<string>(
            `Chart.getChart("loss-chart").options.scales.y.type`,
          );
          assert.notEqual(after, before);
          const smooth = await page.evaluate<number[]>(BOUNDARY_PIXELS);
          await page.evaluate(`document.getElementById("discretize").click()`);
          const flat = await page.evaluate<number[]>(BOUNDARY_PIXELS);
          assert.ok(differing(smooth, flat) > 0.1, "discretize changes the shading");
          const box = await page.evaluate<{ x: number; y: number; w: number }>(`(() => {
            const r = document.getElementById("boundary").getBoundingClientRect();
            return { x: r.left, y: r.top, w: r.width };
          })()`);
          await page.page.mouse.move(box.x + box.w / 2, box.y + box.w / 2);
          const readout = await page.evaluate<string>(
            `document.getElementById("readout").textContent`,
          );
          assert.match(readout, /x1 = -?[\d.]+, x2 = -?[\d.]+/);
          assert.match(readout, /predicted [01], score -?[\d.e+-]+/);
          assert.deepEqual(page.consoleErrors, []);
        } finally {
          await page.close();
        }
      });

      await t.step("markup in CSV headers and labels shows as text", async () => {
        const page = await openPage(reports.csv);
        try {
          await page.waitFor(`document.querySelector("table.summary")`);
          const text = await page.evaluate<string>("document.body.innerText");
          assert.ok(text.includes("<script>window.pwned=1</script>"), "the header as text");
          assert.ok(text.includes("<img src=x onerror=window.pwned=2>"), "the label as text");
          const svgText = await page.evaluate<string>(
            `document.getElementById("network").textContent`,
          );
          assert.ok(svgText.includes("<script>window.pwned=1</script>"), "the input's name");
          assert.equal(await page.evaluate("window.pwned === undefined"), true);
          assert.equal(await page.evaluate("document.querySelectorAll('script').length"), 3);
          assert.equal(await page.evaluate("document.querySelectorAll('img').length"), 0);
          assert.deepEqual(page.consoleErrors, []);
        } finally {
          await page.close();
        }
      });
    } finally {
      await Deno.remove(cwd, { recursive: true });
    }
  },
});
