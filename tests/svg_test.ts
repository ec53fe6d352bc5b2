import assert from "node:assert/strict";
import {
  boundarySvg,
  escapeXml,
  GraphTooLargeError,
  lineChartSvg,
  Mlp,
  networkSvg,
  toSvg,
  Value,
} from "../mod.ts";
import {
  allText,
  decodeStoredPng,
  findAll,
  parseXml,
  tileValues,
  titleOf,
  withAttr,
  type XmlElement,
} from "./_svg.ts";

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

  // Not when asked not to.
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

/** The lecture's neuron: o = tanh(x1*w1 + x2*w2 + b), with its grads. */
function lectureNeuron(): Value {
  const x1 = new Value(2, { label: "x1" });
  const x2 = new Value(0, { label: "x2" });
  const w1 = new Value(-3, { label: "w1" });
  const w2 = new Value(1, { label: "w2" });
  const b = new Value(6.8813735870195432, { label: "b" });
  const x1w1 = x1.mul(w1);
  x1w1.label = "x1*w1";
  const x2w2 = x2.mul(w2);
  x2w2.label = "x2*w2";
  const sum = x1w1.add(x2w2);
  sum.label = "x1*w1 + x2*w2";
  const n = sum.add(b);
  n.label = "n";
  const o = n.tanh();
  o.label = "o";
  o.backward();
  return o;
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

function boxOf(g: XmlElement): Box {
  const rect = g.children.find((c) => c.name === "rect");
  if (rect !== undefined) {
    const { x, y, width, height } = rect.attrs;
    return { x: +x, y: +y, w: +width, h: +height };
  }
  const e = g.children.find((c) => c.name === "ellipse")!;
  const { cx, cy, rx, ry } = e.attrs;
  return { x: +cx - +rx, y: +cy - +ry, w: 2 * +rx, h: 2 * +ry };
}

Deno.test("toSvg() draws micrograd's records and ops for the lecture's neuron", () => {
  const svg = parseXml(toSvg(lectureNeuron()));
  const records = withAttr(svg, "data-value");
  assert.deepEqual(
    records.map((r) => r.attrs["data-value"]).sort(),
    ["b", "n", "o", "w1", "w2", "x1", "x1*w1", "x1*w1 + x2*w2", "x2", "x2*w2"],
  );
  assert.deepEqual(withAttr(svg, "data-op").map((o) => o.attrs["data-op"]).sort(), [
    "*",
    "*",
    "+",
    "+",
    "tanh",
  ]);
  const cells = (label: string) =>
    findAll(records.find((r) => r.attrs["data-value"] === label)!, (e) => e.name === "text")
      .map((t) => t.text);
  assert.deepEqual(cells("o"), ["o", "data 0.7071", "grad 1.0000"]);
  assert.deepEqual(cells("n"), ["n", "data 0.8814", "grad 0.5000"]);
  assert.deepEqual(cells("x1"), ["x1", "data 2.0000", "grad -1.5000"]);
  assert.deepEqual(cells("w2"), ["w2", "data 1.0000", "grad 0.0000"]);
  // Every digit on hover.
  const x1 = records.find((r) => r.attrs["data-value"] === "x1")!;
  assert.equal(titleOf(x1), "x1: data 2, grad -1.4999999999999993");
});

Deno.test("toSvg() lays the graph out left to right with no overlapping boxes", () => {
  const x = new Value(3, { label: "x" });
  const root = lectureNeuron().add(x.mul(x).relu()).mul(x);
  root.label = "root";
  root.backward();
  const svg = parseXml(toSvg(root, { maxWidth: 2560 }));
  const { width, height } = svg.attrs;
  const boxes = [...withAttr(svg, "data-value"), ...withAttr(svg, "data-op")].map(boxOf);
  for (const b of boxes) {
    assert.ok(b.x >= 0 && b.y >= 0 && b.x + b.w <= +width && b.y + b.h <= +height, `${b.x},${b.y}`);
  }
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, b] = [boxes[i], boxes[j]];
      const apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
      assert.ok(apart, `boxes ${i} and ${j} overlap`);
    }
  }
  // Inputs left of what uses them: the root is rightmost, every leaf left of it.
  const byLabel = new Map(
    withAttr(svg, "data-value").map((r) => [r.attrs["data-value"], boxOf(r)]),
  );
  const rootBox = byLabel.get("root")!;
  for (const [label, b] of byLabel) if (label !== "root") assert.ok(b.x < rootBox.x, label);
  assert.ok(byLabel.get("x1")!.x < byLabel.get("n")!.x);
  assert.ok(byLabel.get("n")!.x < byLabel.get("o")!.x);
  // x is used three times but drawn once.
  assert.equal(withAttr(svg, "data-value").filter((r) => r.attrs["data-value"] === "x").length, 1);
});

