import assert from "node:assert/strict";
import { hexOf, NEGATIVE, POSITIVE } from "../mod.ts";
import { contrast, cssRgb, type Rgb } from "./_helpers.ts";
import { type BrowserPage, IGNORE_BROWSER_TESTS, openPage } from "./_chromium.ts";
import { lines, runCli } from "./_cli.ts";
import { decodeStoredPng } from "./_svg.ts";

/** What the page shows of the network diagram, in computed colours. */
interface Seen {
  card: string;
  ground: string;
  groundAttr: string;
  texts: [string, string][];
  outlines: string[];
  curves: string[];
  stops: string[];
  tiles: { href: string; max: number }[];
  scrollWidth: number;
}

const SEEN = `(() => {
  const svg = document.querySelector("svg#network");
  const cs = (e) => getComputedStyle(e);
  const ground = svg.querySelector(":scope > rect");
  return {
    card: cs(svg.closest(".card")).backgroundColor,
    ground: cs(ground).fill,
    groundAttr: ground.getAttribute("fill"),
    texts: [...svg.querySelectorAll("text")].map((t) => [t.textContent, cs(t).fill]),
    outlines: [...svg.querySelectorAll("[data-node] > rect:first-of-type")].map((r) => cs(r).stroke),
    curves: [...svg.querySelectorAll("polyline")].map((p) => cs(p).stroke),
    stops: [...svg.querySelectorAll("stop")].map((s) => s.getAttribute("stop-color")),
    tiles: [...svg.querySelectorAll("[data-node] image")]
      .map((i) => ({ href: i.getAttribute("href"), max: Number(i.dataset.max) })),
    scrollWidth: document.documentElement.scrollWidth,
  };
})()`;

/**
 * How far along from `paper` toward orange (negative) or blue (positive) a
 * pixel is, as the boundary plot shades a neuron's output over its paper;
 * undefined when it is on neither line.
 */
function along(pixel: Rgb, paper: Rgb): number | undefined {
  for (const far of [NEGATIVE, POSITIVE]) {
    const d = far.map((v, i) => v - paper[i]);
    const k = pixel.reduce((s, v, i) => s + (v - paper[i]) * d[i], 0) /
      d.reduce((s, v) => s + v * v, 0);
    if (k >= -0.01 && pixel.every((v, i) => Math.abs(v - (paper[i] + k * d[i])) <= 1.5)) {
      return k;
    }
  }
  return undefined;
}

/** Checks the diagram in dark mode: on the card, text readable, outlines seen, tiles as the boundary's. */
function checkDark(seen: Seen, where: string): void {
  const card = cssRgb(seen.card);
  assert.notDeepEqual(card, [255, 255, 255], `${where}: the card is dark`);
  assert.deepEqual(cssRgb(seen.ground), card, `${where}: the ground is the card's colour`);
  assert.ok(seen.texts.length > 3, where);
  for (const [text, fill] of seen.texts) {
    const c = contrast(cssRgb(fill), card);
    assert.ok(c >= 4.5, `${where}: "${text}" in ${fill} on ${seen.card}: contrast ${c.toFixed(2)}`);
  }
  for (const s of [...seen.outlines, ...seen.curves]) {
    const c = contrast(cssRgb(s), card);
    assert.ok(c >= 3, `${where}: an outline or a curve in ${s}: contrast ${c.toFixed(2)}`);
  }
  // The tiles and their scale fade into the card at 0 and go three quarters of the way at ±1.
  if (seen.stops.length > 0) assert.deepEqual(cssRgb(seen.stops[2]), card, `${where}: scale at 0`);
  for (const { href, max } of seen.tiles) {
    const { rgb } = decodeStoredPng(href);
    let most = 0;
    for (let i = 0; i < rgb.length; i += 3) {
      const pixel: Rgb = [rgb[i], rgb[i + 1], rgb[i + 2]];
      const k = along(pixel, card);
      assert.ok(k !== undefined && k <= 0.76, `${where}: tile pixel ${pixel} off the scale`);
      most = Math.max(most, k);
    }
    if (max > 0) assert.ok(Math.abs(most - 0.75) < 0.01, `${where}: a tile's largest is ${most}`);
  }
}

