import assert from "node:assert/strict";
import { Mlp } from "../mod.ts";
import { IGNORE_BROWSER_TESTS, openPage } from "./_chromium.ts";
import { runCli } from "./_cli.ts";
import { findAll, parseXml, tileValues, withAttr } from "./_svg.ts";

async function train(cwd: string, out: string, args: string[]): Promise<string> {
  const r = await runCli(["train", ...args, "--out", out, "--quiet"], { cwd });
  assert.equal(r.code, 0, r.stderr);
  return `file://${cwd}/${out}/report.html`;
}

/** `#rrggbb` or `rgb(r, g, b)` as `#rrggbb`. */
function hex(colour: string): string {
  const m = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(colour);
  if (!m) return colour.toLowerCase();
  return "#" + m.slice(1, 4).map((v) => Number(v).toString(16).padStart(2, "0")).join("");
}

Deno.test({
  name:
    "the report's network shows the model on its feature crosses, and never a class in a sign's colour",
  ignore: IGNORE_BROWSER_TESTS,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const cwd = await Deno.makeTempDir({ prefix: "denograd_network_" });
    try {
      await t.step("circles on x1^2, x2^2: every tile is the model on those features", async () => {
        const url = await train(cwd, "circles", [
          "--dataset",
          "circles",
          "--features",
          "x1^2,x2^2",
          "--layers",
          "3",
          "--steps",
          "40",
        ]);
        const file = JSON.parse(await Deno.readTextFile(`${cwd}/circles/model.json`));
        const model = Mlp.fromJSON(file.model);
        await using page = await openPage(url);
        await page.waitFor(`document.querySelector("#network [data-neuron]")`);
        const svg = parseXml(
          await page.evaluate<string>(`document.getElementById("network").outerHTML`),
        );
        const [x0, x1, y0, y1] = svg.attrs["data-extent"].split(" ").map(Number);
        let checked = 0;
        for (const g of withAttr(svg, "data-node")) {
          const image = findAll(g, (e) => e.name === "image")[0];
          const { size, values } = tileValues(image);
          const max = Number(image.attrs["data-max"]);
          const node = g.attrs["data-node"];
          for (let r = 0; r < size; r++) {
            for (let c = 0; c < size; c++) {
              const a = x0 + (c + 0.5) / size * (x1 - x0);
              const b = y1 - (r + 0.5) / size * (y1 - y0);
              let acts = [a * a, b * b];
              let want = node === "in0" ? acts[0] : node === "in1" ? acts[1] : NaN;
              model.layers.forEach((layer, l) => {
                acts = layer.forward(acts).map((v) => v.data);
                const m = new RegExp(`^L${l}\\.N(\\d+)$`).exec(node);
                if (m) want = acts[Number(m[1])];
              });
              const got = values[r * size + c];
              assert.ok(
                Math.abs(got - want) <= 0.005 * max + 1e-9,
                `${node} ${r},${c}: ${got} vs ${want}`,
              );
              checked++;
            }
          }
        }
        assert.equal(checked, (2 + 3 + 1) * 16 * 16);
        assert.deepEqual(page.consoleErrors, []);
      });

      await t.step("spiral, 3 classes: class colours and sign colours are disjoint", async () => {
        const url = await train(cwd, "spiral", ["--dataset", "spiral", "--steps", "20"]);
        await using page = await openPage(url);
        await page.waitFor(`document.querySelector("#network [data-neuron]")`);
        const used = await page.evaluate<{ classes: string[]; signs: string[] }>(`({
          classes: [...document.querySelectorAll(".legend .swatch")].map((e) => getComputedStyle(e).backgroundColor),
          signs: [...document.querySelectorAll("#network [data-weight], #network [data-bias]")]
            .map((e) => e.getAttribute("stroke") ?? e.getAttribute("fill")),
        })`);
        const classes = new Set(used.classes.map(hex));
        const signs = new Set(used.signs.map(hex));
        assert.equal(classes.size, 3, [...classes].join());
        assert.ok(signs.has("#0877bd") && signs.has("#f59322"), [...signs].join());
        for (const c of classes) {
          assert.ok(!signs.has(c), `class colour ${c} is also a sign colour`);
        }
        // Nor near one: each class colour is far from orange and from blue.
        const rgb = (h: string) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
        for (const c of classes) {
          for (const s of ["#0877bd", "#f59322"]) {
            const d = Math.hypot(...rgb(c).map((v, i) => v - rgb(s)[i]));
            assert.ok(d > 100, `${c} is near ${s} (${d.toFixed(0)})`);
          }
        }
      });

      await t.step(
        "moons: hover and tap show a weight's value and grad and light its two ends; a neuron shows in the boundary plot",
        async () => {
          const url = await train(cwd, "moons", ["--steps", "20"]);
          await using page = await openPage(url);
          await page.waitFor(`document.querySelector("#network [data-neuron]")`);
          const state = await page.evaluate<{ readout: string; hot: string[] }>(`(() => {
          const w = document.querySelector('#network [data-weight="L1.N2.w5"]');
          w.dispatchEvent(new MouseEvent("click", { bubbles: true }));
          return {
            readout: document.querySelector(".network-readout").textContent,
            hot: [...document.querySelectorAll("#network .hot")].map((e) =>
              e.getAttribute("data-weight") ?? e.getAttribute("data-node")
            ).sort(),
          };
        })()`);
          assert.match(state.readout, /^L1\.N2\.w5 = -?\d\.\d{4}, grad -?\d/);
          assert.deepEqual(state.hot, ["L0.N5", "L1.N2", "L1.N2.w5"]);
          // A second tap unpins the weight.
          await page.evaluate(`document.querySelector('#network [data-weight="L1.N2.w5"]')
          .dispatchEvent(new MouseEvent("click", { bubbles: true }))`);
          assert.equal(await page.evaluate(`document.querySelectorAll("#network .hot").length`), 0);
          await new Promise((r) => setTimeout(r, 500));
          const before = await page.evaluate<string>(
            `document.getElementById("boundary").toDataURL()`,
          );
          await page.evaluate(`document.querySelector('#network [data-neuron="L0.N3"] rect')
          .dispatchEvent(new PointerEvent("pointerover", { bubbles: true, pointerType: "mouse" }))`);
          const during = await page.evaluate<string>(
            `document.getElementById("boundary").toDataURL()`,
          );
          assert.notEqual(during, before);
          await page.evaluate(`document.querySelector("#network").closest(".network")
          .dispatchEvent(new PointerEvent("pointerleave", { pointerType: "mouse" }))`);
          const after = await page.evaluate<string>(
            `document.getElementById("boundary").toDataURL()`,
          );
          assert.equal(after, before);
          assert.deepEqual(page.consoleErrors, []);
        },
      );

      await t.step("a wide layer: the button draws all its neurons", async () => {
        const url = await train(cwd, "wide", ["--layers", "24", "--steps", "5"]);
        await using page = await openPage(url);
        await page.waitFor(`document.querySelector("#network [data-neuron]")`);
        const count = () =>
          page.evaluate<number>(`document.querySelectorAll("#network [data-neuron]").length`);
        assert.equal(await count(), 16 + 1);
        await page.evaluate(`document.querySelector(".network-all").click()`);
        assert.equal(await count(), 24 + 1);
        assert.match(
          await page.evaluate<string>(`document.querySelector(".network-all").textContent`),
          /16 most important/,
        );
      });
    } finally {
      await Deno.remove(cwd, { recursive: true });
    }
  },
});
