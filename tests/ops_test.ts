import assert from "node:assert/strict";
import {
  ACTIVATION_FUNCTIONS,
  activationOf,
  ACTIVATIONS,
  CompiledMlp,
  LOSS_FUNCTIONS,
  LOSS_NAMES,
  Mlp,
  ops,
  Rng,
  SETTINGS,
  Value,
} from "../mod.ts";
import { simdKernels } from "../nn/compiled/_simd.ts";
import { MlpJsonSchema } from "../workers/protocol.ts";

/** Edge cases, then many random inputs at several scales. */
function inputs(): number[] {
  const xs = [0, -0, 1e-300, -1e-300, 1, -1, 0.5, -3.5, 2, 40, -40, 800, -800];
  xs.push(Infinity, -Infinity, NaN, Number.MAX_VALUE, -Number.MIN_VALUE);
  const rng = new Rng(16);
  for (const scale of [1e-8, 0.1, 1, 3, 30]) {
    for (let i = 0; i < 200; i++) xs.push(rng.uniform(-scale, scale));
  }
  return xs;
}

function same(got: number, want: number, what: string): void {
  assert.ok(Object.is(got, want), `${what}: got ${got}, want ${want}`);
}

/** The unary ops, each with the `Value` method that applies it, if it has one. */
const UNARY: [ops.UnaryOp, ((x: Value) => Value) | undefined][] = [
  [ops.exp, (x) => x.exp()],
  [ops.log, (x) => x.log()],
  [ops.tanh, (x) => x.tanh()],
  [ops.relu, (x) => x.relu()],
  [ops.sigmoid, (x) => x.sigmoid()],
  [ops.softplus, (x) => x.softplus()],
  [ops.pow(2), (x) => x.pow(2)],
  [ops.pow(-1), (x) => x.pow(-1)],
  [ops.pow(0.5), (x) => x.pow(0.5)],
  [ops.pow(0), (x) => x.pow(0)],
  [ops.gelu, undefined],
  [ops.leakyRelu(0.01), undefined],
  [ops.leakyRelu(0.2), undefined],
  [ops.identity, undefined],
];

Deno.test("every unary op's Value node computes its forward and derivative * grad bit for bit", () => {
  const xs = inputs();
  for (const [op, method] of UNARY) {
    for (const form of method === undefined ? [undefined] : [method, undefined]) {
      for (const x of xs) {
        const leaf = new Value(x);
        const y = form === undefined ? leaf.unary(op) : form(leaf);
        // An upstream grad that is not 1, so the product's order shows.
        const g = 0.3;
        y.mul(g).backward();
        const out = op.forward(x);
        same(y.data, out, `${op.name}(${x})`);
        // A grad starts at 0 and adds: 0 + -0 is 0.
        same(leaf.grad, 0 + op.derivative(x, out) * g, `${op.name}'(${x}) * ${g}`);
        assert.equal(y.op, op.name);
      }
    }
  }
});

Deno.test("every binary op's Value node computes its forward and partials * grad bit for bit", () => {
  const xs = inputs().slice(0, 60);
  const cases: [ops.BinaryOp, (a: Value, b: Value) => Value][] = [
    [ops.add, (a, b) => a.add(b)],
    [ops.mul, (a, b) => a.mul(b)],
  ];
  for (const [op, form] of cases) {
    for (let i = 0; i < xs.length; i++) {
      const [x, w] = [xs[i], xs[xs.length - 1 - i]];
      const a = new Value(x);
      const b = new Value(w);
      const y = form(a, b);
      y.mul(0.7).backward();
      same(y.data, op.forward(x, w), `${x} ${op.name} ${w}`);
      same(a.grad, 0 + op.left(x, w) * 0.7, `d/da of ${x} ${op.name} ${w}`);
      same(b.grad, 0 + op.right(x, w) * 0.7, `d/db of ${x} ${op.name} ${w}`);
    }
  }
});

Deno.test("every unary op's derivative agrees with a central finite difference", () => {
  const rng = new Rng(3);
  for (const [op] of UNARY) {
    for (let i = 0; i < 200; i++) {
      // Away from 0, where relu and leaky ReLU have their kink and pow(-1) its pole.
      const x = (rng.uniform(0.05, 4)) * (i % 2 === 0 ? 1 : -1);
      if ((op.name === "log" || op.name === "**0.5") && x <= 0) continue;
      const h = 1e-6 * Math.max(1, Math.abs(x));
      const fd = (op.forward(x + h) - op.forward(x - h)) / (2 * h);
      const d = op.derivative(x, op.forward(x));
      assert.ok(
        Math.abs(d - fd) <= 1e-6 * Math.max(1, Math.abs(fd)),
        `${op.name}'(${x}): ${d} vs finite difference ${fd}`,
      );
    }
  }
});

