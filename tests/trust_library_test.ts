/**
 * The library under hostile input: sizes are checked before anything is
 * allocated, and a wrong type, size or cycle throws a TypeError or a
 * RangeError naming the field's path, at once.
 */
import assert from "node:assert/strict";
import { CompiledMlp, Layer, Mlp, Neuron, predictBatch, Value } from "../mod.ts";

/** Asserts `fn` throws `name` with a message matching `pattern`, and not JSON's cycle error. */
function assertThrowsNamed(fn: () => unknown, name: string, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof Error, String(error));
    assert.equal(error.name, name, error.message);
    assert.match(error.message, pattern);
    assert.doesNotMatch(error.message, /circular|\n/);
    return true;
  });
}

Deno.test("Mlp.fromJSON checks every size against the arrays before it builds", async (t) => {
  const good = new Mlp(2, [3, 1], { seed: 1 }).toJSON();
  const cases: [string, unknown, RegExp][] = [
    [
      "nin 1e9",
      { ...good, nin: 1e9 },
      /'layers\[0\]\.weights\[0\]' must be an array of 1000000000 numbers: current value is an array of length 2/,
    ],
    [
      "nouts [1e8, 1]",
      { ...good, nouts: [1e8, 1] },
      /'layers\[0\]\.weights' must be an array of 100000000 rows/,
    ],
    [
      "nouts [3, 1e8]",
      { ...good, nouts: [3, 1e8] },
      /'layers\[1\]\.weights' must be an array of 100000000 rows/,
    ],
    ["nin 2^31", { ...good, nin: 2 ** 31 }, /'layers\[0\]\.weights\[0\]'/],
    ["nin a huge float", { ...good, nin: 1e300 }, /'layers\[0\]\.weights\[0\]'/],
    ["nin negative", { ...good, nin: -1 }, /'nin' must be a positive integer: current value is -1/],
    ["nin NaN", { ...good, nin: NaN }, /'nin' must be a positive integer: current value is NaN/],
    [
      "nouts an object",
      { ...good, nouts: { length: 2 } },
      /'nouts' must be a non-empty array: current value is an object/,
    ],
    [
      "a layer that is an array",
      { ...good, layers: [[], good.layers[1]] },
      /'layers\[0\]' must be an object/,
    ],
    ["a bias that is a string", {
      ...good,
      layers: [good.layers[0], { weights: good.layers[1].weights, biases: ["0"] }],
    }, /'layers\[1\]\.biases\[0\]' must be a finite number: current value is "0"/],
    ["a weight of Infinity", {
      ...good,
      layers: [good.layers[0], { weights: [[1, 2, Infinity]], biases: [0] }],
    }, /'layers\[1\]\.weights\[0\]\[2\]' must be a finite number: current value is Infinity/],
  ];
  for (const [name, doc, pattern] of cases) {
    await t.step(name, () => assertThrowsNamed(() => Mlp.fromJSON(doc), "TypeError", pattern));
  }
  await t.step("a cyclic document: the path, not JSON's cycle error", () => {
    const cyclic: Record<string, unknown> = { ...good };
    cyclic.layers = [cyclic, cyclic];
    assertThrowsNamed(() => Mlp.fromJSON(cyclic), "TypeError", /'layers\[0\]\.weights'/);
    const row: unknown[] = [1];
    row.push(row);
    const inRow = {
      ...good,
      layers: [{ weights: [row, row, row], biases: [0, 0, 0] }, good.layers[1]],
    };
    assertThrowsNamed(
      () => Mlp.fromJSON(inRow),
      "TypeError",
      /'layers\[0\]\.weights\[0\]\[1\]' must be a finite number: current value is an array/,
    );
    const self: Record<string, unknown> = { format: "denograd.mlp/1" };
    self.nin = self;
    assertThrowsNamed(() => Mlp.fromJSON(self), "TypeError", /'nin' must be a positive integer/);
  });
  await t.step("a large model of consistent arrays is refused by its parameter count", () => {
    const wide = { ...good, nin: 1, nouts: [2 ** 25], layers: [{ weights: [], biases: [] }] };
    assertThrowsNamed(
      () => Mlp.fromJSON(wide),
      "TypeError",
      /'layers\[0\]\.weights' must be an array of 33554432 rows/,
    );
  });
});

