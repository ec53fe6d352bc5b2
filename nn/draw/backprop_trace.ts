/**
 * Backprop, step by step, at one point: micrograd's graph of a model's output
 * there, as plain data, with every step of the backward sweep written down
 * (the node, its upstream grad, each child's local derivative, their product
 * and the `+=` into the child's grad).
 *
 * @module
 */
import { Value } from "../../engine/value.ts";
import { ACTIVATION_FUNCTIONS } from "../model/activations.ts";
import type { Mlp } from "../model/mlp.ts";
import { compileFeatures } from "../data/features.ts";

/** What a node of a {@linkcode BackpropTrace} is. */
export type TraceNodeKind = "input" | "weight" | "bias" | "op";

/** One value of the graph, as micrograd's record `{ label | data | grad }` shows it. */
export interface TraceNode {
  /** Its place in topological order, from 0: children come before parents. */
  id: number;
  /** Its name: `x1`, `L0.N3.w1`, `L0.N3.b`, `L0.N3` (a neuron's output), `score`... */
  label: string;
  /** The op that made it: `""` for a leaf, else `"*"`, `"+"` or an activation's name. */
  op: string;
  /** An input (a feature of the point), a weight, a bias, or the result of an op. */
  kind: TraceNodeKind;
  /** The neuron it belongs to, e.g. `"L0.N3"`; `""` for the model's inputs. */
  neuron: string;
  /** The ids of its children, in argument order. */
  children: number[];
  /** The ids of the nodes that use it, once per use, in topological order. */
  parents: number[];
  /** The forward value. */
  data: number;
  /** d(output)/d(this) after the whole backward sweep. */
  grad: number;
}

/** What one child gets from its parent in a backward step. */
export interface TraceTerm {
  /** The child's id. */
  child: number;
  /** d(parent)/d(child): the local derivative. */
  local: number;
  /** `local * upstream`: what is added to the child's grad. */
  product: number;
  /** The child's grad before the `+=`. */
  before: number;
  /** The child's grad after the `+=`. */
  after: number;
  /** Whether the child is used more than once, so its grad is a sum and `+=` matters. */
  accumulates: boolean;
}

/** One step of the backward sweep: one node's `_backward()`, in reverse topological order. */
export interface TraceStep {
  /** The node whose `_backward()` runs. */
  node: number;
  /** Its grad when it runs (the output's is 1): d(output)/d(node). */
  upstream: number;
  /** One entry per child, in argument order; none for a leaf. */
  terms: TraceTerm[];
}

/** The graph of one output at one point, from {@linkcode backpropTrace}. */
export interface BackpropTrace {
  /** Which output the graph makes. */
  output: number;
  /** The model's inputs at the point (its features, when it has crosses). */
  features: number[];
  /** Every node, in topological order (`nodes[i].id === i`); the output is last. */
  nodes: TraceNode[];
  /** The backward sweep: one step per node, the output's first. */
  steps: TraceStep[];
}

/** Options for {@linkcode backpropTrace}. */
export interface BackpropTraceOptions {
  /**
   * The output to follow, from 0. A wide model makes one graph per output;
   * the trace holds this one's.
   *
   * @default {0}
   */
  output?: number;
  /**
   * The model's feature expressions over the point, as `model.json`'s
   * `featureNames` (e.g. `["x1", "x2", "x1*x2"]`). When they differ from
   * `inputs`, the point is in the data's own inputs and the features are
   * applied to it, as `graph` and `predict` do.
   *
   * @default {inputs}
   */
  features?: readonly string[];
  /**
   * The data's own input names, as `model.json`'s `inputNames`.
   *
   * @default {["x1", "x2", ...] as many as the point has}
   */
  inputs?: readonly string[];
  /**
   * The output's label. `graph` calls it `score`, or `score_<class>` for a
   * model of several outputs.
   *
   * @default {"score" for one output, else "score_<output>"}
   */
  outputLabel?: string;
}

/**
 * Builds micrograd's graph of `model`'s output at `point` with the engine's
 * ops, as micrograd's `Neuron` does (`b + w0*x0 + w1*x1 + ...`, then the
 * activation), and sweeps backward over it in reverse topological order,
 * writing each step down. The grads it ends with are those of the engine's
 * `backward()` to the last bit, on this graph and on the model's own.
 *
 * The model is only read: the graph is made of fresh values.
 *
 * @example The last step of a 2-2-1 model's sweep
 * ```ts
 * import assert from "node:assert/strict";
 * import { backpropTrace, Mlp } from "../../mod.ts";
 * const model = new Mlp(2, [2, 1], { seed: 1 });
 * const trace = backpropTrace(model, [0.5, -1]);
 * const root = trace.nodes.at(-1)!;
 * assert.equal(root.label, "score");
 * assert.equal(root.data, model.predict([0.5, -1])[0]);
 * assert.equal(trace.steps[0].upstream, 1);
 * for (const step of trace.steps) {
 *   for (const t of step.terms) assert.equal(t.product, t.local * step.upstream);
 * }
 * // The inputs are used by both hidden neurons: their grads add up.
 * const x1 = trace.nodes.find((n) => n.label === "x1")!;
 * assert.equal(x1.parents.length, 2);
 * ```
 *
 * @throws {RangeError} when the point does not fit the model or the output is out of range.
 */