Deno.test("toSvg() refuses a picture larger than a screen unless asked", () => {
  // micrograd's README example is a long chain: about 4500 px wide.
  const a = new Value(-4, { label: "a" });
  const b = new Value(2, { label: "b" });
  let c = a.add(b);
  let d = a.mul(b).add(b.pow(3));
  c = c.add(c.add(1));
  c = c.add(c.add(1).add(a.neg()));
  d = d.add(d.mul(2).add(b.add(a).relu()));
  d = d.add(d.mul(3).add(b.sub(a).relu()));
  const g = c.sub(d).pow(2);
  g.backward();
  assert.throws(() => toSvg(g), (e) => {
    assert.ok(e instanceof GraphTooLargeError && e instanceof RangeError);
    assert.ok(e.width > 1920, `${e.width}`);
    assert.match(e.message, /more than the 1920x1080 px allowed/);
    return true;
  });
  const big = parseXml(toSvg(g, { maxWidth: Infinity, maxHeight: Infinity }));
  assert.ok(+big.attrs.width > 1920);
  // A huge graph is refused before it is laid out.
  const chain = Value.sum(Array.from({ length: 20_000 }, (_, i) => new Value(i).mul(2)));
  assert.throws(() => toSvg(chain), GraphTooLargeError);
  // What is drawn fits the limits given.
  const small = parseXml(toSvg(lectureNeuron(), { maxWidth: 1600, maxHeight: 200 }));
  assert.ok(+small.attrs.width <= 1600 && +small.attrs.height <= 200);
  assert.throws(() => toSvg(lectureNeuron(), { maxWidth: 800 }), GraphTooLargeError);
});

Deno.test("toSvg() escapes labels and checks its options", () => {
  const v = new Value(1, { label: `<img src=x onerror="alert(1)">&` }).tanh();
  v.backward();
  const text = toSvg(v);
  assert.doesNotMatch(text, /<img/);
  const svg = parseXml(text);
  assert.equal(
    withAttr(svg, "data-value")[0].attrs["data-value"],
    `<img src=x onerror="alert(1)">&`,
  );
  assert.throws(() => toSvg(v, { precision: -1 }), RangeError);
  assert.throws(() => toSvg(v, { maxWidth: 0 }), RangeError);
  assert.match(toSvg(v, { precision: 1 }), />data 1\.0</);
  // A lone leaf, and non-finite numbers, still draw.
  const lone = parseXml(toSvg(new Value(NaN, { label: "nan" })));
  assert.equal(withAttr(lone, "data-value").length, 1);
});

Deno.test("a Value and an Mlp show themselves in a Jupyter notebook", () => {
  const display = Symbol.for("Jupyter.display");
  type Displayable = { [display](): Record<string, string> };
  const o = lectureNeuron();
  const bundle = (o as unknown as Displayable)[display]();
  assert.deepEqual(Object.keys(bundle).sort(), ["image/svg+xml", "text/html", "text/plain"]);
  assert.equal(withAttr(parseXml(bundle["image/svg+xml"]), "data-value").length, 10);
  // The HTML fallback, which nbconvert keeps, is the same picture as an <img>.
  const url = /^<img src="data:image\/svg\+xml;base64,([^"]+)"/.exec(bundle["text/html"])![1];
  assert.equal(
    new TextDecoder().decode(Uint8Array.from(atob(url), (c) => c.charCodeAt(0))),
    bundle["image/svg+xml"],
  );
  // Too large: a line saying so, not a picture no one can read.
  const big = Value.sum(Array.from({ length: 5_000 }, (_, i) => new Value(i)));
  const note = (big as unknown as Displayable)[display]();
  assert.equal(note["image/svg+xml"], undefined);
  assert.match(note["text/html"], /too large to draw here/);
  assert.match(note["text/html"], /maxWidth: Infinity/);
  const model = new Mlp(2, [16, 16, 1]);
  const net = (model as unknown as Displayable)[display]();
  assert.equal(withAttr(parseXml(net["image/svg+xml"]), "data-neuron").length, 33);
  assert.equal(net["text/plain"], model.toString());
});

