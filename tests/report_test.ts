import assert from "node:assert/strict";
import { Mlp, Rng } from "../mod.ts";
import { loadChartJs } from "../cli/_chart_js.ts";
import { setUpRun } from "../cli/setup.ts";
import { MODEL_FILE_FORMAT, type ModelFile } from "../cli/model_file.ts";
import {
  pageParts,
  renderPage,
  renderReport,
  runEnd,
  snapshotJson,
  statusText,
  timelineCount,
} from "../cli/report.ts";
import { textOf } from "../cli/page_style.ts";
import { writeFileSet } from "../cli/_fs.ts";
import type { ReportPayload } from "../cli/page/data.ts";
import { timelineSteps } from "../workers/snapshots.ts";
import type { Step } from "../workers/protocol.ts";
import { ROOT } from "./_cli.ts";

/** A report of `steps` steps of the default model, with made-up but realistic numbers. */
async function report(steps: number, samples = 100): Promise<string> {
  const setup = await setUpRun({ steps, samples });
  const model = new Mlp(2, setup.nouts, { seed: 1337 });
  const params = model.parameters();
  const rng = new Rng(7);
  const history: Step[] = Array.from({ length: steps }, (_, i) => ({
    step: i + 1,
    loss: 1 / (i + 1) + rng.float() * 1e-3,
    dataLoss: 1 / (i + 1),
    accuracy: Math.min(1, 0.5 + i / steps),
    lr: 1 - i / steps,
  }));
  const count = timelineCount(params.length);
  const snapshots = timelineSteps(steps, count).map((step) =>
    snapshotJson({
      step,
      params: Float64Array.from(params, (p) => p.data + rng.float()),
      grads: Float64Array.from(params, () => rng.float() - 0.5),
    })
  );
  const run: ModelFile = {
    format: MODEL_FILE_FORMAT,
    status: "completed",
    stepsDone: steps,
    final: { trainLoss: 0.01, trainAccuracy: 1 },
    wallTimeMs: 1000,
    createdAt: new Date(0).toISOString(),
    command: "deno task train",
    config: setup.config,
    dataset: setup.source,
    inputNames: setup.inputNames,
    featureNames: setup.featureNames,
    classNames: setup.classNames,
    parameterCount: params.length,
    history: "history.csv",
    model: model.toJSON(),
  };
  return renderReport({ run, setup, history, snapshots }, { chartJs: await loadChartJs() });
}

function payload(html: string): ReportPayload {
  const json = /<script type="application\/json" id="run-data">(.*?)<\/script>/s.exec(html)![1];
  return JSON.parse(json);
}

Deno.test("Chart.js is the package's UMD bundle, the file Node's resolution names too", async () => {
  // The resolver's path (no Node module layer) must find the file the fallback would.
  const { createRequire } = await import("node:module");
  const cjs = createRequire(import.meta.url).resolve("chart.js");
  const umd = cjs.replace(/[^\\/]+$/, "chart.umd.min.js");
  const text = await loadChartJs();
  assert.equal(text, await Deno.readTextFile(umd));
  assert.match(text.slice(0, 40), /Chart\.js v4\./);
});

Deno.test("a 100,000-step report stays under 3 MB, the default run's under 1 MB", async () => {
  const long = await report(100_000);
  assert.ok(long.length < 3_000_000, `100,000 steps: ${long.length} bytes`);
  const data = payload(long);
  assert.equal(data.history.step.length, 2000, "the curves are thinned");
  assert.equal(data.history.step.at(-1), 100_000, "the last step is kept");
  assert.equal(data.snapshots.length, 48);
  const short = await report(100);
  assert.ok(short.length < 1_000_000, `default: ${short.length} bytes`);
  // 20,000 points still fit.
  const big = await report(100, 20_000);
  assert.ok(big.length < 3_000_000, `20,000 points: ${big.length} bytes`);
});

