import assert from "node:assert/strict";
import { graphStats, toDot, topologicalOrder, Value } from "../mod.ts";
import { assertClose, assertGradsMatchNumeric } from "./_helpers.ts";

Deno.test("Value starts as a leaf with grad 0 and prints like micrograd", () => {
  const v = new Value(2.5, { label: "w" });
  assert.equal(v.data, 2.5);
  assert.equal(v.grad, 0);
  assert.equal(v.label, "w");
  assert.equal(v.op, "");
  assert.deepEqual(v.children, []);
  assert.equal(v.toString(), "Value(data=2.5, grad=0)");
  assert.equal(new Value(1).label, "");
});

Deno.test("every op's grad matches finite differences", async (t) => {
  const a = new Value(0.7);
  const b = new Value(-1.3);
  const c = new Value(2.1);
  const cases: [string, Value[], () => Value][] = [
    ["add", [a, b], () => a.add(b)],
    ["add a number", [a], () => a.add(3)],
    ["sub", [a, b], () => a.sub(b)],
    ["mul", [a, b], () => a.mul(b)],
    ["mul a number", [a], () => a.mul(-2.5)],
    ["div", [a, b], () => a.div(b)],
    ["div by a number", [a], () => a.div(4)],
    ["pow 3", [b], () => b.pow(3)],
    ["pow -1.5", [c], () => c.pow(-1.5)],
    ["pow 0.5", [c], () => c.pow(0.5)],
    ["neg", [a], () => a.neg()],
    ["exp", [b], () => b.exp()],
    ["log", [c], () => c.log()],
    ["tanh", [a], () => a.tanh()],
    ["relu positive", [a], () => a.relu()],
    ["relu negative", [b], () => b.relu()],
    ["sigmoid", [b], () => b.sigmoid()],
    ["softplus", [b], () => b.softplus()],
    ["sum", [a, b, c], () => Value.sum([a, b, 2, c, a])],
    ["logSumExp", [a, b, c], () => Value.logSumExp([a, b, c])],
    ["linear", [a, b, c], () => Value.linear([a, b], [c, 0.5], { bias: c })],
    ["linear without a bias", [a, b, c], () => Value.linear([a, b], [c, b])],
    ["a composite", [a, b, c], () => a.mul(b).add(c.pow(2)).tanh().mul(a.sigmoid()).div(c.exp())],
  ];
  for (const [name, leaves, f] of cases) {
    await t.step(name, () => assertGradsMatchNumeric(leaves, f, 1e-6, name));
  }
});

Deno.test("ops take numbers on either side and keep argument order in children", () => {
  const x = new Value(3);
  const y = x.add(2);
  assert.equal(y.data, 5);
  assert.equal(y.op, "+");
  assert.equal(y.children.length, 2);
  assert.equal(y.children[0], x);
  assert.equal(y.children[1].data, 2);
  const z = x.mul(x);
  assert.deepEqual(z.children, [x, x]);
  assert.equal(x.pow(2).op, "**2");
});

Deno.test("Value.backward() accumulates grad when a node is reused", () => {
  const x = new Value(3);
  const y = x.mul(x);
  y.backward();
  assert.equal(x.grad, 6);

  // A diamond: d = f(b, c) with b and c both made from a.
  const a = new Value(2);
  const b = a.mul(3);
  const c = a.pow(2);
  const d = b.mul(c);
  d.backward();
  // d = 3a * a^2 = 3a^3, dd/da = 9a^2 = 36
  assert.equal(a.grad, 36);
  assert.equal(b.grad, 4); // c
  assert.equal(c.grad, 6); // b
});

Deno.test("Value.backward() called twice adds every node's grads again, like PyTorch", () => {
  const a = new Value(2);
  const b = new Value(-3);
  const h = a.mul(b); // interior node
  const out = h.mul(h).add(a);
  out.backward();
  const first = [a.grad, b.grad];
  // d/da = 2*h*b + 1 = 2*(-6)*(-3) + 1 = 37; d/db = 2*h*a = -24
  assert.deepEqual(first, [37, -24]);
  out.backward();
  assert.deepEqual([a.grad, b.grad], [74, -48]);
  assert.equal(h.grad, -24, "an interior node accumulates too (d/dh = 2h = -12 per call)");
  assert.equal(out.grad, 2, "and so does the root");
  out.zeroGrad();
  assert.deepEqual([a.grad, b.grad, h.grad, out.grad], [0, 0, 0, 0]);
  out.backward();
  assert.deepEqual([a.grad, b.grad], first);
});

Deno.test("Value.backward() goes through a 1,000,000-node chain without a stack overflow", () => {
  const x = new Value(1);
  let y = x;
  for (let i = 0; i < 1_000_000; i++) y = y.add(1e-6);
  y.backward();
  assert.equal(x.grad, 1);
  assertClose(y.data, 2, 1e-9);
  assert.equal(topologicalOrder(y).length, 2_000_001);
  assert.equal(graphStats(y).depth, 1_000_000);
});