Deno.test("constructors check sizes and types before they allocate", async (t) => {
  const cases: [string, () => unknown, string, RegExp][] = [
    [
      "Mlp nin 1e9",
      () => new Mlp(1e9, [1]),
      "RangeError",
      /at most 16777216 parameters: current count is 1000000001/,
    ],
    ["Mlp nouts [1e8, 1]", () => new Mlp(2, [1e8, 1]), "RangeError", /at most 16777216 parameters/],
    [
      "Mlp nin a string",
      () => new Mlp("2" as unknown as number, [1]),
      "TypeError",
      /'nin' must be a positive integer: current value is "2"/,
    ],
    [
      "Mlp nin 0",
      () => new Mlp(0, [1]),
      "RangeError",
      /'nin' must be a positive integer: current value is 0/,
    ],
    [
      "Mlp nouts[1] 1.5",
      () => new Mlp(2, [3, 1.5]),
      "RangeError",
      /'nouts\[1\]' must be a positive integer: current value is 1.5/,
    ],
    [
      "Mlp nouts[0] null",
      () => new Mlp(2, [null as unknown as number]),
      "TypeError",
      /'nouts\[0\]' must be a positive integer: current value is object/,
    ],
    [
      "Mlp nouts cyclic",
      () => {
        const c: Record<string, unknown> = {};
        c.c = c;
        return new Mlp(2, c as unknown as number[]);
      },
      "TypeError",
      /'nouts' must be an array of layer sizes: current value is an object/,
    ],
    [
      "Layer 1e9 x 1e9",
      () => new Layer(1e9, 1e9),
      "RangeError",
      /a layer as it must have at most 16777216 parameters/,
    ],
    [
      "Layer nin a string",
      () => new Layer("3" as unknown as number, 2),
      "TypeError",
      /a layer as 'nin'/,
    ],
    [
      "Neuron 1e9",
      () => new Neuron(1e9),
      "RangeError",
      /a neuron as it must have at most 16777216 parameters/,
    ],
    [
      "Neuron NaN",
      () => new Neuron(NaN),
      "RangeError",
      /a neuron as 'nin' must be a positive integer: current value is NaN/,
    ],
  ];
  for (const [name, fn, error, pattern] of cases) {
    await t.step(name, () => assertThrowsNamed(fn, error, pattern));
  }
});

Deno.test("forward checks its inputs: a TypeError for a wrong type, not a NaN", async (t) => {
  const model = new Mlp(2, [3, 1], { seed: 1 });
  const cases: [string, unknown, string, RegExp][] = [
    [
      "a string",
      [1, "x"],
      "TypeError",
      /'x\[1\]' must be a number or a Value: current value is "x"/,
    ],
    [
      "null",
      [null, 1],
      "TypeError",
      /'x\[0\]' must be a number or a Value: current value is null/,
    ],
    ["an object", [1, {}], "TypeError", /'x\[1\]'.*current value is an object/],
    ["a bigint", [1, 2n], "TypeError", /'x\[1\]'/],
    [
      "not an array",
      "ab",
      "TypeError",
      /the input must be an array of 2 numbers: current value is "ab"/,
    ],
    ["too short", [1], "RangeError", /must have 2 features: current length is 1/],
  ];
  for (const [name, x, error, pattern] of cases) {
    await t.step(name, () => {
      assertThrowsNamed(() => model.forward(x as number[]), error, pattern);
      assertThrowsNamed(() => model.predict(x as number[]), error, pattern);
    });
  }
  await t.step("Values and numbers still mix", () => {
    const [y] = model.forward([new Value(0.5), -1]);
    assert.ok(Number.isFinite(y.data));
  });
  await t.step("a neuron's own forward refuses a non-number", () => {
    const n = new Neuron(2, { seed: 1 });
    assertThrowsNamed(
      () => n.forward([1, "2" as unknown as number]),
      "TypeError",
      /'inputs\[1\]' must be a Value or a number: current value is "2"/,
    );
  });
});

Deno.test("the compiled path checks its model, batch size and inputs before it runs", async (t) => {
  const model = new Mlp(2, [3, 1], { seed: 1 });
  const cases: [string, () => unknown, string, RegExp][] = [
    [
      "a batch of 1e9",
      () => new CompiledMlp(model, 1e9),
      "RangeError",
      /'batchSize' must be a positive integer with at most 268435456 inputs and outputs/,
    ],
    [
      "a model that is not one",
      () => new CompiledMlp({} as Mlp, 4),
      "TypeError",
      /'model' must be an Mlp: current value is object/,
    ],
    [
      "a string input",
      () => predictBatch(model, [[1, "x" as unknown as number]]),
      "TypeError",
      /'x\[0\]\[1\]' must be a number: current value is "x"/,
    ],
    [
      "a row that is not an array",
      () => predictBatch(model, [7 as unknown as number[]]),
      "TypeError",
      /'x\[0\]' must be an array of 2 numbers/,
    ],
  ];
  for (const [name, fn, error, pattern] of cases) {
    await t.step(name, () => assertThrowsNamed(fn, error, pattern));
  }
});
