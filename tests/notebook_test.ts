import assert from "node:assert/strict";
import { makeMoons, makeSine, Mlp } from "../mod.ts";
import { asSvg, LiveChart, LiveDisplay, show, trainLive } from "../jupyter.ts";
import { findAll, parseXml, withAttr, type XmlElement } from "./_svg.ts";

const EXAMPLES = new URL("../examples/", import.meta.url);
const JUPYTER = "/usr/bin/jupyter";

interface Output {
  "output_type": string;
  data?: Record<string, string | string[]>;
  name?: string;
  text?: string | string[];
  ename?: string;
  evalue?: string;
}

interface Notebook {
  cells: { "cell_type": string; source: string | string[]; outputs?: Output[] }[];
  metadata: { kernelspec?: { name: string } };
}

function notebooks(): string[] {
  return [...Deno.readDirSync(EXAMPLES)]
    .filter((e) => e.isFile && e.name.endsWith(".ipynb"))
    .map((e) => e.name)
    .sort();
}

function joined(v: string | string[] | undefined): string {
  return Array.isArray(v) ? v.join("") : v ?? "";
}

/** Every SVG a notebook shows: `image/svg+xml` outputs and `<svg>` inside `text/html` ones, parsed. */
function pictures(nb: Notebook): XmlElement[] {
  const found: XmlElement[] = [];
  for (const cell of nb.cells) {
    for (const out of cell.outputs ?? []) {
      const svg = joined(out.data?.["image/svg+xml"]);
      if (svg !== "") found.push(parseXml(svg));
      const html = joined(out.data?.["text/html"]);
      for (const m of html.matchAll(/<svg[\s\S]*?<\/svg>/g)) found.push(parseXml(m[0]));
    }
  }
  return found;
}

/** What kinds of picture a notebook shows: a Value's graph, a network, a chart, a boundary. */
function kinds(nb: Notebook): Set<string> {
  const seen = new Set<string>();
  for (const svg of pictures(nb)) {
    if (withAttr(svg, "data-value").length > 0) seen.add("graph");
    if (withAttr(svg, "data-neuron").length > 0) seen.add("network");
    if (findAll(svg, (e) => e.attrs["data-series"] === "loss").length > 0) seen.add("chart");
    if (withAttr(svg, "data-boundary").length > 0) seen.add("boundary");
  }
  return seen;
}

/** What each notebook must show; any other notebook must show at least one picture. */
const MUST_SHOW: Record<string, string[]> = {
  "micrograd_demo.ipynb": ["graph", "network", "chart", "boundary"],
  "spiral.ipynb": ["network", "chart", "boundary"],
};

function checkRanClean(name: string, nb: Notebook): void {
  assert.equal(nb.metadata.kernelspec?.name, "deno", `${name} runs on the Deno kernel`);
  for (const [i, cell] of nb.cells.entries()) {
    if (cell.cell_type !== "code") continue;
    for (const out of cell.outputs ?? []) {
      assert.notEqual(
        out.output_type,
        "error",
        `${name}, cell ${i}: ${out.ename}: ${out.evalue}`,
      );
      assert.ok(
        !(out.output_type === "stream" && out.name === "stderr"),
        `${name}, cell ${i} wrote to stderr: ${joined(out.text).slice(0, 300)}`,
      );
    }
  }
}

/** Checks that `shown` holds every kind of picture `name` must show, and at least one. */
function checkPictures(name: string, shown: Set<string>): void {
  for (const kind of MUST_SHOW[name] ?? []) assert.ok(shown.has(kind), `${name} shows a ${kind}`);
  assert.ok(shown.size > 0, `${name} shows a picture`);
}

function jupyterReady(): boolean {
  try {
    Deno.statSync(JUPYTER);
  } catch {
    return false;
  }
  const out = new Deno.Command(JUPYTER, { args: ["kernelspec", "list", "--json"], stderr: "null" })
    .outputSync();
  if (!out.success) return false;
  const specs = JSON.parse(new TextDecoder().decode(out.stdout)).kernelspecs ?? {};
  return "deno" in specs;
}

Deno.test("the examples include micrograd's demo notebook", () => {
  assert.ok(notebooks().includes("micrograd_demo.ipynb"), notebooks().join(", "));
});