Deno.test("lineChartSvg() draws each series as a line, broken where values are missing", () => {
  const svg = parseXml(lineChartSvg([
    { name: "loss", values: [3, 2, NaN, 1, 0.5] },
    { name: "<test>", values: [4, 3, 2, 1, 0.8], dashed: true },
  ], { title: "Loss & more" }));
  const lines = findAll(svg, (e) => e.name === "polyline");
  const loss = lines.filter((l) => l.attrs["data-series"] === "loss");
  assert.deepEqual(loss.map((l) => l.attrs.points.split(" ").length), [2, 2]);
  const test = lines.find((l) => l.attrs["data-series"] === "<test>")!;
  assert.equal(test.attrs["stroke-dasharray"], "5 3");
  // Later steps to the right, lower values lower down.
  const pts = test.attrs.points.split(" ").map((p) => p.split(",").map(Number));
  for (let k = 1; k < pts.length; k++) {
    assert.ok(pts[k][0] > pts[k - 1][0]);
    assert.ok(pts[k][1] > pts[k - 1][1]);
  }
  assert.match(allText(svg), /Loss & more/);
  assert.match(allText(svg), /<test> 0\.8/);
});

Deno.test("lineChartSvg() on a log axis leaves out what it cannot draw, and checks its options", () => {
  const svg = parseXml(lineChartSvg([{ name: "loss", values: [1, 0, 0.1, 0.01] }], { logY: true }));
  const lines = findAll(svg, (e) => e.name === "polyline");
  assert.deepEqual(lines.map((l) => l.attrs.points.split(" ").length), [2]);
  assert.equal(findAll(svg, (e) => e.name === "circle").length, 1); // the lone first point
  assert.match(allText(svg), /0\.01/);
  assert.throws(() => lineChartSvg([], { yRange: [1, 0] }), RangeError);
  assert.throws(() => lineChartSvg([], { width: 10 }), RangeError);
  // No values at all still draws an empty chart.
  assert.equal(parseXml(lineChartSvg([{ name: "x", values: [] }])).name, "svg");
});

Deno.test("boundarySvg() draws the points over the model's scores, with equal aspect", () => {
  // A model whose score is x1: negative (orange) on the left, positive (blue) on the right.
  const model = new Mlp(2, [1], { seed: 1 });
  model.layers[0].neurons[0].w[0].data = 1;
  model.layers[0].neurons[0].w[1].data = 0;
  const data = { x: [[-1, 0.5], [1, 0.5], [0.5, 0.2], [9, 9]], y: [0, 1, 1, 0], classes: 2 };
  const svg = parseXml(boundarySvg(model, data, { extent: [-2, 2, 0, 1], resolution: 40 }));
  const circles = findAll(svg, (e) => e.name === "circle");
  assert.equal(circles.length, 3); // the point outside the extent is left out
  assert.deepEqual(circles.map((c) => c.attrs.fill), ["#f59322", "#0877bd", "#0877bd"]);
  assert.ok(
    +circles[0].attrs.cx < +circles[2].attrs.cx && +circles[2].attrs.cx < +circles[1].attrs.cx,
  );
  const img = withAttr(svg, "data-boundary")[0];
  assert.ok(
    Math.abs(+img.attrs.width / +img.attrs.height - 4) < 0.05,
    `${img.attrs.width}x${img.attrs.height}`,
  );
  const { width, height, rgb } = decodeStoredPng(img.attrs.href);
  assert.equal(width, 40);
  assert.equal(height, 10);
  const left = rgb.subarray(0, 3);
  const right = rgb.subarray((width - 1) * 3, width * 3);
  assert.ok(left[0] > left[2] && right[2] > right[0], `${left} / ${right}`);
  // Labels -1/+1 work as 0/1 do.
  const pm = parseXml(
    boundarySvg(undefined, { ...data, y: [-1, 1, 1, -1] }, { extent: [-2, 2, 0, 1] }),
  );
  assert.deepEqual(findAll(pm, (e) => e.name === "circle").map((c) => c.attrs.fill), [
    "#f59322",
    "#0877bd",
    "#0877bd",
  ]);
  assert.equal(withAttr(pm, "data-boundary").length, 0);
});