Deno.test("gelu and leaky-relu are PyTorch's at a few points", () => {
  // torch.nn.functional.gelu(x, approximate="tanh") and leaky_relu(x, 0.01), float64.
  const gelu: [number, number][] = [
    [-3, -0.0036373920817729943],
    [-1, -0.15880800939172324],
    [0.5, 0.34571400982514394],
    [1, 0.8411919906082768],
    [2.5, 2.484915733910001],
  ];
  for (const [x, want] of gelu) same(ops.gelu.forward(x), want, `gelu(${x})`);
  const leaky = ACTIVATION_FUNCTIONS["leaky-relu"];
  assert.deepEqual(leaky.params, { slope: 0.01 });
  same(leaky.op.forward(-2), -0.02, "leaky-relu(-2)");
  same(leaky.op.forward(3), 3, "leaky-relu(3)");
  same(leaky.op.derivative(0, 0), 0.01, "leaky-relu'(0), PyTorch's");
  assert.throws(() => ops.leakyRelu(NaN), {
    name: "RangeError",
    message: "Cannot make leaky ReLU as 'slope' must be a finite number: current value is NaN",
  });
});

Deno.test("every activation's JS kernel, SIMD twin and Value form compute its op bit for bit", () => {
  const xs = inputs();
  const n = xs.length - xs.length % 2;
  const simd = simdKernels(2 * 8 * n);
  const custom = activationOf("leaky-relu(0.2)", ops.leakyRelu(0.2), { params: { slope: 0.2 } });
  const acts = [...ACTIVATIONS.map((name) => ACTIVATION_FUNCTIONS[name]), custom];
  for (const act of acts) {
    const z = Float64Array.from(xs);
    const der = new Float64Array(xs.length).fill(NaN);
    act.kernel(z, der, xs.length);
    let simdZ: Float64Array | undefined;
    let simdDer: Float64Array | undefined;
    if (act.simdTwin !== undefined && simd !== undefined) {
      simdZ = new Float64Array(simd.memory.buffer, 0, n);
      simdDer = new Float64Array(simd.memory.buffer, 8 * n, n);
      simdZ.set(xs.slice(0, n));
      simd[act.simdTwin](simdZ.byteOffset, simdDer.byteOffset, n);
    }
    xs.forEach((x, i) => {
      const out = act.op.forward(x);
      const d = act.op.derivative(x, out);
      same(z[i], out, `${act.name} kernel(${x})`);
      same(der[i], d, `${act.name} kernel'(${x})`);
      const leaf = new Value(x);
      const y = act.value(leaf);
      y.backward();
      same(y.data, out, `${act.name} Value(${x})`);
      // The identity makes no node: the leaf is its own output, with grad 1.
      same(leaf.grad, 0 + d, `${act.name} Value'(${x})`);
      if (simdZ !== undefined && simdDer !== undefined && i < n) {
        same(simdZ[i], out, `${act.name} SIMD(${x})`);
        same(simdDer[i], d, `${act.name} SIMD'(${x})`);
      }
    });
  }
  assert.ok(simd !== undefined, "Deno runs WebAssembly SIMD, so the twins were checked");
});

Deno.test("each activation trains on the compiled path bit for bit as on the Value graph", () => {
  const rng = new Rng(5);
  const x = Array.from({ length: 9 }, () => [rng.uniform(-2, 2), rng.uniform(-2, 2)]);
  const y = x.map(([a, b]) => a * b > 0 ? 1 : 0);
  for (const activation of ACTIVATIONS) {
    for (const simd of [true, false]) {
      const model = new Mlp(2, [6, 5, 1], { seed: 4, activation });
      const compiled = new CompiledMlp(model, x.length, { loss: "svm", l2: 1e-3, simd });
      const loss = compiled.forward(x, y);
      compiled.backward();
      const grads = model.parameters().map((p) => p.grad);
      model.zeroGrad();
      const graph = LOSS_FUNCTIONS.svm.value(x.map((xi) => model.forward(xi)), y, "classification")
        .add(Value.sum(model.parameters().map((p) => p.mul(p))).mul(1e-3));
      graph.backward();
      same(loss, graph.data, `${activation} loss (simd ${simd})`);
      grads.forEach((g, i) => same(g, model.parameters()[i].grad, `${activation} grad ${i}`));
    }
  }
});

Deno.test("the activation and loss names everywhere are the tables' keys", () => {
  assert.deepEqual(ACTIVATIONS, Object.keys(ACTIVATION_FUNCTIONS));
  assert.ok(ACTIVATIONS.includes("gelu") && ACTIVATIONS.includes("leaky-relu"));
  assert.deepEqual(LOSS_NAMES, Object.keys(LOSS_FUNCTIONS));
  for (const name of ACTIVATIONS) assert.equal(ACTIVATION_FUNCTIONS[name].name, name);
  for (const name of LOSS_NAMES) assert.equal(LOSS_FUNCTIONS[name].name, name);
  assert.deepEqual(SETTINGS.activation.kind, { type: "choice", values: ACTIVATIONS });
  assert.deepEqual(SETTINGS.loss.kind, { type: "choice", values: LOSS_NAMES });
  for (const name of ACTIVATIONS) {
    assert.ok(SETTINGS.activation.help.includes(name), `--help names ${name}`);
    const json = new Mlp(2, [3, 1], { activation: name, outputActivation: name }).toJSON();
    assert.ok(MlpJsonSchema.safeParse(json).success, `the worker protocol takes ${name}`);
    assert.equal(Mlp.fromJSON(json).activation, name);
  }
  assert.ok(!MlpJsonSchema.safeParse({ ...new Mlp(2, [1]).toJSON(), activation: "swish" }).success);
});
