import assert from "node:assert/strict";
import { chromiumPath, openPage } from "./_chromium.ts";
import { FIXTURES, runCli } from "./_cli.ts";

/** Counts, per canvas id, the pixels that are not transparent (-1: no such canvas). */
const INKED_PIXELS = `(() => {
  const out = {};
  for (const id of ["loss-chart", "accuracy-chart", "boundary"]) {
    const c = document.getElementById(id);
    if (!c) { out[id] = -1; continue; }
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    out[id] = n / (c.width * c.height);
  }
  return out;
})()`;

/** How many distinct colors cover at least 2% of the boundary canvas each. */
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

async function train(cwd: string, out: string, args: string[], code = 0): Promise<string> {
  const r = await runCli(["train", ...args, "--out", out, "--quiet"], { cwd });
  assert.equal(r.code, code, r.stderr);
  return `file://${cwd}/${out}/report.html`;
}

Deno.test({
  name: "the report draws its charts and boundary offline, with user text shown as text",
  ignore: chromiumPath() === null,
  async fn(t) {
    const cwd = await Deno.makeTempDir({ prefix: "denograd_report_" });
    try {
      const reports = {
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
        failed: await train(cwd, "failed", [
          ...["--loss", "mse", "--activation", "tanh", "--optimizer", "sgd", "--lr", "1"],
          ...["--steps", "200"],
        ], 1),
      };
      for (const [name, url] of Object.entries(reports)) {
        await t.step(`${name}: charts and boundary are drawn, no errors, no requests`, async () => {
          const page = await openPage(url);
          try {
            await page.waitFor("window.Chart && Object.keys(Chart.instances).length === 2");
            const inked = await page.evaluate<Record<string, number>>(INKED_PIXELS);
            assert.ok(inked["loss-chart"] > 0.01, `loss chart drawn: ${inked["loss-chart"]}`);
            assert.ok(
              inked["accuracy-chart"] > 0.01,
              `accuracy chart drawn: ${inked["accuracy-chart"]}`,
            );
            // Train and test loss both without the L2 penalty, so they compare.
            const losses = await page.evaluate<{ drawn: number[]; dataLoss: number[] }>(`({
              drawn: Chart.getChart("loss-chart").data.datasets[0].data,
              dataLoss: JSON.parse(document.getElementById("run-data").textContent)
                .history.map((h) => h.dataLoss),
            })`);
            assert.deepEqual(losses.drawn, losses.dataLoss);
            const yScale = await page.evaluate<string>(
              `Chart.getChart("loss-chart").options.scales.y.type`,
            );
            // A diverging loss spans hundreds of decades: only a log scale shows it.
            assert.equal(yScale, name === "failed" ? "logarithmic" : "linear");
            if (name === "failed") {
              assert.equal(inked.boundary, -1, "no boundary for a model that diverged");
              assert.match(
                await page.evaluate<string>(`document.getElementById("status").textContent`),
                /^Failed after \d+ steps: /,
              );
              assert.match(
                await page.evaluate<string>("document.body.innerText"),
                /Not drawn: the run failed/,
              );
            } else {
              assert.equal(inked.boundary, 1, "the boundary fills its canvas");
              const colors = await page.evaluate<number>(BOUNDARY_COLORS);
              assert.ok(colors >= (name === "spiral" ? 3 : 2), `boundary colors: ${colors}`);
            }
            assert.deepEqual(page.consoleErrors, []);
            assert.deepEqual(page.requests.filter((r) => r !== url), []);
          } finally {
            await page.close();
          }
        });
      }
      await t.step("markup in CSV headers and labels shows as text", async () => {
        const page = await openPage(reports.csv);
        try {
          const text = await page.evaluate<string>("document.body.innerText");
          assert.ok(text.includes("<script>window.pwned=1</script>"), "the header as text");
          assert.ok(text.includes("<img src=x onerror=window.pwned=2>"), "the label as text");
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