Deno.test("tanh, sigmoid and softplus saturate without NaN for huge inputs", () => {
  for (const [x, t, s] of [[1000, 1, 1], [-1000, -1, 0]]) {
    const v = new Value(x);
    const th = v.tanh();
    th.backward();
    assert.equal(th.data, t);
    assert.equal(v.grad, 0);

    const w = new Value(x);
    const sg = w.sigmoid();
    sg.backward();
    assert.equal(sg.data, s);
    assert.equal(w.grad, 0);

    const u = new Value(x);
    const sp = u.softplus();
    sp.backward();
    assert.equal(sp.data, x > 0 ? x : 0);
    assert.equal(u.grad, s);
  }
});

Deno.test("relu has grad 0 at 0 and keeps NaN, as in PyTorch", () => {
  const x = new Value(0);
  const y = x.relu();
  y.backward();
  assert.equal(y.data, 0);
  assert.equal(x.grad, 0);
  assert.ok(Number.isNaN(new Value(NaN).relu().data), "a ReLU must not hide a NaN");
});

Deno.test("pow(0) has grad 0 even at 0, as in PyTorch", () => {
  const x = new Value(0);
  const y = x.pow(0);
  y.backward();
  assert.equal(y.data, 1);
  assert.equal(x.grad, 0);
});

Deno.test("backward() on a leaf adds 1 to its grad each call", () => {
  const x = new Value(5);
  x.backward();
  x.backward();
  assert.equal(x.grad, 2);
});

Deno.test("log of a non-positive number follows IEEE and does not throw", () => {
  const zero = new Value(0);
  const y = zero.log();
  y.backward();
  assert.equal(y.data, -Infinity);
  assert.equal(zero.grad, Infinity);
  const neg = new Value(-1).log();
  assert.ok(Number.isNaN(neg.data));
});

Deno.test("logSumExp stays finite for huge logits", () => {
  const a = new Value(1000);
  const b = new Value(1000);
  const l = Value.logSumExp([a, b]);
  l.backward();
  assertClose(l.data, 1000 + Math.log(2), 1e-12);
  assert.equal(a.grad, 0.5);
  assert.equal(b.grad, 0.5);
  assert.throws(() => Value.logSumExp([]), RangeError);
  // As torch.logsumexp: all -Infinity gives -Infinity, and an Infinity gives Infinity, not NaN.
  assert.equal(Value.logSumExp([new Value(-Infinity), new Value(-Infinity)]).data, -Infinity);
  assert.equal(Value.logSumExp([new Value(Infinity), new Value(0)]).data, Infinity);
});

Deno.test("bad operands throw TypeError naming the op and the value", () => {
  const x = new Value(1);
  // deno-lint-ignore no-explicit-any
  const loose = x as any;
  assert.throws(() => loose.add("2"), {
    name: "TypeError",
    message: `Cannot apply 'add' as the operand must be a Value or a number: current value is "2"`,
  });
  assert.throws(() => loose.mul(null), /Cannot apply 'mul' .* current value is null/);
  assert.throws(() => loose.pow(new Value(2)), {
    name: "TypeError",
    message:
      /Cannot apply 'pow' as the exponent must be a number: current value is an object \(Value\)/,
  });
  assert.throws(() => Value.sum([1, "x" as unknown as number]), TypeError);
  assert.throws(() => new Value("1" as unknown as number), {
    name: "TypeError",
    message: `Cannot create a Value as 'data' must be a number: current value is "1"`,
  });
  assert.throws(() => Value.linear([x, x], [1]), RangeError);
});

Deno.test("graphStats counts nodes, edges, depth and ops", () => {
  const a = new Value(1);
  const b = new Value(2);
  const c = a.mul(b); // 1 op, 2 edges
  const d = c.add(a).tanh(); // + (2 edges, one to a), tanh (1 edge)
  const s = graphStats(d);
  assert.equal(s.leaves, 2);
  assert.equal(s.nodes, 5);
  assert.equal(s.edges, 5);
  assert.equal(s.depth, 3);
  assert.deepEqual(s.ops, { "*": 1, "+": 1, tanh: 1 });
});

Deno.test("toDot draws micrograd-style records and op nodes", () => {
  const a = new Value(2, { label: "a" });
  const b = new Value(-3, { label: "b|<x>" });
  const y = a.mul(b);
  y.label = "y";
  y.backward();
  const dot = toDot(y);
  assert.ok(dot.startsWith("digraph {\n  rankdir=LR;"));
  assert.match(dot, /label="\{ a \| data 2\.0000 \| grad -3\.0000 \}"/);
  assert.match(dot, /label="\{ b\\\|\\<x\\> \| data -3\.0000 \| grad 2\.0000 \}"/);
  assert.match(dot, /n2op \[label="\*"\];/);
  assert.equal((dot.match(/->/g) ?? []).length, 3);
  assert.match(toDot(y, { rankdir: "TB", precision: 1 }), /rankdir=TB;[\s\S]*data -6\.0/);
  assert.throws(() => toDot(y, { precision: -1 }), RangeError);
});
