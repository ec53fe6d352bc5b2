/**
 * The "naive" baseline: a straight port of micrograd's `engine.py` and
 * `nn.py` in micrograd's own style. Every node allocates a backward closure
 * and a `Set` of children, and `backward()` sorts the graph with a recursive
 * depth-first search. Kept only for the benchmarks; the library is `Value`.
 *
 * @module
 */

/** A micrograd `Value`, ported line for line. */
export class NaiveValue {
  /** The forward value. */
  data: number;
  /** The gradient, filled in by `backward()`. */
  grad = 0;
  /** The backward closure. */
  backwardFn: () => void = () => {};
  /** The children, as micrograd's `_prev` set. */
  readonly prev: Set<NaiveValue>;
  /** The op that made the node. */
  readonly op: string;

  /** Makes a node; `children` become the `_prev` set. */
  constructor(data: number, children: NaiveValue[] = [], op = "") {
    this.data = data;
    this.prev = new Set(children);
    this.op = op;
  }

  /** `this + other`. */
  add(other: NaiveValue | number): NaiveValue {
    const o = other instanceof NaiveValue ? other : new NaiveValue(other);
    const out = new NaiveValue(this.data + o.data, [this, o], "+");
    out.backwardFn = () => {
      this.grad += out.grad;
      o.grad += out.grad;
    };
    return out;
  }

  /** `this * other`. */
  mul(other: NaiveValue | number): NaiveValue {
    const o = other instanceof NaiveValue ? other : new NaiveValue(other);
    const out = new NaiveValue(this.data * o.data, [this, o], "*");
    out.backwardFn = () => {
      this.grad += o.data * out.grad;
      o.grad += this.data * out.grad;
    };
    return out;
  }

  /** `this ** k` for a number `k`. */
  pow(k: number): NaiveValue {
    const out = new NaiveValue(this.data ** k, [this], `**${k}`);
    out.backwardFn = () => {
      this.grad += k * this.data ** (k - 1) * out.grad;
    };
    return out;
  }

  /** `max(0, this)`. */
  relu(): NaiveValue {
    const out = new NaiveValue(this.data < 0 ? 0 : this.data, [this], "ReLU");
    out.backwardFn = () => {
      this.grad += (out.data > 0 ? 1 : 0) * out.grad;
    };
    return out;
  }

  /** `e ** this`. */
  exp(): NaiveValue {
    const out = new NaiveValue(Math.exp(this.data), [this], "exp");
    out.backwardFn = () => {
      this.grad += out.data * out.grad;
    };
    return out;
  }

  /** The natural log. */
  log(): NaiveValue {
    const out = new NaiveValue(Math.log(this.data), [this], "log");
    out.backwardFn = () => {
      this.grad += (1 / this.data) * out.grad;
    };
    return out;
  }

  /** `-this`. */
  neg(): NaiveValue {
    return this.mul(-1);
  }

  /** `this - other`. */
  sub(other: NaiveValue | number): NaiveValue {
    return this.add(other instanceof NaiveValue ? other.neg() : -other);
  }

  /** Topological sort (recursive, as micrograd's `build_topo`), then the chain rule. */
  backward(): void {
    const topo: NaiveValue[] = [];
    const visited = new Set<NaiveValue>();
    const build = (v: NaiveValue) => {
      if (!visited.has(v)) {
        visited.add(v);
        for (const child of v.prev) build(child);
        topo.push(v);
      }
    };
    build(this);
    this.grad = 1;
    for (let i = topo.length - 1; i >= 0; i--) topo[i].backwardFn();
  }
}

/** micrograd's `Neuron`: `sum(w*x, b)`, then ReLU unless linear. */
export class NaiveNeuron {
  /** The weights. */
  readonly w: NaiveValue[];
  /** The bias. */
  readonly b: NaiveValue;
  /** Whether ReLU is applied. */
  readonly nonlin: boolean;

