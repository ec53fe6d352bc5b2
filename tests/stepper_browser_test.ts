import assert from "node:assert/strict";
import { backpropTrace, Mlp, Value } from "../mod.ts";
import { type BrowserPage, IGNORE_BROWSER_TESTS, openPage } from "./_chromium.ts";
import { runCli } from "./_cli.ts";
import { stepperPage } from "./_stepper_page.ts";

/** The grads `graph` prints in DOT, by label: `{ label | data … | grad … }`. */
function dotGrads(dot: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of dot.matchAll(/label="\{ (.*?) \| data (\S+) \| grad (\S+) \}"/g)) {
    if (m[1] !== "") out.set(m[1], m[3]);
  }
  return out;
}

/** One fresh backward() of the model's own graph (as `graph` builds it): grads by label. */
function engineGrads(model: Mlp, features: number[], names: string[], output: number) {
  const inputs = features.map((x, i) => new Value(x, { label: names[i] }));
  let acts: Value[] = inputs;
  const outs: Value[] = [];
  model.layers.forEach((layer, l) => {
    acts = layer.forward(acts);
    acts.forEach((v, j) => v.label = `L${l}.N${j}`);
    outs.push(...acts);
  });
  acts[output].backward();
  const byLabel = new Map<string, number>();
  for (const v of [...inputs, ...model.parameters(), ...outs]) byLabel.set(v.label, v.grad);
  return byLabel;
}

interface Row {
  label: string;
  data: string;
  grad: string;
  gradText: string;
}

const ROWS = `[...document.querySelectorAll("[data-stepper=records] tbody tr")].map((tr) => ({
  label: tr.dataset.label,
  data: tr.children[2].dataset.data,
  grad: tr.children[3].dataset.grad,
  gradText: tr.children[3].textContent,
}))`;

/** Opens the table of every value (its rows are made when it opens) and waits for them. */
async function openRecords(page: BrowserPage): Promise<void> {
  await page.evaluate(`document.querySelector(".dg-st details").open = true`);
  await page.waitFor(`document.querySelectorAll("[data-stepper=records] tbody tr").length > 0`);
}

const click = (action: string) =>
  `(document.querySelector('[data-action="${action}"]').click(), ({ ...document.querySelector("[data-stepper=status]").dataset }))`;

