import assert from "node:assert/strict";
import { escapeXml, Mlp, networkSvg } from "../mod.ts";
import { allText, decodeStoredPng, findAll, parseXml, titleOf, withAttr } from "./_svg.ts";

const BLUE = "#0877bd";
const ORANGE = "#f59322";

function names(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${i}`);
}

Deno.test("escapeXml() escapes markup and replaces what XML cannot hold", () => {
  assert.equal(escapeXml(`<a href="x">&'</a>`), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
  assert.equal(escapeXml("a\x1b[31mb\x00"), "a\ufffd[31mb\ufffd");
  assert.equal(escapeXml("tab\tnewline\n"), "tab\tnewline\n");
});

Deno.test("networkSvg() draws one [data-neuron] per neuron and one [data-weight] per weight of the default model", () => {
  const model = new Mlp(2, [16, 16, 1]);
  const svg = parseXml(networkSvg(model));
  assert.equal(svg.name, "svg");
  const neurons = withAttr(svg, "data-neuron").map((e) => e.attrs["data-neuron"]);
  assert.deepEqual(neurons, [...names("L0.N", 16), ...names("L1.N", 16), "L2.N0"]);
  const weights = withAttr(svg, "data-weight").map((e) => e.attrs["data-weight"]);
  const want = model.layers.flatMap((layer, l) =>
    layer.neurons.flatMap((n, j) => n.w.map((_, i) => `L${l}.N${j}.w${i}`))
  );
  assert.equal(weights.length, 2 * 16 + 16 * 16 + 16 * 1);
  assert.deepEqual([...weights].sort(), [...want].sort());
  // The names are the parameters' own labels.
  const labels = new Set(model.parameters().map((p) => p.label));
  for (const w of weights) assert.ok(labels.has(w), w);
  const biases = withAttr(svg, "data-bias").map((e) => e.attrs["data-bias"]);
  assert.equal(biases.length, 33);
  for (const b of biases) assert.ok(labels.has(b), b);
  assert.deepEqual(withAttr(svg, "data-input").map((e) => e.attrs["data-input"]), ["x1", "x2"]);
});

Deno.test("networkSvg() colours each weight by its sign and sizes it by its magnitude", () => {
  const model = new Mlp(2, [3, 1], { seed: 4 });
  const w = model.layers[0].neurons[1].w;
  w[0].data = 2; // the largest: thickest
  w[1].data = -0.5;
  model.layers[1].neurons[0].w[2].data = 0;
  const svg = parseXml(networkSvg(model));
  const byName = new Map(withAttr(svg, "data-weight").map((e) => [e.attrs["data-weight"], e]));
  for (const [l, layer] of model.layers.entries()) {
    for (const [j, n] of layer.neurons.entries()) {
      for (const [i, v] of n.w.entries()) {
        const el = byName.get(`L${l}.N${j}.w${i}`)!;
        const stroke = el.attrs.stroke;
        if (v.data > 0) assert.equal(stroke, BLUE, `L${l}.N${j}.w${i} = ${v.data}`);
        else if (v.data < 0) assert.equal(stroke, ORANGE, `L${l}.N${j}.w${i} = ${v.data}`);
        else assert.ok(stroke !== BLUE && stroke !== ORANGE, `a zero weight is ${stroke}`);
      }
    }
  }
  const width = (name: string) => Number(byName.get(name)!.attrs["stroke-width"]);
  const all = [...byName.keys()].map(width);
  assert.equal(width("L0.N1.w0"), Math.max(...all));
  assert.ok(width("L0.N1.w0") > width("L0.N1.w1"));
  assert.equal(width("L1.N0.w2"), Math.min(...all));
});

Deno.test("networkSvg() shows each weight's value and grad on hover", () => {
  const model = new Mlp(2, [2, 1], { seed: 2 });
  const [y] = model.forward([0.5, -1.5]);
  y.backward();
  const svg = parseXml(networkSvg(model));
  const w = model.layers[1].neurons[0].w[1];
  const el = withAttr(svg, "data-weight").find((e) => e.attrs["data-weight"] === "L1.N0.w1")!;
  const title = titleOf(el)!;
  assert.ok(w.grad !== 0);
  assert.match(title, new RegExp(`= ${w.data.toFixed(4)}, grad ${w.grad.toFixed(4)}`));
  const b = model.layers[0].neurons[0].b;
  const bias = withAttr(svg, "data-bias").find((e) => e.attrs["data-bias"] === "L0.N0.b")!;
  assert.match(titleOf(bias)!, new RegExp(`= ${b.data.toFixed(4)}, grad ${b.grad.toFixed(4)}`));
  const neuron = withAttr(svg, "data-neuron").find((e) => e.attrs["data-neuron"] === "L0.N0")!;
  assert.match(titleOf(neuron)!, /L0\.N0: relu, bias/);
});

Deno.test("networkSvg() caps wide layers and says how many neurons are not drawn", () => {
  const model = new Mlp(3, [40, 20, 2], { seed: 1 });
  const text = networkSvg(model, { maxNeurons: 8 });
  const svg = parseXml(text);
  assert.equal(withAttr(svg, "data-neuron").length, 8 + 8 + 2);
  assert.equal(withAttr(svg, "data-input").length, 3);
  assert.equal(withAttr(svg, "data-weight").length, 3 * 8 + 8 * 8 + 8 * 2);
  const words = allText(svg);
  assert.match(words, /\+32 more/);
  assert.match(words, /\+12 more/);
  assert.match(words, /L0: 8 of 40; L1: 8 of 20/);
  // The default cap is 16, and inputs are capped too.
  const wide = parseXml(networkSvg(new Mlp(100, [1], { seed: 1 })));
  assert.equal(withAttr(wide, "data-input").length, 16);
  assert.equal(withAttr(wide, "data-weight").length, 16);
  assert.match(allText(wide), /\+84 more/);
  assert.match(allText(wide), /inputs: 16 of 100/);
});