/** Checks the diagram in light mode: as it always was, white with dark text and grey-zero tiles. */
function checkLight(seen: Seen, where: string): void {
  assert.deepEqual(cssRgb(seen.ground), [255, 255, 255], where);
  assert.equal(seen.groundAttr, "#ffffff", where);
  assert.ok(
    seen.texts.every(([, fill]) => ["#333333", "#555555", "#666666"].includes(hexOf(cssRgb(fill)))),
    `${where}: ${seen.texts.map(([, f]) => f)}`,
  );
  if (seen.stops.length > 0) assert.equal(seen.stops[2].toLowerCase(), "#e8eaeb", where);
}

const PHONE = { width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const DESKTOP = { width: 1280, height: 900 };

async function open(url: string, dark: boolean, phone: boolean): Promise<BrowserPage> {
  const page = await openPage("about:blank", { timeoutMs: 60_000 });
  await page.page.emulateMediaFeatures([
    { name: "prefers-color-scheme", value: dark ? "dark" : "light" },
  ]);
  await page.page.setViewport(phone ? PHONE : DESKTOP);
  await page.page.goto(url, { waitUntil: "load" });
  await page.waitFor(`document.querySelector("svg#network [data-neuron]")`, 60_000);
  return page;
}

Deno.test({
  name:
    "in dark mode the network diagram is drawn on the card: readable text, tiles as the boundary's, no sideways scroll on a phone",
  ignore: IGNORE_BROWSER_TESTS,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const cwd = await Deno.makeTempDir({ prefix: "denograd_network_dark_" });
    try {
      for (const name of ["moons", "sine"]) {
        const r = await runCli(
          ["train", "--dataset", name, "--steps", "20", "--out", name, "--quiet"],
          { cwd },
        );
        assert.equal(r.code, 0, r.stderr);
        const url = `file://${cwd}/${name}/report.html`;
        for (const dark of [true, false]) {
          for (const phone of [false, true]) {
            const where = `${name} report, ${dark ? "dark" : "light"}, ${
              phone ? "phone" : "desktop"
            }`;
            await t.step(where, async () => {
              await using page = await open(url, dark, phone);
              const seen = await page.evaluate<Seen>(SEEN);
              if (name === "sine") assert.ok(seen.curves.length > 0, "1-D data draws curves");
              (dark ? checkDark : checkLight)(seen, where);
              if (phone) assert.ok(seen.scrollWidth <= PHONE.width, `scrolls: ${seen.scrollWidth}`);
              assert.deepEqual(page.consoleErrors, []);
            });
          }
        }
      }

      await t.step(
        "the playground's worker draws on the dark card; light mode redraws it white",
        async () => {
          const out = `${cwd}/playground.html`;
          const r = await runCli(["playground", "--out", out], { cwd });
          assert.equal(r.code, 0, r.stderr);
          assert.equal(lines(r.stdout).at(-1), out);
          await using page = await open(`file://${out}#steps=30`, true, true);
          await page.waitFor(`document.querySelector("#status")?.dataset.step === "0"`);
          await page.evaluate(`document.querySelector("[data-action=play]").click()`);
          await page.waitFor(`document.querySelector("#status").dataset.step === "30"`, 60_000);
          await new Promise((resolve) => setTimeout(resolve, 500));
          const seen = await page.evaluate<Seen>(SEEN);
          checkDark(seen, "playground, dark");
          // Drawn on the card by whoever drew it (the worker, told the page's colour), not only restyled.
          assert.deepEqual(cssRgb(seen.groundAttr), cssRgb(seen.card));
          assert.ok(seen.scrollWidth <= PHONE.width, `scrolls: ${seen.scrollWidth}`);
          await page.page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "light" }]);
          await page.waitFor(
            `document.querySelector("svg#network > rect").getAttribute("fill") === "#ffffff"`,
          );
          checkLight(await page.evaluate<Seen>(SEEN), "playground, light again");
          assert.deepEqual(page.consoleErrors, []);
        },
      );
    } finally {
      await Deno.remove(cwd, { recursive: true });
    }
  },
});