Deno.test("boundarySvg() colours classes, escapes names, and refuses what is not 2-D", () => {
  const data = {
    x: [[0, 0], [1, 1], [2, 0]],
    y: [0, 1, 2],
    classes: 3,
    featureNames: ["<i>a</i>", "b"],
  };
  const text = boundarySvg(new Mlp(2, [3], { seed: 2 }), data, { title: "<b>x</b>" });
  assert.doesNotMatch(text, /<i>|<b>/);
  const svg = parseXml(text);
  const fills = findAll(svg, (e) => e.name === "circle").map((c) => c.attrs.fill);
  assert.equal(new Set(fills).size, 3);
  assert.match(allText(svg), /<i>a<\/i>/);
  assert.throws(() => boundarySvg(undefined, { x: [[1, 2, 3]], y: [0], classes: 2 }), TypeError);
  assert.throws(() => boundarySvg(new Mlp(3, [1]), data), TypeError);
  assert.throws(() => boundarySvg(undefined, data, { resolution: 1 }), RangeError);
  assert.throws(() => boundarySvg(undefined, data, { extent: [0, 0, 0, 1] }), RangeError);
});

Deno.test("boundarySvg() colours real targets on a scale for regression", () => {
  // y = x1 over the plane; targets -2 (orange), 0 (grey) and 2 (blue).
  const model = new Mlp(2, [1], { seed: 1 });
  model.layers[0].neurons[0].w[0].data = 1;
  model.layers[0].neurons[0].w[1].data = 0;
  const data = { x: [[-2, 0], [0, 0], [2, 0]], y: [-2, 0, 2] } as unknown as Parameters<
    typeof boundarySvg
  >[1];
  const svg = parseXml(boundarySvg(model, data, { extent: [-2, 2, -1, 1] }));
  const fills = findAll(svg, (e) => e.name === "circle").map((c) => c.attrs.fill);
  assert.deepEqual(fills, ["#f59322", "#e8eaeb", "#0877bd"]);
  // Asked for explicitly, the same.
  const asked = parseXml(
    boundarySvg(model, { ...data, classes: 3 }, { problem: "regression", extent: [-2, 2, -1, 1] }),
  );
  assert.deepEqual(findAll(asked, (e) => e.name === "circle").map((c) => c.attrs.fill), fills);
});

/** Each drawn tile of `svg` with the node it belongs to (`in0`, `L0.N3`). */
function tiles(svg: XmlElement): Map<string, XmlElement> {
  return new Map(
    withAttr(svg, "data-node").map((g) => [
      g.attrs["data-node"],
      findAll(g, (e) => e.name === "image" || e.name === "polyline")[0],
    ]),
  );
}

/** Every neuron's output at `point` of the data, the model fed `features` of it. */
function outputsAt(model: Mlp, input: number[]): Map<string, number> {
  const out = new Map<string, number>();
  input.forEach((x, i) => out.set(`in${i}`, x));
  let acts = input;
  model.layers.forEach((layer, l) => {
    acts = layer.forward(acts).map((v) => v.data);
    acts.forEach((a, j) => out.set(`L${l}.N${j}`, a));
  });
  return out;
}

function assertTileIs(
  name: string,
  image: XmlElement,
  expected: (row: number, col: number) => number,
): void {
  const { size, values } = tileValues(image);
  const max = Number(image.attrs["data-max"]);
  let biggest = 0;
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const want = expected(r, c);
      biggest = Math.max(biggest, Math.abs(want));
      const got = values[r * size + c];
      assert.ok(
        Math.abs(got - want) <= 0.004 * max + 1e-12,
        `${name} at ${r},${c}: ${got} vs ${want}`,
      );
    }
  }
  assert.ok(
    Math.abs(biggest - max) <= 1e-9 * Math.max(1, max),
    `${name}: data-max ${max} vs ${biggest}`,
  );
}

Deno.test("networkSvg() feeds each tile the model's feature crosses: a neuron's heatmap is the model on its features", () => {
  const model = new Mlp(2, [3, 2], { seed: 4 });
  const extent = [-1, 2, -1.5, 1.5] as const;
  const n = 8;
  const svg = parseXml(
    networkSvg(model, { features: ["x1^2", "x1*x2"], extent, resolution: n }),
  );
  assert.deepEqual(withAttr(svg, "data-input").map((e) => e.attrs["data-input"]), [
    "x1^2",
    "x1*x2",
  ]);
  const drawn = tiles(svg);
  assert.equal(drawn.size, 2 + 3 + 2);
  const at = (r: number, c: number) => {
    const x1 = extent[0] + (c + 0.5) / n * (extent[1] - extent[0]);
    const x2 = extent[3] - (r + 0.5) / n * (extent[3] - extent[2]);
    return outputsAt(model, [x1 * x1, x1 * x2]);
  };
  for (const [node, image] of drawn) assertTileIs(node, image, (r, c) => at(r, c).get(node)!);
  // The x1^2 tile is never below 0: no orange, as raw x1 would have.
  assert.ok(tileValues(drawn.get("in0")!).values.every((v) => v >= 0));
});

