import assert from "node:assert/strict";
import {
  type Activation,
  ACTIVATION_FUNCTIONS,
  type BackpropTrace,
  backpropTrace,
  type BackpropTraceOptions,
  compileFeatures,
  Mlp,
  Value,
} from "../mod.ts";

/** The model's own graph at the features, as `graph` builds it, after one fresh backward(): grads by label. */
function engineGrads(model: Mlp, features: number[], names: readonly string[], output: number) {
  const fresh = Mlp.fromJSON(model.toJSON());
  const inputs = features.map((x, i) => new Value(x, { label: names[i] }));
  let acts: Value[] = inputs;
  const outs: Value[] = [];
  fresh.layers.forEach((layer, l) => {
    acts = layer.forward(acts);
    acts.forEach((v, j) => v.label = `L${l}.N${j}`);
    outs.push(...acts);
  });
  const root = acts[output];
  root.backward();
  const byLabel = new Map<string, Value>();
  for (const v of [...inputs, ...fresh.parameters(), ...outs]) byLabel.set(v.label, v);
  return { root, byLabel };
}

/** micrograd's Neuron written out with the engine's ops, independently of backpropTrace; one backward(). */
function microgradGraph(model: Mlp, features: number[], output: number): Value[] {
  let acts: Value[] = features.map((x) => new Value(x));
  const last = model.layers.length - 1;
  model.layers.forEach((layer, l) => {
    const neurons = l === last ? [layer.neurons[output]] : layer.neurons;
    acts = neurons.map((n) => {
      let z = new Value(n.b.data);
      acts.forEach((x, i) => z = z.add(new Value(n.w[i].data).mul(x)));
      return ACTIVATION_FUNCTIONS[n.activation].value(z);
    });
  });
  acts[0].backward();
  return Value.topologicalOrder(acts[0]);
}

function checkTrace(
  model: Mlp,
  point: number[],
  options: BackpropTraceOptions = {},
): BackpropTrace {
  const trace = backpropTrace(model, point, options);
  const { nodes, steps } = trace;
  const output = options.output ?? 0;

  // Topological order: ids are places, children come first, the output is last.
  nodes.forEach((n, i) => {
    assert.equal(n.id, i);
    for (const c of n.children) assert.ok(c < i, `${n.label}'s child ${c} comes after it`);
    for (const p of n.parents) assert.ok(p > i);
    assert.equal(n.op === "", n.children.length === 0);
  });
  assert.equal(nodes.filter((n) => n.parents.length === 0).length, 1);
  assert.equal(nodes.at(-1)!.parents.length, 0);

  // One step per node, in reverse topological order; each records local × upstream and its +=.
  assert.deepEqual(steps.map((s) => s.node), nodes.map((n) => n.id).reverse());
  assert.equal(steps[0].upstream, 1);
  const grads = new Float64Array(nodes.length);
  grads[nodes.length - 1] = 1;
  for (const step of steps) {
    assert.equal(step.upstream, grads[step.node], "a node runs once all its grads are in");
    assert.equal(step.terms.length, nodes[step.node].children.length);
    for (const t of step.terms) {
      assert.ok(Object.is(t.product, t.local * step.upstream));
      assert.ok(Object.is(t.before, grads[t.child]));
      assert.ok(Object.is(t.after, t.before + t.product));
      assert.equal(t.accumulates, nodes[t.child].parents.length > 1);
      grads[t.child] = t.after;
    }
  }
  nodes.forEach((n, i) => assert.ok(Object.is(n.grad, grads[i])));

  // The same graph through the engine: the same data and grads, bit for bit.
  const engine = microgradGraph(model, trace.features, output);
  assert.equal(engine.length, nodes.length);
  engine.forEach((v, i) => {
    assert.equal(v.op, nodes[i].op);
    assert.ok(Object.is(v.data, nodes[i].data), `data of ${nodes[i].label}`);
    assert.ok(Object.is(v.grad, nodes[i].grad), `grad of ${nodes[i].label}`);
  });

  // The model's own graph (one linear node per neuron, as `graph` draws it): the same values.
  const names = options.features ?? point.map((_, i) => `x${i + 1}`);
  const { root, byLabel } = engineGrads(model, trace.features, names, output);
  assert.ok(Object.is(nodes.at(-1)!.data, root.data));
  let compared = 0;
  for (const n of nodes) {
    const v = byLabel.get(n.label) ?? (n.id === nodes.length - 1 ? root : undefined);
    if (v === undefined) continue;
    compared++;
    assert.ok(Object.is(n.data, v.data), `data of ${n.label}: ${n.data} vs ${v.data}`);
    assert.ok(Object.is(n.grad, v.grad), `grad of ${n.label}: ${n.grad} vs ${v.grad}`);
  }
  const leaves = nodes.filter((n) => n.op === "").length;
  assert.ok(compared >= leaves, `${compared} of ${leaves} leaves compared`);
  return trace;
}