Deno.test("a big model keeps fewer timeline moments, so its report stays small", () => {
  assert.equal(timelineCount(337), 48);
  assert.equal(timelineCount(20_000), 10);
  assert.equal(timelineCount(1_000_000), 8);
});

Deno.test("snapshots round parameters to 5 digits and write non-finite numbers as null", () => {
  const s = snapshotJson({
    step: 3,
    params: Float64Array.of(1.23456789, NaN, -Infinity),
    grads: Float64Array.of(0.000123456, 1, 2),
  });
  assert.deepEqual(s, { step: 3, params: [1.2346, null, null], grads: [0.000123, 1, 2] });
});

Deno.test("the committed page bundle is built from the current cli/page sources", async () => {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-run", "--allow-env", "cli/page/build.ts", "--check"],
    cwd: ROOT,
    stderr: "piped",
  }).output();
  assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
});

Deno.test("deno.lock holds no test-only browser driver, so the CLI's first run does not fetch it", async () => {
  const lock = await Deno.readTextFile(`${ROOT}/deno.lock`);
  assert.ok(
    !lock.includes("puppeteer"),
    "puppeteer-core is in deno.lock: run tests with --no-lock",
  );
});

Deno.test("the summary's words: no hidden activation for --layers none, separators, '1 step', short numbers", async () => {
  const setup = await setUpRun({ layers: [], steps: 1_000_000 });
  const model = new Mlp(2, setup.nouts, { seed: 1 });
  const run: ModelFile = {
    format: MODEL_FILE_FORMAT,
    status: "cancelled",
    stoppedAtStep: 19_194,
    stepsDone: 19_194,
    final: { trainLoss: 0.01, trainAccuracy: 1 },
    wallTimeMs: 1000,
    createdAt: new Date(0).toISOString(),
    command: "deno task train --layers none",
    config: setup.config,
    dataset: setup.source,
    inputNames: setup.inputNames,
    featureNames: setup.featureNames,
    classNames: setup.classNames,
    parameterCount: 3,
    history: "history.csv",
    model: model.toJSON(),
  };
  const end = runEnd(run, setup);
  const rows = Object.fromEntries(end.summary);
  assert.equal(rows.Model, "Mlp 2-1, linear (no hidden layer)");
  assert.equal(rows["Steps done"], "19,194");
  assert.equal(rows.Steps, "1,000,000 asked, batch all");
  assert.equal(end.statusText, "Cancelled at step 19,194 of 1,000,000");
  const failed = statusText({
    ...run,
    status: "failed",
    stepsDone: 1,
    error: "the loss grew over its start (1.5047138778100526): current value is 4849528025418427",
  });
  assert.equal(
    failed,
    "Failed after 1 step: the loss grew over its start (1.505): current value is 4.850e+15",
  );
});

Deno.test("a page written in parts is byte for byte its text, its fixed scripts escaped and encoded once", async () => {
  const options = {
    chartJs: "/* chart */ const s = '</script><script>alert(1)'; é",
    title: "t",
    report: payload(await report(5)),
    playground: { page: "H4sIAAAA", seed: "c2VlZA" },
  };
  const parts = pageParts(options);
  const text = renderPage(options);
  assert.equal(textOf(parts), text);
  // The script cannot end early: its `</script` is escaped, once, in the bytes written.
  assert.ok(text.includes("const s = '<\\/script><script>alert(1)'; é"));
  const dir = await Deno.makeTempDir();
  try {
    await writeFileSet({ [`${dir}/report.html`]: parts });
    assert.deepEqual(await Deno.readFile(`${dir}/report.html`), new TextEncoder().encode(text));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  // A second page reuses the bytes made for the first.
  const again = pageParts(options);
  const bytes = (ps: typeof parts) => ps.filter((p) => p instanceof Uint8Array);
  assert.equal(bytes(again).length, 3);
  bytes(again).forEach((b, i) => assert.equal(b, bytes(parts)[i]));
});