  /** Makes a neuron with weights drawn from `uniform`. */
  constructor(nin: number, nonlin: boolean, uniform: () => number) {
    this.w = Array.from({ length: nin }, () => new NaiveValue(uniform()));
    this.b = new NaiveValue(0);
    this.nonlin = nonlin;
  }

  /** The neuron's output, summed as Python's `sum(iterable, start)` does. */
  call(x: (NaiveValue | number)[]): NaiveValue {
    let act = this.b;
    for (let i = 0; i < this.w.length; i++) act = act.add(this.w[i].mul(x[i]));
    return this.nonlin ? act.relu() : act;
  }

  /** The weights, then the bias. */
  parameters(): NaiveValue[] {
    return [...this.w, this.b];
  }
}

/** micrograd's `MLP`: ReLU hidden layers, linear last layer. */
export class NaiveMlp {
  /** Neurons per layer. */
  readonly layers: NaiveNeuron[][];

  /** Makes an MLP; `uniform` draws the initial weights. */
  constructor(nin: number, nouts: number[], uniform: () => number) {
    const sizes = [nin, ...nouts];
    this.layers = nouts.map((nout, i) =>
      Array.from({ length: nout }, () => new NaiveNeuron(sizes[i], i !== nouts.length - 1, uniform))
    );
  }

  /** The outputs on one input vector. */
  call(x: (NaiveValue | number)[]): NaiveValue[] {
    let out: (NaiveValue | number)[] = x;
    for (const layer of this.layers) out = layer.map((n) => n.call(out));
    return out as NaiveValue[];
  }

  /** In micrograd's order. */
  parameters(): NaiveValue[] {
    return this.layers.flatMap((l) => l.flatMap((n) => n.parameters()));
  }

  /** Sets every grad to 0. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = 0;
  }

  /** Overwrites the parameters, in micrograd's order. */
  setParameters(values: readonly number[]): void {
    this.parameters().forEach((p, i) => p.data = values[i]);
  }
}

function sum(values: NaiveValue[]): NaiveValue {
  // Python's sum() starts from the int 0.
  let total: NaiveValue | null = null;
  for (const v of values) total = total === null ? v.add(0) : total.add(v);
  return total ?? new NaiveValue(0);
}

/**
 * One step of micrograd's demo: forward over the batch, the max-margin loss
 * plus `alpha * sum(p*p)`, backward, SGD. Returns the loss before the update.
 */
export function naiveSvmStep(
  model: NaiveMlp,
  x: readonly number[][],
  y: readonly number[],
  lr: number,
  alpha = 1e-4,
): number {
  const scores = x.map((xi) => model.call(xi)[0]);
  const losses = scores.map((s, i) => s.mul(-(y[i] === 1 ? 1 : -1)).add(1).relu());
  return descend(model, losses, lr, alpha);
}

/** The end of micrograd's step: mean loss plus L2, backward, SGD. Returns the loss. */
function descend(model: NaiveMlp, losses: NaiveValue[], lr: number, alpha: number): number {
  const dataLoss = sum(losses).mul(1 / losses.length);
  const regLoss = sum(model.parameters().map((p) => p.mul(p))).mul(alpha);
  const total = dataLoss.add(regLoss);
  model.zeroGrad();
  total.backward();
  for (const p of model.parameters()) p.data -= lr * p.grad;
  return total.data;
}

/**
 * One step of softmax cross-entropy training (k classes), written in the
 * same style: log-sum-exp from binary ops, shifted by the max.
 */
export function naiveCeStep(
  model: NaiveMlp,
  x: readonly number[][],
  y: readonly number[],
  lr: number,
  alpha = 1e-4,
): number {
  const losses = x.map((xi, i) => {
    const z = model.call(xi);
    const m = Math.max(...z.map((v) => v.data));
    const lse = sum(z.map((v) => v.sub(m).exp())).log().add(m);
    return lse.sub(z[y[i]]);
  });
  return descend(model, losses, lr, alpha);
}