Deno.test("networkSvg() draws a curve over x per neuron for 1-D data", () => {
  const model = new Mlp(1, [3, 1], { seed: 2, activation: "tanh" });
  const extent = [-3, 3, 0, 1] as const;
  const svg = parseXml(
    networkSvg(model, {
      extent,
      resolution: 8,
      features: ["x", "x^2"].slice(0, 1),
      dataInputNames: ["x"],
    }),
  );
  assert.match(allText(svg), /Each curve: the neuron's output over x from -3 to 3/);
  for (const [node, line] of tiles(svg)) {
    assert.equal(line.name, "polyline", node);
    const max = Number(line.attrs["data-max"]);
    const pts = line.attrs.points.split(" ").map((p) => p.split(",").map(Number));
    assert.equal(pts.length, 32);
    const group = withAttr(svg, "data-node").find((g) => g.attrs["data-node"] === node)!;
    const box = findAll(group, (e) => e.name === "rect")[0];
    const mid = Number(box.attrs.y) + Number(box.attrs.height) / 2;
    const half = Number(box.attrs.height) / 2 - 3;
    pts.forEach(([, y], i) => {
      const x = extent[0] + i / (pts.length - 1) * (extent[1] - extent[0]);
      const want = outputsAt(model, [x]).get(node)!;
      const got = (mid - y) / half * max;
      assert.ok(
        Math.abs(got - want) <= 0.06 / half * max + 1e-12,
        `${node} at x=${x}: ${got} vs ${want}`,
      );
    });
  }
});

Deno.test("networkSvg() draws many inputs over the two the first layer weighs most, the others at their centre", () => {
  const model = new Mlp(4, [2, 1], { seed: 3 });
  for (const n of model.layers[0].neurons) {
    n.w[0].data *= 0.01;
    n.w[2].data *= 0.01;
  }
  const center = [0.5, 0, -1, 0];
  const n = 6;
  const svg = parseXml(
    networkSvg(model, { resolution: n, center, inputNames: ["a", "b", "c", "d"] }),
  );
  assert.match(allText(svg), /over b \(across\) and d \(up\), a = 0\.5, c = -1/);
  for (const [node, image] of tiles(svg)) {
    assertTileIs(node, image, (r, c) => {
      const point = center.slice();
      point[1] = -2 + (c + 0.5) / n * 4;
      point[3] = 2 - (r + 0.5) / n * 4;
      return outputsAt(model, point).get(node)!;
    });
  }
  // Given each input's range, the tiles span the data along the two drawn.
  const ranges: [number, number][] = [[0, 1], [-1, 3], [0, 1], [2, 4]];
  const spanned = parseXml(networkSvg(model, { resolution: n, center, ranges }));
  assert.equal(spanned.attrs["data-extent"], "-1 3 2 4");
  for (const [node, image] of tiles(spanned)) {
    assertTileIs(node, image, (r, c) => {
      const point = center.slice();
      point[1] = -1 + (c + 0.5) / n * 4;
      point[3] = 4 - (r + 0.5) / n * 2;
      return outputsAt(model, point).get(node)!;
    });
  }
});

Deno.test("networkSvg() shows a wide layer's most important neurons first, and names each weight's ends", () => {
  const model = new Mlp(2, [40, 1], { seed: 1 });
  const out = model.layers[1].neurons[0].w.map((w) => Math.abs(w.data));
  const best = out.map((_, i) => i).sort((a, b) => out[b] - out[a] || a - b).slice(0, 8);
  const svg = parseXml(networkSvg(model, { maxNeurons: 8, heatmaps: false }));
  assert.deepEqual(
    withAttr(svg, "data-neuron").map((e) => e.attrs["data-neuron"]).slice(0, 8),
    best.map((j) => `L0.N${j}`),
  );
  assert.match(allText(svg), /the most important first/);
  const weight = withAttr(svg, "data-weight").find((e) =>
    e.attrs["data-weight"] === `L1.N0.w${best[0]}`
  )!;
  assert.equal(weight.attrs["data-from"], `L0.N${best[0]}`);
  assert.equal(weight.attrs["data-to"], "L1.N0");
  // Infinity draws every neuron.
  assert.equal(
    withAttr(parseXml(networkSvg(model, { maxNeurons: Infinity, heatmaps: false })), "data-neuron")
      .length,
    41,
  );
});