Deno.test("backpropTrace", async (t) => {
  await t.step("a 2-16-16-1 relu model: grads equal backward()'s bit for bit", () => {
    const model = new Mlp(2, [16, 16, 1], { seed: 7 });
    const trace = checkTrace(model, [0.3, -0.7]);
    const x1 = trace.nodes.find((n) => n.label === "x1")!;
    assert.equal(x1.parents.length, 16);
    assert.notEqual(x1.grad, 0);
    // Each hidden output of the first layer feeds all 16 of the next: its grad is a sum.
    const h = trace.nodes.find((n) => n.label === "L0.N5")!;
    assert.equal(h.parents.length, 16);
    assert.equal(trace.nodes.find((n) => n.label === "L1.N5")!.parents.length, 1);
    assert.equal(trace.nodes.at(-1)!.label, "score");
  });

  await t.step("tanh and sigmoid: the activation's local derivative as its backward rule", () => {
    const model = new Mlp(2, [4, 3, 1], {
      seed: 3,
      activation: "tanh",
      outputActivation: "sigmoid",
    });
    const trace = checkTrace(model, [1.5, 0.25]);
    for (const step of trace.steps) {
      const n = trace.nodes[step.node];
      if (n.op !== "tanh" && n.op !== "sigmoid") continue;
      // Against a central finite difference of the activation itself.
      const z = trace.nodes[n.children[0]].data;
      const f = (x: number) => ACTIVATION_FUNCTIONS[n.op as Activation].value(new Value(x)).data;
      const h = 1e-6;
      assert.ok(Math.abs(step.terms[0].local - (f(z + h) - f(z - h)) / (2 * h)) < 1e-8);
    }
  });

  await t.step("a model of 3 outputs follows the one asked for", () => {
    const model = new Mlp(2, [5, 3], { seed: 11 });
    for (const output of [0, 1, 2]) {
      const trace = checkTrace(model, [-0.4, 0.9], { output });
      assert.equal(trace.output, output);
      assert.equal(trace.nodes.at(-1)!.label, `score_${output}`);
      assert.ok(Object.is(trace.nodes.at(-1)!.data, model.predict([-0.4, 0.9])[output]));
      assert.ok(
        trace.nodes.every((n) => !n.neuron.startsWith("L1.") || n.neuron === `L1.N${output}`),
      );
    }
    assert.throws(() => backpropTrace(model, [0, 0], { output: 3 }), RangeError);
    assert.throws(() => backpropTrace(model, [0, 0], { output: 0.5 }), RangeError);
  });

  await t.step("feature crosses are applied to the point, as graph and predict do", () => {
    const features = ["x1", "x2", "x1*x2", "sin(x1)", "x2^2"];
    const model = new Mlp(5, [6, 1], { seed: 5 });
    const point = [0.8, -0.6];
    const trace = checkTrace(model, point, { features, inputs: ["x1", "x2"] });
    assert.deepEqual(trace.features, compileFeatures(features, ["x1", "x2"]).apply(point));
    assert.deepEqual(
      trace.nodes.filter((n) => n.kind === "input").map((n) => n.label).sort(),
      [...features].sort(),
    );
    assert.throws(() => backpropTrace(model, [1, 2, 3]), RangeError);
  });

  await t.step("a linear output layer ends in a +, and 0 inputs of relu pass no grad", () => {
    const model = new Mlp(1, [3, 1], { seed: 2 });
    model.layers[0].neurons.forEach((n) => n.b.data = -10);
    const trace = checkTrace(model, [0.5]);
    assert.equal(trace.nodes.at(-1)!.op, "+");
    for (const n of trace.nodes) {
      if (n.kind === "weight" && n.neuron.startsWith("L0")) assert.equal(n.grad, 0);
    }
  });
});
