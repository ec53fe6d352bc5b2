import assert from "node:assert/strict";
import { Mlp, type Value } from "../mod.ts";
import { lines, runCli } from "./_cli.ts";
import { allText, parseXml, titleOf, withAttr, type XmlElement } from "./_svg.ts";

/** Trains the models the tests draw, once: 2-4-1, the default 2-16-16-1, and 2-32-32-3. */
async function withModels(fn: (cwd: string) => Promise<void>): Promise<void> {
  const cwd = await Deno.makeTempDir({ prefix: "denograd_graph_" });
  try {
    const runs = await Promise.all([
      runCli(["train", "--steps", "2", "--layers", "4", "--out", "small", "--quiet"], { cwd }),
      runCli(["train", "--steps", "5", "--out", "default", "--quiet"], { cwd }),
      runCli(
        [
          "train",
          "--steps",
          "2",
          "--dataset",
          "spiral",
          "--layers",
          "32,32",
          "--out",
          "wide",
          "--quiet",
        ],
        { cwd },
      ),
    ]);
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    await fn(cwd);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
}

function modelOf(cwd: string, run: string): Mlp {
  return Mlp.fromJSON(JSON.parse(Deno.readTextFileSync(`${cwd}/${run}/model.json`)).model);
}

function values(svg: XmlElement): Map<string, XmlElement> {
  return new Map(withAttr(svg, "data-value").map((e) => [e.attrs["data-value"], e]));
}

function onScreen(svg: XmlElement): void {
  const { width, height } = svg.attrs;
  assert.ok(+width <= 1920 && +height <= 1080, `${width}x${height}`);
}

Deno.test("graph", async (t) => {
  await withModels(async (cwd) => {
    const graph = (run: string, ...args: string[]) =>
      runCli(["graph", "--model", `${run}/model.json`, ...args], { cwd });
    await t.step(
      "graph draws the whole forward pass of a small model, in SVG or DOT",
      async (t) => {
        await t.step("SVG, laid out by denograd", async () => {
          const r = await graph("small", "--point", "0.5,-0.25", "--format", "svg");
          assert.equal(r.code, 0, r.stderr);
          assert.equal(r.stderr, "");
          const svg = parseXml(r.stdout);
          onScreen(svg);
          const v = values(svg);
          assert.match(titleOf(v.get("x1")!)!, /^x1: data 0\.5, grad /);
          assert.match(titleOf(v.get("x2")!)!, /^x2: data -0\.25, grad /);
          for (const name of ["L0.N0", "L0.N3", "L0.N3.w1", "L1.N0.b", "score"]) {
            assert.ok(v.has(name), name);
          }
          // The score is the model's, and its grad is 1.
          const score = modelOf(cwd, "small").predict([0.5, -0.25])[0];
          assert.equal(titleOf(v.get("score")!), `score: data ${score}, grad 1`);
        });
        await t.step("DOT, with --format dot", async () => {
          const r = await graph("small", "--point", "0.5,-0.25", "--format", "dot");
          assert.equal(r.code, 0, r.stderr);
          assert.match(r.stdout, /^digraph \{/);
          assert.match(r.stdout, /\{ x1 \| data 0\.5000 \| grad /);
          assert.match(r.stdout, /\{ score \| data /);
        });
      },
    );
    await t.step(
      "graph draws one neuron with --neuron, and the output neuron of a model too big to read",
      async (t) => {
        const model = modelOf(cwd, "default");
        await t.step("--neuron L0.N3: micrograd's picture of one neuron", async () => {
          const r = await graph(
            "default",
            "--point",
            "0.5,-0.25",
            "--neuron",
            "L0.N3",
            "--format",
            "svg",
          );
          assert.equal(r.code, 0, r.stderr);
          assert.equal(r.stderr, "");
          const svg = parseXml(r.stdout);
          onScreen(svg);
          const v = values(svg);
          assert.deepEqual(
            [...v.keys()].filter((k) => k !== "").sort(),
            ["L0.N3", "L0.N3.b", "L0.N3.w0", "L0.N3.w1", "L0.N3.z", "w0*x1", "w1*x2", "x1", "x2"],
          );
          const out = model.layers[0].neurons[3].forward([0.5, -0.25]).data;
          assert.equal(titleOf(v.get("L0.N3")!), `L0.N3: data ${out}, grad 1`);
          // The grads are those of the neuron's output: d out / d w0 is x1 where the neuron is active.
          const w0 = titleOf(v.get("L0.N3.w0")!)!;
          assert.match(w0, out > 0 ? /grad 0\.5$/ : /grad 0$/);
        });
        await t.step("no --neuron: the output neuron, and a note on how to see more", async () => {
          const r = await graph("default", "--point", "0.5,-0.25", "--format", "svg");
          assert.equal(r.code, 0, r.stderr);
          assert.equal(lines(r.stderr).length, 1);
          assert.match(
            r.stderr,
            /too large to read, so this is the neuron that makes score, L2\.N0/,
          );
          assert.match(r.stderr, /--neuron L<layer>\.N<index>/);
          assert.match(r.stderr, /--full/);
          const svg = parseXml(r.stdout);
          onScreen(svg);
          const v = values(svg);
          assert.ok(v.has("L2.N0") && v.has("L1.N15") && v.has("L2.N0.w15") && v.has("L2.N0.b"));
          assert.equal(
            titleOf(v.get("L2.N0")!),
            `L2.N0: data ${model.predict([0.5, -0.25])[0]}, grad 1`,
          );
        });
        await t.step("a neuron of many inputs shows its largest terms, and says so", async () => {
          const r = await graph("wide", "--point", "0.5,-0.25", "--output", "2", "--format", "svg");
          assert.equal(r.code, 0, r.stderr);
          assert.match(r.stderr, /L2\.N2 has 32 inputs: the picture shows the 16 largest terms/);
          const svg = parseXml(r.stdout);
          onScreen(svg);
          const v = values(svg);
          assert.ok(v.has("16 more terms"));
          assert.equal([...v.keys()].filter((k) => /^L2\.N2\.w\d+$/.test(k)).length, 16);
          const all = await graph(
            "wide",
            "--point",
            "0.5,-0.25",
            "--neuron",
            "L2.N2",
            "--force",
            "--format",
            "svg",
          );
          assert.equal(all.code, 0, all.stderr);
          assert.equal(
            [...values(parseXml(all.stdout)).keys()].filter((k) => /^L2\.N2\.w\d+$/.test(k)).length,
            32,
          );
        });
        await t.step("--full refuses a picture larger than a screen unless --force", async () => {
          const r = await graph("default", "--point", "0,0", "--full", "--format", "svg");
          assert.equal(r.code, 2);
          assert.equal(r.stdout, "");
          assert.equal(lines(r.stderr).length, 1);
          assert.match(
            r.stderr,
            /^Cannot graph as the whole forward pass would be about \d+x\d+ px, larger than a screen: pass --force/,
          );
          const forced = await graph(
            "default",
            "--point",
            "0,0",
            "--full",
            "--force",
            "--format",
            "svg",
          );
          assert.equal(forced.code, 0, forced.stderr);
          const svg = parseXml(forced.stdout);
          assert.ok(+svg.attrs.width > 1920 || +svg.attrs.height > 1080);
          // Every parameter and input, then per neuron its terms w*x, its z and (unless linear) its output.
          const m = modelOf(cwd, "default");
          const perNeuron = m.layers.reduce(
            (n, l) =>
              n +
              l.neurons.reduce(
                (k, u) => k + u.w.length + 1 + (u.activation === "linear" ? 0 : 1),
                0,
              ),
            0,
          );
          assert.equal(withAttr(svg, "data-value").length, 337 + 2 + perNeuron);
        });
      },
    );
    await t.step(
      "graph's SVG is the default and shows micrograd's nodes, with the grads of one fresh backward()",
      async (t) => {
        const fresh = (run: string, point: number[], root: (out: Value[]) => Value) => {
          const m = modelOf(cwd, run);
          const out = root(m.forward(point) as Value[]);
          out.backward();
          return new Map(m.parameters().map((p) => [p.label, p]));
        };
        const near = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));
        const numbers = (e: XmlElement) => {
          const m = /: data (\S+), grad (\S+)$/.exec(titleOf(e)!)!;
          return { data: Number(m[1]), grad: Number(m[2]) };
        };
        await t.step("the whole graph of a small model: every parameter's grad", async () => {
          const r = await graph("small", "--point", "0.5,-0.25");
          assert.equal(r.code, 0, r.stderr);
          const svg = parseXml(r.stdout);
          const v = values(svg);
          const params = fresh("small", [0.5, -0.25], (out) => out[0]);
          for (const [label, p] of params) {
            const shown = numbers(v.get(label)!);
            assert.equal(shown.data, p.data, label);
            assert.ok(near(shown.grad, p.grad), `${label}: ${shown.grad} against ${p.grad}`);
          }
          assert.equal(numbers(v.get("L1.N0.b")!).grad, 1);
          // micrograd's ops: one * per weight, one + and one relu per hidden neuron.
          const ops = withAttr(svg, "data-op").map((e) => e.attrs["data-op"]);
          assert.equal(ops.filter((o) => o === "*").length, 2 * 4 + 4);
          assert.equal(ops.filter((o) => o === "+").length, 4 + 1);
          assert.equal(ops.filter((o) => o === "relu").length, 4);
          // Each term w*x is its weight times its input; each z is the bias plus its terms.
          const m = modelOf(cwd, "small");
          const n3 = m.layers[0].neurons[3];
          const w1x2 = [...v.entries()].filter(([k]) => k === "w1*x2").map(([, e]) =>
            numbers(e).data
          );
          assert.ok(w1x2.includes(n3.w[1].data * -0.25));
          const z = numbers(v.get("L0.N3.z")!).data;
          assert.ok(near(z, n3.b.data + n3.w[0].data * 0.5 + n3.w[1].data * -0.25));
          // A dead ReLU (z <= 0) is marked, with a note saying why its grads are 0.
          const dead = [0, 1, 2, 3].filter((j) => numbers(v.get(`L0.N${j}.z`)!).data <= 0);
          assert.equal(withAttr(svg, "data-dead").length, dead.length);
          if (dead.length > 0) {
            assert.match(allText(svg), /dead ReLU/);
            for (const j of dead) assert.equal(numbers(v.get(`L0.N${j}.w0`)!).grad, 0);
          }
        });
        await t.step("the default model's output neuron: its bias's grad is 1, not 2", async () => {
          const r = await graph("default", "--point", "0.5,-0.25");
          assert.equal(r.code, 0, r.stderr);
          const v = values(parseXml(r.stdout));
          assert.equal(numbers(v.get("L2.N0.b")!).grad, 1);
          // The neuron's picture: d out / d w is the input, from one pass.
          const m = modelOf(cwd, "default");
          let acts: number[] = [0.5, -0.25];
          for (const l of m.layers.slice(0, 2)) acts = l.forward(acts).map((x) => x.data);
          for (let i = 0; i < 16; i++) {
            assert.equal(numbers(v.get(`L2.N0.w${i}`)!).grad, acts[i], `L2.N0.w${i}`);
            assert.equal(numbers(v.get(`L1.N${i}`)!).grad, m.layers[2].neurons[0].w[i].data);
          }
        });
      },
    );
    await t.step("graph refuses a bad --neuron with one line and exit code 2", async () => {
      const base = ["--point", "0.5,-0.25"];
      const cases: [string[], RegExp][] = [
        [["--neuron", "L3.N0"], /names layer L3 but the model's layers are L0 to L2/],
        [["--neuron", "L1.N16"], /names neuron N16 but layer L1 has N0 to N15/],
        [["--neuron", "l1.n3"], /must name a neuron as L<layer>\.N<index>.*did you mean L1\.N3\?/],
        [["--neuron", "L1"], /must name a neuron as L<layer>\.N<index>/],
        [["--neuron", "L1.N3.w0"], /must name a neuron/],
        [["--neuron", "L-1.N0"], /must name a neuron/],
        [["--neuron", ""], /must name a neuron/],
        [["--neuron", "L1.N99999999999"], /must name a neuron/],
        [["--neuron", "L1.N\u001b[31m"], /must name a neuron.*\\u001b\[31m/],
        [["--neuron", "L1.N3", "--full"], /'--neuron' and '--full'/],
        [["--neuron", "L1.N3", "--output", "0"], /'--neuron' and '--output'/],
        [["--neuron"], /'--neuron' needs a value/],
      ];
      const runs = await Promise.all(cases.map(([args]) => graph("default", ...base, ...args)));
      runs.forEach((r, i) => {
        const [args, want] = cases[i];
        assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
        assert.equal(r.stdout, "", args.join(" "));
        assert.equal(lines(r.stderr).length, 1, `${args.join(" ")}: ${r.stderr}`);
        assert.match(r.stderr, /^Cannot graph as /, args.join(" "));
        assert.match(r.stderr, want, args.join(" "));
        assert.ok(!r.stderr.includes("\u001b"), args.join(" "));
      });
    });
  });
});