Deno.test("every notebook under examples/ is committed with its outputs", () => {
  for (const name of notebooks()) {
    const nb: Notebook = JSON.parse(Deno.readTextFileSync(new URL(name, EXAMPLES)));
    checkRanClean(name, nb);
    checkPictures(name, kinds(nb));
    // Imports by relative path, so a clone runs it as is.
    const code = nb.cells.map((c) => joined(c.source)).join("\n");
    assert.match(code, /from "\.\.\/mod\.ts"/, name);
    assert.doesNotMatch(code, /from "(npm|jsr|https?):/, name);
  }
});

/** Runs `name` headless with nbconvert into a temporary folder and reads the result. */
async function execute(name: string): Promise<Notebook> {
  const dir = await Deno.makeTempDir({ prefix: "denograd-nb-" });
  try {
    const out = await new Deno.Command(JUPYTER, {
      args: [
        "nbconvert",
        "--to",
        "notebook",
        "--execute",
        "--ExecutePreprocessor.timeout=300",
        // A loaded machine can take more than the default 4 s to deliver a
        // cell's outputs after its reply: wait, and fail loudly if not.
        "--ExecutePreprocessor.iopub_timeout=60",
        "--ExecutePreprocessor.raise_on_iopub_timeout=True",
        "--output-dir",
        dir,
        "--output",
        "run.ipynb",
        new URL(name, EXAMPLES).pathname,
      ],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.ok(out.success, `nbconvert failed on ${name}:\n${stderr.slice(-2000)}`);
    return JSON.parse(await Deno.readTextFile(`${dir}/run.ipynb`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The kinds of output each code cell shows: output types and MIME types. */
function outputKinds(nb: Notebook): string[][] {
  return nb.cells.filter((c) => c.cell_type === "code").map((c) =>
    (c.outputs ?? []).flatMap((o) => [o.output_type, ...Object.keys(o.data ?? {})]).sort()
  );
}

/**
 * Runs `name` headless and checks it: it runs clean and every cell shows what
 * the committed notebook shows.
 *
 * Deno's kernel (2.9.6) now and then sends a cell's execute_result after it
 * reports the cell idle (about 1 cell in 12, measured with jupyter_client),
 * and nbconvert then drops that output. So the notebooks show their pictures
 * with show(), which waits; what they leave as a cell's value may be lost in
 * a run. An error fails at once; outputs count if any of up to three clean
 * runs showed them.
 */
async function checkNotebook(name: string): Promise<void> {
  const committed: Notebook = JSON.parse(await Deno.readTextFile(new URL(name, EXAMPLES)));
  const want = outputKinds(committed);
  const seen: Set<string>[] = want.map(() => new Set());
  const shown = new Set<string>();
  let missing = "";
  for (let attempt = 1; attempt <= 3; attempt++) {
    const nb = await execute(name);
    checkRanClean(name, nb);
    kinds(nb).forEach((k) => shown.add(k));
    outputKinds(nb).forEach((ks, i) => ks.forEach((k) => seen[i]?.add(k)));
    missing = want.flatMap((ks, i) =>
      ks.every((k) => seen[i].has(k))
        ? []
        : [`cell ${i}: got ${[...seen[i]].join(" ") || "nothing"}, want ${ks.join(" ")}`]
    ).join("; ");
    if (missing === "") {
      checkPictures(name, shown);
      return;
    }
  }
  assert.fail(`${name} lost outputs in three runs: ${missing}`);
}

Deno.test({
  name: "every notebook under examples/ runs clean headless and shows its pictures",
  ignore: !jupyterReady() && !Deno.env.get("CI"),
  async fn() {
    // Side by side: each run is mostly the kernel starting and waiting.
    const results = await Promise.allSettled(notebooks().map(checkNotebook));
    const failed = results.flatMap((r) => r.status === "rejected" ? [String(r.reason)] : []);
    assert.deepEqual(failed, []);
  },
});

/** A stand-in for `Deno.jupyter.broadcast` that records what was sent. */
function recorder() {
  const sent: { type: string; content: Record<string, unknown> }[] = [];
  const broadcast = (type: string, content: Record<string, unknown>) => {
    sent.push({ type, content });
    return Promise.resolve();
  };
  return { sent, broadcast };
}

Deno.test("LiveDisplay sends display_data once, then updates in place under one display_id", async () => {
  const { sent, broadcast } = recorder();
  const d = new LiveDisplay({ broadcast, id: "x1" });
  await d.show({ "text/plain": "a" });
  await d.show({ "text/plain": "b" });
  await d.show({ "text/plain": "c" });
  assert.deepEqual(sent.map((m) => m.type), [
    "display_data",
    "update_display_data",
    "update_display_data",
  ]);
  for (const m of sent) assert.deepEqual(m.content.transient, { display_id: "x1" });
  assert.deepEqual(sent[2].content.data, { "text/plain": "c" });
  // Two displays never share an id.
  const a = new LiveDisplay({ broadcast });
  const b = new LiveDisplay({ broadcast });
  assert.notEqual(a.id, b.id);
});

Deno.test("LiveDisplay outside a Jupyter kernel says so", () => {
  assert.throws(() => new LiveDisplay(), /not a Jupyter kernel/);
});

Deno.test("LiveChart redraws as points arrive and ends with every point and the extra pictures", async () => {
  const { sent, broadcast } = recorder();
  const chart = new LiveChart({ broadcast, interval: 0, steps: 3 });
  await chart.push({ loss: 1, accuracy: 0.5 });
  await chart.push({ loss: 0.5, accuracy: 0.75, testLoss: 0.6 });
  await chart.push({ loss: 0.25, accuracy: 1, testLoss: 0.4 });
  assert.equal(sent.length, 3);
  const first = parseXml((sent[0].content.data as Record<string, string>)["image/svg+xml"]);
  assert.match(
    findAll(first, (e) => e.name === "text").map((e) => e.text).join(" "),
    /step 1 of 3/,
  );
  await chart.end(asSvgText());
  assert.equal(sent.length, 4);
  assert.equal(sent[3].type, "update_display_data");
  const last = parseXml((sent[3].content.data as Record<string, string>)["image/svg+xml"]);
  const loss = findAll(last, (e) => e.attrs["data-series"] === "loss")[0];
  assert.equal(loss.attrs.points.split(" ").length, 3);
  assert.equal(findAll(last, (e) => e.attrs["data-series"] === "test").length, 1);
  assert.equal(findAll(last, (e) => e.attrs["data-series"] === "accuracy").length, 1);
  assert.equal(withAttr(last, "data-extra").length, 1);
  assert.match(findAll(last, (e) => e.name === "text").map((e) => e.text).join(" "), /3 steps/);
});

function asSvgText(): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect data-extra="" width="10" height="10"/></svg>`;
}

Deno.test("LiveChart with a long interval redraws only on the first point and at the end", async () => {
  const { sent, broadcast } = recorder();
  const chart = new LiveChart({ broadcast, interval: 1e9 });
  for (let k = 0; k < 50; k++) await chart.push({ loss: 1 / (k + 1) });
  await chart.end();
  assert.equal(sent.length, 2);
  const last = parseXml((sent[1].content.data as Record<string, string>)["image/svg+xml"]);
  assert.equal(
    findAll(last, (e) => e.attrs["data-series"] === "loss")[0].attrs.points.split(" ").length,
    50,
  );
});

Deno.test("trainLive() trains, charts each step and ends with the decision boundary", async () => {
  const { sent, broadcast } = recorder();
  const data = makeMoons({ samples: 40, noise: 0.1, seed: 3 });
  const model = new Mlp(2, [8, 1], { seed: 1 });
  const history = await trainLive(model, data, { steps: 20, broadcast, interval: 0 });
  assert.equal(history.length, 20);
  assert.equal(sent.length, 21); // each step, then the end
  const last = parseXml((sent.at(-1)!.content.data as Record<string, string>)["image/svg+xml"]);
  assert.equal(withAttr(last, "data-boundary").length, 1);
  assert.equal(findAll(last, (e) => e.name === "circle").length >= 40, true);
  // No boundary for data that is not 2-D.
  const wide = { x: data.x.map(([a, b]) => [a, b, a * b]), y: data.y, classes: 2 };
  const r = recorder();
  await trainLive(new Mlp(3, [4, 1]), wide, { steps: 3, broadcast: r.broadcast });
  const end = parseXml((r.sent.at(-1)!.content.data as Record<string, string>)["image/svg+xml"]);
  assert.equal(withAttr(end, "data-boundary").length, 0);
});

Deno.test("trainLive()'s chart counts the run's own steps: 500 for a regression by default", async () => {
  const { sent, broadcast } = recorder();
  const history = await trainLive(new Mlp(1, [8, 1], { seed: 1 }), makeSine({ samples: 20 }), {
    broadcast,
    interval: 0,
  });
  assert.equal(history.length, 500);
  const first = (sent[0].content.data as Record<string, string>)["image/svg+xml"];
  assert.match(first, /step 1 of 500/);
});

Deno.test("asSvg() makes any SVG a cell's picture", () => {
  const shown = asSvg("<svg/>")[Symbol.for("Jupyter.display")]();
  assert.deepEqual(shown, {
    "image/svg+xml": "<svg/>",
    // The fallback nbconvert keeps: the same SVG as an <img>.
    "text/html": `<img src="data:image/svg+xml;base64,${btoa("<svg/>")}" alt="picture">`,
  });
});

Deno.test("show() sends SVG text or a displayable value as display_data, then waits", async () => {
  const { sent, broadcast } = recorder();
  await show(`<svg xmlns="http://www.w3.org/2000/svg"/>`, { broadcast });
  await show(new Mlp(2, [2, 1]), { broadcast });
  assert.deepEqual(sent.map((m) => m.type), ["display_data", "display_data"]);
  assert.deepEqual(sent[0].content.data, {
    "image/svg+xml": `<svg xmlns="http://www.w3.org/2000/svg"/>`,
    "text/html": `<img src="data:image/svg+xml;base64,${
      btoa(`<svg xmlns="http://www.w3.org/2000/svg"/>`)
    }" alt="picture">`,
  });
  const net = parseXml((sent[1].content.data as Record<string, string>)["image/svg+xml"]);
  assert.equal(withAttr(net, "data-neuron").length, 3);
  await assert.rejects(() => show("hello", { broadcast }), TypeError);
  await assert.rejects(() => show({}, { broadcast }), /Jupyter\.display/);
  assert.equal(sent.length, 2);
});

Deno.test({
  name:
    "every notebook's pictures survive nbconvert --to html, as images, and its boundary has a class legend",
  ignore: !jupyterReady() && !Deno.env.get("CI"),
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "denograd-nb-html-" });
    try {
      for (const name of notebooks()) {
        const out = await new Deno.Command(JUPYTER, {
          args: [
            "nbconvert",
            "--to",
            "html",
            "--output-dir",
            dir,
            new URL(name, EXAMPLES).pathname,
          ],
          stdout: "null",
          stderr: "piped",
        }).output();
        assert.ok(out.success, new TextDecoder().decode(out.stderr).slice(-1000));
        const html = await Deno.readTextFile(`${dir}/${name.replace(/\.ipynb$/, ".html")}`);
        // The pictures the page shows: each <img> of an SVG data: URL, decoded and parsed.
        const images = [...html.matchAll(/<img src="data:image\/svg\+xml;base64,([^"]+)"/g)].map(
          (m) =>
            parseXml(
              new TextDecoder().decode(Uint8Array.from(atob(m[1]), (c) => c.charCodeAt(0))),
            ),
        );
        const seen = new Set<string>();
        for (const svg of images) {
          if (withAttr(svg, "data-value").length > 0) seen.add("graph");
          if (withAttr(svg, "data-neuron").length > 0) seen.add("network");
          if (findAll(svg, (e) => e.attrs["data-series"] === "loss").length > 0) seen.add("chart");
          if (withAttr(svg, "data-boundary").length > 0) {
            seen.add("boundary");
            // One legend entry per class, named.
            const legend = withAttr(svg, "data-legend");
            assert.ok(legend.length >= 2, `${name}: a legend of ${legend.length} classes`);
          }
        }
        checkPictures(name, seen);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