Deno.test({
  name: "the backprop stepper in Chromium",
  ignore: IGNORE_BROWSER_TESTS,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const cwd = await Deno.makeTempDir({ prefix: "denograd_stepper_" });
    try {
      const trained = await Promise.all([
        runCli([
          "train",
          "--steps",
          "3",
          "--layers",
          "4,4",
          "--features",
          "x1,x2,x1*x2",
          "--out",
          "crossed",
          "--quiet",
        ], { cwd }),
        runCli([
          "train",
          "--steps",
          "2",
          "--dataset",
          "spiral",
          "--classes",
          "3",
          "--layers",
          "6",
          "--activation",
          "tanh",
          "--out",
          "three",
          "--quiet",
        ], { cwd }),
      ]);
      for (const r of trained) assert.equal(r.code, 0, r.stderr);

      for (
        const [run, point, output] of [["crossed", "0.5,-0.25", 0], [
          "three",
          "-0.3,0.8",
          2,
        ]] as const
      ) {
        await t.step(
          `${run}: stepping through every node ends with backward()'s grads and graph's`,
          async () => {
            const file = JSON.parse(await Deno.readTextFile(`${cwd}/${run}/model.json`));
            const options = {
              model: file.model,
              point: point.split(",").map(Number),
              features: file.featureNames,
              inputs: file.inputNames,
              classNames: file.classNames,
              output,
            };
            const html = `${cwd}/${run}.html`;
            await Deno.writeTextFile(html, await stepperPage(options));
            const graph = await runCli([
              "graph",
              "--model",
              `${run}/model.json`,
              `--point=${point}`,
              "--output",
              String(output),
              "--full",
              "--force",
              "--format",
              "dot",
            ], { cwd });
            assert.equal(graph.code, 0, graph.stderr);
            const fromGraph = dotGrads(graph.stdout);

            const model = Mlp.fromJSON(file.model);
            const trace = backpropTrace(model, options.point, options);
            const engine = engineGrads(model, trace.features, file.featureNames, output);
            const n = trace.nodes.length;

            const page = await openPage(`file://${html}`);
            await openRecords(page);
            try {
              // Forward, node by node: each click computes the next node in topological order.
              for (let i = 1; i <= n; i++) {
                const s = await page.evaluate<Record<string, string>>(click("forward-step"));
                assert.equal(s.forward, String(i));
              }
              const afterForward = await page.evaluate<Row[]>(ROWS);
              afterForward.forEach((r, i) => {
                assert.equal(r.data, String(trace.nodes[i].data));
                assert.equal(r.grad, "0");
              });
              // Backward, node by node, collecting the nodes given a `+=` note.
              const noted = new Set<number>();
              for (let i = 1; i <= n; i++) {
                const seen = await page.evaluate<
                  { backward: string; notes: string[]; text: string; cur: string; kids: string[] }
                >(`(() => {
                  const { backward } = ${click("backward-step")};
                  const notes = [...document.querySelectorAll("[data-accumulate]")].map((e) => e.dataset.accumulate);
                  const text = document.querySelector("[data-stepper=explain]").textContent;
                  const cur = document.querySelector("[data-stepper=graph] g.cur")?.dataset.id;
                  const kids = [...document.querySelectorAll("[data-stepper=graph] g.kid")].map((g) => g.dataset.id);
                  return { backward, notes, text, cur, kids };
                })()`);
                const step = trace.steps[i - 1];
                assert.equal(seen.backward, String(i));
                // The node whose _backward() ran is highlighted, and so are the children it fed.
                assert.equal(seen.cur, String(step.node));
                assert.deepEqual(
                  seen.kids.map(Number).sort((a, b) => a - b),
                  [...new Set(step.terms.map((t) => t.child))].sort((a, b) => a - b),
                );
                for (const id of seen.notes) noted.add(Number(id));
                if (step.terms.length > 0) {
                  assert.match(seen.text, /local derivative × upstream = contribution/);
                }
              }
              const reused = trace.nodes.filter((x) => x.parents.length > 1).map((x) => x.id);
              assert.ok(reused.length > 0);
              assert.deepEqual([...noted].sort((a, b) => a - b), reused);

              const rows = await page.evaluate<Row[]>(ROWS);
              assert.equal(rows.length, n);
              let againstGraph = 0;
              let againstEngine = 0;
              rows.forEach((r, i) => {
                assert.equal(r.label, trace.nodes[i].label);
                assert.equal(r.grad, String(trace.nodes[i].grad));
                const e = engine.get(r.label) ??
                  (i === n - 1 ? 1 : undefined);
                if (e !== undefined) {
                  assert.equal(r.grad, String(e), `${r.label}: the engine's backward()`);
                  againstEngine++;
                }
                const g = fromGraph.get(r.label);
                if (g !== undefined) {
                  assert.equal(r.gradText, g, `${r.label}: graph's DOT`);
                  againstGraph++;
                }
              });
              const leaves = trace.nodes.filter((x) => x.op === "").length;
              assert.ok(
                againstEngine >= leaves && againstGraph >= leaves,
                `${againstEngine} ${againstGraph}`,
              );

              // Reset clears; Backward all from the start gives the same grads.
              await page.evaluate(click("reset-stepper"));
              assert.deepEqual(
                (await page.evaluate<Row[]>(ROWS)).map((r) => r.grad),
                rows.map(() => "0"),
              );
              await page.evaluate(click("run-backward"));
              assert.deepEqual(await page.evaluate<Row[]>(ROWS), rows);
              assert.deepEqual(page.consoleErrors, []);
              assert.deepEqual(page.requests.filter((u) => !u.startsWith("file:")), []);
            } finally {
              await page.close();
            }
          },
        );
      }

      await t.step("the output selector follows another output", async () => {
        const file = JSON.parse(await Deno.readTextFile(`${cwd}/three/model.json`));
        const html = `${cwd}/select.html`;
        await Deno.writeTextFile(html, await stepperPage({ model: file.model, point: [0.1, 0.2] }));
        const page = await openPage(`file://${html}`);
        await openRecords(page);
        try {
          const last = () =>
            page.evaluate<string>(
              `[...document.querySelectorAll("[data-stepper=records] tbody tr")].at(-1).dataset.label`,
            );
          assert.equal(await last(), "score_0");
          await page.page.select("[data-stepper=output]", "1");
          assert.equal(await last(), "score_1");
          // A new point starts over, with its own values.
          await page.evaluate(click("run-forward"));
          await page.evaluate(`stepper.setPoint([0.3, 0.4])`);
          assert.match(
            await page.evaluate<string>(`document.querySelector(".dg-st h3").textContent`),
            /\(0\.3, 0\.4\)/,
          );
          assert.equal(
            await page.evaluate(`document.querySelector("[data-stepper=status]").dataset.forward`),
            "0",
          );
          const model = Mlp.fromJSON(file.model);
          await page.evaluate(click("run-forward"));
          assert.equal(
            await page.evaluate(
              `[...document.querySelectorAll("[data-stepper=records] tbody tr")].at(-1).children[2].dataset.data`,
            ),
            String(model.predict([0.3, 0.4])[1]),
          );
          // Keyboard: f steps forward, b backward.
          await page.evaluate(click("reset-stepper"));
          await page.page.focus(".dg-st-graph");
          await page.page.keyboard.press("f");
          assert.equal(
            await page.evaluate(`document.querySelector("[data-stepper=status]").dataset.forward`),
            "1",
          );
          await page.page.keyboard.press("b");
          assert.equal(
            await page.evaluate(`document.querySelector("[data-stepper=status]").dataset.backward`),
            "1",
          );
          assert.deepEqual(page.consoleErrors, []);
        } finally {
          await page.close();
        }
      });

      await t.step(
        "the weight editor takes a finite number and refuses anything else in one line",
        async () => {
          const file = JSON.parse(await Deno.readTextFile(`${cwd}/crossed/model.json`));
          const html = `${cwd}/edit.html`;
          await Deno.writeTextFile(
            html,
            await stepperPage({
              model: file.model,
              point: [0.5, -0.25],
              features: file.featureNames,
              inputs: file.inputNames,
            }),
          );
          const page = await openPage(`file://${html}`);
          await openRecords(page);
          try {
            await page.evaluate(`document.getElementById("edit-weight").click()`);
            const value = await page.evaluate<string>(
              `document.querySelector("[data-weight=value]").textContent`,
            );
            assert.equal(value, String(file.model.layers[0].weights[0][0]));
            const type = async (text: string) => {
              await page.page.click("[data-input=weight]", { count: 3 });
              await page.page.keyboard.press("Backspace");
              await page.page.type("[data-input=weight]", text);
              await page.page.keyboard.press("Enter");
            };
            await type("abc");
            assert.equal(
              await page.evaluate(`document.querySelector("[data-weight=error]").textContent`),
              'Cannot set the weight as it must be a finite number, e.g. -0.25: current value is "abc"',
            );
            await type("1e999");
            assert.match(
              await page.evaluate<string>(
                `document.querySelector("[data-weight=error]").textContent`,
              ),
              /1e999/,
            );
            assert.deepEqual(await page.evaluate(`edits`), []);
            await type("-0.75");
            assert.deepEqual(await page.evaluate(`edits`), [[0, 0, 0, -0.75]]);
            assert.equal(await page.evaluate(`document.querySelector(".dg-we")`), null);
            // The stepper shows the edited weight.
            await page.evaluate(click("run-forward"));
            const w = (await page.evaluate<Row[]>(ROWS)).find((r) => r.label === "L0.N0.w0")!;
            assert.equal(w.data, "-0.75");
            // Escape closes without an edit.
            await page.evaluate(`document.getElementById("edit-weight").click()`);
            await page.page.keyboard.press("Escape");
            assert.equal(await page.evaluate(`document.querySelector(".dg-we")`), null);
            assert.equal((await page.evaluate<unknown[]>(`edits`)).length, 1);
            assert.deepEqual(page.consoleErrors, []);
          } finally {
            await page.close();
          }
        },
      );

      await t.step("a default 2-16-16-1 model on a 390 px phone: no sideways scroll", async () => {
        const model = new Mlp(2, [16, 16, 1], { seed: 1 });
        const html = `${cwd}/phone.html`;
        await Deno.writeTextFile(
          html,
          await stepperPage({ model: model.toJSON(), point: [0.5, -0.5] }),
        );
        const page = await openPage(`file://${html}`);
        await openRecords(page);
        try {
          await page.page.setViewport({
            width: 390,
            height: 844,
            isMobile: true,
            hasTouch: true,
            deviceScaleFactor: 3,
          });
          // A change to isMobile reloads the page.
          await page.waitFor(`document.querySelector(".dg-st") !== null`);
          await openRecords(page);
          for (const action of ["run-forward", "backward-step", "backward-step", "run-backward"]) {
            await page.evaluate(click(action));
            const [scroll, client] = await page.evaluate<[number, number]>(
              `[document.documentElement.scrollWidth, document.documentElement.clientWidth]`,
            );
            assert.ok(scroll <= client, `${action}: ${scroll} > ${client}`);
          }
          // One neuron at a time: the drawing stays far smaller than the graph.
          const drawn = () =>
            page.evaluate<number>(
              `document.querySelectorAll("[data-stepper=graph] g[data-id]").length`,
            );
          const total = await page.evaluate<number>(
            `document.querySelectorAll("[data-stepper=records] tbody tr").length`,
          );
          assert.ok(await drawn() < total / 5, `${await drawn()} of ${total}`);
          // The whole graph on demand, scrolled inside its card.
          await page.evaluate(click("stepper-view"));
          assert.equal(await drawn(), total);
          await page.evaluate(click("reset-stepper"));
          await page.evaluate(click("run-backward"));
          const [scroll, client] = await page.evaluate<[number, number]>(
            `[document.documentElement.scrollWidth, document.documentElement.clientWidth]`,
          );
          assert.ok(scroll <= client, `whole graph: ${scroll} > ${client}`);
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