Deno.test("networkSvg() stays the same size however wide the layers are", () => {
  const size = (svg: string) => {
    const { width, height } = parseXml(svg).attrs;
    return [Number(width), Number(height)];
  };
  const [w1, h1] = size(networkSvg(new Mlp(2, [16, 16, 1], { seed: 1 }), { heatmaps: false }));
  const [w2, h2] = size(networkSvg(new Mlp(2, [300, 300, 1], { seed: 1 }), { heatmaps: false }));
  assert.equal(w2, w1);
  assert.ok(h2 <= h1 + 40, `${h2} vs ${h1}`);
  assert.ok(w1 <= 1920 && h1 <= 1080, `${w1}x${h1}`);
});

Deno.test("networkSvg() draws each neuron's output over the input plane for 2-D input", () => {
  // One linear neuron y = x1: orange on the left of the plane, blue on the right.
  const model = new Mlp(2, [1], { seed: 1 });
  const [n] = model.layers[0].neurons;
  n.w[0].data = 1;
  n.w[1].data = 0;
  const svg = parseXml(networkSvg(model, { extent: [-1, 3, -2, 2], resolution: 8 }));
  const images = findAll(svg, (e) => e.name === "image");
  assert.equal(images.length, 3); // x1, x2 and the neuron
  const neuron = withAttr(svg, "data-neuron")[0];
  const img = findAll(neuron, (e) => e.name === "image")[0];
  const { width, height, rgb } = decodeStoredPng(img.attrs.href);
  assert.equal(width, 8);
  assert.equal(height, 8);
  const pixel = (x: number, y: number) => [...rgb.subarray((y * 8 + x) * 3, (y * 8 + x) * 3 + 3)];
  assert.deepEqual(pixel(7, 0), [0x08, 0x77, 0xbd]); // x1 = 2.75, the largest: full blue
  assert.deepEqual(pixel(7, 7), pixel(7, 0)); // no change along x2
  const left = pixel(0, 3); // x1 = -0.75: orange, lighter (0.75 / 2.75)
  assert.ok(left[0] > left[2], `${left}`);
  assert.ok(left[0] < 0xf5 + 1 && left[2] > 0x22, `${left}`);
  // The x2 input: blue at the top of the plane (y = 2), orange at the bottom.
  const x2 = findAll(withAttr(svg, "data-input")[1], (e) => e.name === "image")[0];
  const top = decodeStoredPng(x2.attrs.href).rgb.subarray(0, 3);
  assert.ok(top[2] > top[0], `${top}`);

  // Not for other than two inputs, nor when asked not to.
  assert.equal(
    findAll(parseXml(networkSvg(new Mlp(3, [2, 1]))), (e) => e.name === "image").length,
    0,
  );
  const off = networkSvg(new Mlp(2, [2, 1]), { heatmaps: false });
  assert.equal(findAll(parseXml(off), (e) => e.name === "image").length, 0);
});

Deno.test("networkSvg() leaves heatmaps out of a model too large to evaluate, and says so", () => {
  const svg = parseXml(networkSvg(new Mlp(2, [320, 320, 1], { seed: 1 }), { resolution: 16 }));
  assert.equal(findAll(svg, (e) => e.name === "image").length, 0);
  assert.match(allText(svg), /Heatmaps left out/);
});

Deno.test("networkSvg() escapes every name it shows", () => {
  const model = new Mlp(2, [2, 2], { seed: 1 });
  const evil = `<script>alert("x")</script>&amp;`;
  const text = networkSvg(model, {
    inputNames: [evil, "a\x1bb"],
    outputNames: ["<b>yes</b>", "no"],
    id: `n"><script>`,
  });
  assert.doesNotMatch(text, /<script|<b>/);
  const svg = parseXml(text);
  assert.equal(svg.attrs.id, `n"><script>`);
  assert.equal(findAll(svg, (e) => e.name === "script" || e.name === "b").length, 0);
  assert.match(allText(svg), /<script>alert\("x"\)<\/script>&amp;/);
  assert.match(allText(svg), /<b>yes<\/b>/);
  assert.match(allText(svg), /a\ufffdb/);
});

Deno.test("networkSvg() refuses options out of range", () => {
  const model = new Mlp(2, [2, 1]);
  assert.throws(() => networkSvg(model, { maxNeurons: 0 }), RangeError);
  assert.throws(() => networkSvg(model, { maxNeurons: 2.5 }), RangeError);
  assert.throws(() => networkSvg(model, { resolution: 1 }), RangeError);
  assert.throws(() => networkSvg(model, { resolution: 1000 }), RangeError);
  assert.throws(() => networkSvg(model, { extent: [1, -1, 0, 1] }), /'extent'/);
  assert.throws(() => networkSvg(model, { extent: [0, NaN, 0, 1] }), RangeError);
});

Deno.test("networkSvg() draws non-finite weights without breaking the picture", () => {
  const model = new Mlp(2, [2, 1], { seed: 1 });
  model.layers[0].neurons[0].w[0].data = NaN;
  model.layers[0].neurons[1].w[1].data = Infinity;
  const svg = parseXml(networkSvg(model));
  assert.equal(withAttr(svg, "data-weight").length, 6);
  for (const e of withAttr(svg, "data-weight")) {
    assert.ok(Number.isFinite(Number(e.attrs["stroke-width"])));
  }
});