export function backpropTrace(
  model: Mlp,
  point: readonly number[],
  options: BackpropTraceOptions = {},
): BackpropTrace {
  const width = model.nouts[model.nouts.length - 1];
  const output = options.output ?? 0;
  if (!Number.isInteger(output) || output < 0 || output >= width) {
    throw new RangeError(
      `Cannot trace backprop as 'output' must be an integer from 0 to ${
        width - 1
      }: current value is ${output}`,
    );
  }
  const { features, names } = featuresAt(model, point, options);
  const kinds = new Map<Value, [TraceNodeKind, string]>();
  const root = forwardGraph(model, features, names, output, kinds);
  root.label = options.outputLabel ?? (width === 1 ? "score" : `score_${output}`);
  const nodes = traceNodes(root, kinds);
  const steps = backwardSteps(nodes);
  return { output, features, nodes, steps };
}

/** The model's features at `point` (the point itself, or its feature crosses), and their names. */
function featuresAt(
  model: Mlp,
  point: readonly number[],
  options: BackpropTraceOptions,
): { features: number[]; names: readonly string[] } {
  const inputs = options.inputs ?? point.map((_, i) => `x${i + 1}`);
  const names = options.features ?? inputs;
  if (point.length !== inputs.length) {
    throw new RangeError(
      `Cannot trace backprop as the point must have ${inputs.length} numbers (${
        inputs.join(", ")
      }): current length is ${point.length}`,
    );
  }
  const crossed = names.join(",") !== inputs.join(",");
  const features = crossed ? compileFeatures(names, inputs).apply(point) : [...point];
  if (features.length !== model.nin || !features.every(Number.isFinite)) {
    throw new RangeError(
      `Cannot trace backprop as the model takes ${model.nin} finite features: current values are ${
        JSON.stringify(features)
      }`,
    );
  }
  return { features, names };
}

/**
 * micrograd's forward pass to `output`, with the engine's ops on fresh
 * values; records each value's kind and neuron in `kinds`.
 */
function forwardGraph(
  model: Mlp,
  features: readonly number[],
  names: readonly string[],
  output: number,
  kinds: Map<Value, [TraceNodeKind, string]>,
): Value {
  let acts: Value[] = features.map((x, i) => {
    const v = new Value(x, { label: names[i] });
    kinds.set(v, ["input", ""]);
    return v;
  });
  const last = model.layers.length - 1;
  model.layers.forEach((layer, l) => {
    const neurons = l === last ? [layer.neurons[output]] : layer.neurons;
    const indices = l === last ? [output] : neurons.map((_, j) => j);
    acts = neurons.map((neuron, k) => {
      const name = `L${l}.N${indices[k]}`;
      const own = (v: Value, kind: TraceNodeKind, label: string) => {
        v.label = label;
        kinds.set(v, [kind, name]);
        return v;
      };
      let z = own(new Value(neuron.b.data), "bias", `${name}.b`);
      acts.forEach((x, i) => {
        const w = own(new Value(neuron.w[i].data), "weight", `${name}.w${i}`);
        const wx = own(w.mul(x), "op", `${name}.w${i}·x`);
        z = own(z.add(wx), "op", `${name}.z${i}`);
      });
      z.label = `${name}.z`;
      const out = ACTIVATION_FUNCTIONS[neuron.activation].value(z);
      return own(out, "op", name);
    });
  });
  return acts[0];
}

/** The graph behind `root` as plain nodes in topological order, linked both ways, grads 0. */
function traceNodes(root: Value, kinds: Map<Value, [TraceNodeKind, string]>): TraceNode[] {
  const order = Value.topologicalOrder(root);
  const id = new Map<Value, number>();
  order.forEach((v, i) => id.set(v, i));
  const nodes: TraceNode[] = order.map((v, i) => {
    const [kind, neuron] = kinds.get(v)!;
    return {
      id: i,
      label: v.label,
      op: v.op,
      kind,
      neuron,
      children: v.children.map((c) => id.get(c)!),
      parents: [],
      data: v.data,
      grad: 0,
    };
  });
  for (const n of nodes) for (const c of n.children) nodes[c].parents.push(n.id);
  return nodes;
}

/**
 * micrograd's backward(), written down: the output's grad is 1, then each
 * node's _backward() in reverse topological order adds local * upstream to
 * each child. Sets each node's final grad.
 */
function backwardSteps(nodes: TraceNode[]): TraceStep[] {
  const grads = new Float64Array(nodes.length);
  grads[nodes.length - 1] = 1;
  const steps: TraceStep[] = [];
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i];
    const upstream = grads[i];
    const terms = node.children.map((c, k) => {
      const local = localDerivative(node, k, nodes);
      const product = local * upstream;
      const before = grads[c];
      grads[c] = before + product;
      return {
        child: c,
        local,
        product,
        before,
        after: grads[c],
        accumulates: nodes[c].parents.length > 1,
      };
    });
    steps.push({ node: i, upstream, terms });
  }
  nodes.forEach((n, i) => n.grad = grads[i]);
  return steps;
}

/** d(node)/d(its k-th child), with the same float operations as the engine's backward rule. */
function localDerivative(node: TraceNode, k: number, nodes: readonly TraceNode[]): number {
  const children = node.children;
  switch (node.op) {
    case "+":
      return 1;
    case "*":
      return nodes[children[1 - k]].data;
    case "relu":
    case "tanh":
    case "sigmoid": {
      // The activation's own derivative, from its one definition.
      const z = Float64Array.of(nodes[children[0]].data);
      const der = new Float64Array(1);
      ACTIVATION_FUNCTIONS[node.op].kernel(z, der, 1);
      return der[0];
    }
    default:
      throw new RangeError(`Cannot trace backprop through the op '${node.op}'`);
  }
}
