/// <reference lib="dom" />
/**
 * The backprop stepper: micrograd's graph of a model's output at a point
 * (from {@linkcode backpropTrace}), stepped forward node by node in
 * topological order, then backward node by node in reverse, each backward
 * step showing its local derivative × upstream and the `+=` into a child
 * used more than once. A panel the playground embeds:
 * `mountStepper(card, { model, point })`.
 *
 * @module
 */
import { type BackpropTrace, backpropTrace, Mlp, type MlpJson, type TraceNode } from "../../mod.ts";
import { el } from "./_dom.ts";

/** What {@linkcode mountStepper} shows. */
export interface StepperOptions {
  /** The model, as `Mlp.toJSON()` (or `model.json`'s `model`) writes it. */
  model: MlpJson;
  /** The point, in the data's own inputs (the model's feature crosses are applied to it). */
  point: readonly number[];
  /**
   * The model's feature expressions, as `model.json`'s `featureNames`.
   *
   * @default {inputs}
   */
  features?: readonly string[];
  /**
   * The data's own input names, as `model.json`'s `inputNames`.
   *
   * @default {["x1", "x2", ...]}
   */
  inputs?: readonly string[];
  /** Class names, to name the outputs as `graph` does (`score_<class>`). */
  classNames?: readonly string[];
  /**
   * The output to follow, from 0.
   *
   * @default {0}
   */
  output?: number;
}

/** Drives a mounted stepper; the buttons call the same methods. */
export interface StepperController {
  /** Moves to another point (same input names) and starts over. */
  setPoint(point: readonly number[]): void;
  /** Shows another model (or the same one's new weights) and starts over. */
  setModel(model: MlpJson): void;
  /** Follows another output, from 0, and starts over. */
  setOutput(output: number): void;
  /** Computes the next node of the forward pass; false when it is done. */
  stepForward(): boolean;
  /** Runs the next node's `_backward()`; false when the sweep is done or the forward pass is not. */
  stepBackward(): boolean;
  /** Back to the start: nothing computed, every grad 0. */
  reset(): void;
  /** Removes the panel and its listeners. */
  destroy(): void;
  /** The trace shown. */
  readonly trace: BackpropTrace;
}

/** The most nodes drawn whole at first; a larger graph is drawn one neuron at a time. */
const WHOLE_LIMIT = 90;
/** The most nodes "Whole graph" draws: beyond, a drawing would be too slow and too large to read. */
const WHOLE_MAX = 2500;
const COL = 176;
const ROW = 58;
const BOX_W = 132;
const BOX_H = 44;
const SVG_NS = "http://www.w3.org/2000/svg";

const CSS = `
.dg-st{--fg:#1f2328;--muted:#59636e;--bg:#fff;--panel:#f6f8fa;--line:#d0d7de;--edge:#8c959f;
 --cur:#d4a72c;--curbg:#fff8c5;--kid:#0969da;--kidbg:#ddf4ff;--acc:#8250df;
 color:var(--fg);background:var(--bg);font:14px/1.45 system-ui,sans-serif;min-width:0;max-width:100%}
@media (prefers-color-scheme: dark){.dg-st{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--panel:#161b22;
 --line:#3d444d;--edge:#656c76;--cur:#d29922;--curbg:#3b2e0a;--kid:#4493f8;--kidbg:#0c2d6b;--acc:#ab7df8}}
.dg-st h3{margin:0 0 .4em;font-size:1.05em}
.dg-st-bar{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin:.4em 0}
.dg-st button,.dg-st select{font:inherit;font-size:13px;color:var(--fg);background:var(--panel);
 border:1px solid var(--line);border-radius:6px;padding:5px 9px;min-height:32px}
.dg-st button:disabled{opacity:.45}
.dg-st button:focus-visible,.dg-st select:focus-visible,.dg-st-graph:focus-visible{outline:2px solid var(--kid);outline-offset:1px}
.dg-st-status{color:var(--muted);font-size:13px;margin:.2em 0}
.dg-st-explain{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:.5em .7em;
 font-size:13px;min-height:3.2em;overflow-wrap:anywhere}
.dg-st-explain p{margin:.2em 0}
.dg-st-explain code{font:12px ui-monospace,monospace}
.dg-st-acc{color:var(--acc)}
.dg-st-graph{overflow:auto;max-height:460px;border:1px solid var(--line);border-radius:6px;margin:.5em 0;
 background:var(--bg);touch-action:pan-x pan-y}
.dg-st-graph svg{display:block}
.dg-st-graph text{font:11px ui-monospace,monospace;fill:var(--fg)}
.dg-st-graph .lab{font-weight:600}
.dg-st-graph .fn{font-size:8.5px}
.dg-st-graph rect{fill:var(--bg);stroke:var(--line)}
.dg-st-graph circle{fill:var(--panel);stroke:var(--edge)}
.dg-st-graph path{fill:none;stroke:var(--edge);stroke-width:1}
.dg-st-graph .cur rect{fill:var(--curbg);stroke:var(--cur);stroke-width:2}
.dg-st-graph .kid rect{fill:var(--kidbg);stroke:var(--kid);stroke-width:2}
.dg-st-graph path.hot{stroke:var(--kid);stroke-width:2}
.dg-st-graph .unknown{fill:var(--muted)}
.dg-st details{font-size:13px}
.dg-st table{border-collapse:collapse;font:12px ui-monospace,monospace}
.dg-st td,.dg-st th{padding:1px 8px;text-align:right;border-bottom:1px solid var(--line)}
.dg-st td:first-child,.dg-st th:first-child{text-align:left}
.dg-st-records{overflow:auto;max-height:320px}
`;

/** A number as micrograd's `draw_dot` and `graph` print it. */
function fixed(x: number): string {
  return x.toFixed(4);
}

/** How d(node)/d(child) is worked out, in words. */
function localRule(node: TraceNode, nodes: readonly TraceNode[], k: number): string {
  switch (node.op) {
    case "+":
      return "1 (a sum passes its grad on unchanged)";
    case "*":
      return `the other factor's data, ${nodes[node.children[1 - k]].label}`;
    case "relu":
      return "1 if its input > 0, else 0";
    case "tanh":
      return "1 − tanh²";
    case "sigmoid":
      return "s · (1 − s)";
    default:
      return node.op;
  }
}

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number> = {},
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

/**
 * An edge from a child's record to its parent's op circle: a curve to the
 * next column, a line down within one column (a running sum), and otherwise
 * a route along the gaps between rows, clear of the records it passes.
 */
function edgePath(
  fromCol: number,
  toCol: number,
  x: (id: number) => number,
  y: (id: number) => number,
  from: number,
  to: number,
): string {
  const [cx, cy] = [x(to) - 22, y(to) + BOX_H / 2];
  if (fromCol === toCol) return `M${x(from) + 16},${y(from) + BOX_H} L${cx},${cy - 11}`;
  const [x1, y1] = [x(from) + BOX_W, y(from) + BOX_H / 2];
  if (toCol === fromCol + 1) {
    const mid = (x1 + cx - 11) / 2;
    return `M${x1},${y1} C${mid},${y1} ${mid},${cy} ${cx - 11},${cy}`;
  }
  const gap = y(to) + BOX_H + (ROW - BOX_H) / 2;
  const bend = x(to) - 40;
  return `M${x1},${y1} H${x1 + 6} V${gap} H${bend} V${cy} H${cx - 11}`;
}

/** Where each drawn node goes: a column and row per node, blocks of one neuron each. */
function layout(
  trace: BackpropTrace,
  groups: ReadonlyMap<string, TraceNode[]>,
  focus: string | null,
): Map<number, [number, number]> {
  const { nodes } = trace;
  const at = new Map<number, [number, number]>();
  const neurons = [...groups.keys()].filter((name) => name !== "");
  const layerOf = (name: string) => Number(/^L(\d+)/.exec(name)![1]);
  const shown = focus === null ? neurons : [focus];
  const rowsUsed: number[] = [];
  const place = (id: number, col: number, row: number) => {
    if (at.has(id)) return;
    at.set(id, [col, row]);
  };
  const base = (name: string) => (focus === null ? 4 * layerOf(name) : 0);
  for (const name of shown) {
    const own = groups.get(name)!;
    const weights = own.filter((n) => n.kind === "weight");
    const l = layerOf(name);
    const top = focus === null ? (rowsUsed[l] ?? 0) : 0;
    const b = base(name);
    place(own.find((n) => n.kind === "bias")!.id, b + 3, top);
    weights.forEach((w, i) => {
      const mul = nodes[w.parents[0]];
      const sum = nodes[mul.parents[0]];
      place(w.id, b + 1, top + 1 + i);
      place(mul.id, b + 2, top + 1 + i);
      place(sum.id, b + 3, top + 1 + i);
      // The input it multiplies: the point's feature or the previous layer's output.
      const x = mul.children[1];
      if (focus !== null) place(x, 0, top + 1 + i);
    });
    const out = own.find((n) => n.kind === "op" && n.op !== "*" && n.op !== "+");
    if (out !== undefined) place(out.id, b + 4, top + weights.length);
    rowsUsed[l] = top + weights.length + 2;
    if (focus !== null) {
      // Where this neuron's output goes next.
      const result = out ?? nodes[nodes[weights.at(-1)!.parents[0]].parents[0]];
      const outRow = top + weights.length;
      const first = Math.max(0, outRow - result.parents.length + 1);
      result.parents.forEach((p, i) => place(p, 5, first + i));
    }
  }
  if (focus === null) {
    groups.get("")!.forEach((n, i) => place(n.id, 0, i + 1));
  }
  return at;
}

/**
 * Mounts the backprop stepper in `container` and returns its controller.
 *
 * @throws {RangeError} when the point or output does not fit the model.
 */
export function mountStepper(container: HTMLElement, options: StepperOptions): StepperController {
  const stepper = new Stepper(container, options);
  const controller: StepperController = {
    setPoint: (p) => stepper.setPoint(p),
    setModel: (json) => stepper.setModel(json),
    setOutput: (k) => stepper.setOutput(k),
    stepForward: () => stepper.stepForward(),
    stepBackward: () => stepper.stepBackward(),
    reset: () => stepper.reset(),
    destroy: () => stepper.destroy(),
    get trace() {
      return stepper.trace;
    },
  };
  stepper.rebuild();
  return controller;
}

/** The elements of a stepper's panel that it changes. */
interface StepperDom {
  root: HTMLElement;
  heading: HTMLHeadingElement;
  status: HTMLParagraphElement;
  explain: HTMLDivElement;
  graphBox: HTMLDivElement;
  records: HTMLTableSectionElement;
  recordsSummary: HTMLElement;
  details: HTMLDetailsElement;
  outputSelect: HTMLSelectElement;
  viewButton: HTMLButtonElement;
}

function button(action: string, text: string, title: string): HTMLButtonElement {
  return el("button", { type: "button", "data-action": action, title }, text);
}

/** The foldable table of every value, with its (empty) body and summary. */
function recordsDetails(): Pick<StepperDom, "records" | "recordsSummary" | "details"> {
  const records = el("tbody", {});
  const recordsSummary = el("summary", {});
  const details = el(
    "details",
    {},
    recordsSummary,
    el(
      "div",
      { class: "dg-st-records" },
      el(
        "table",
        { "data-stepper": "records" },
        el(
          "thead",
          {},
          el(
            "tr",
            {},
            el("th", {}, "label"),
            el("th", {}, "op"),
            el("th", {}, "data"),
            el("th", {}, "grad"),
          ),
        ),
        records,
      ),
    ),
  );
  return { records, recordsSummary, details };
}

/** Builds the stepper's panel (not yet in the page). */
function stepperDom(): StepperDom {
  const outputSelect = el("select", { "data-stepper": "output", "aria-label": "Output to follow" });
  const heading = el("h3", {});
  const status = el("p", {
    class: "dg-st-status",
    "data-stepper": "status",
    "aria-live": "polite",
  });
  const explain = el("div", { class: "dg-st-explain", "data-stepper": "explain" });
  const graphBox = el("div", {
    class: "dg-st-graph",
    tabindex: "0",
    role: "img",
    "aria-label": "The computation graph; scroll to pan",
  });
  const { records, recordsSummary, details } = recordsDetails();
  const viewButton = button("stepper-view", "Whole graph", "Draw every node, or one neuron");
  const root = el(
    "section",
    { class: "dg-st", "aria-label": "Backprop stepper" },
    el("style", {}, CSS),
    heading,
    el(
      "div",
      { class: "dg-st-bar", role: "toolbar", "aria-label": "Step through backprop" },
      button("forward-step", "Forward ▸", "Compute the next node (f)"),
      button("run-forward", "Forward all ▸▸", "Compute every node"),
      button("backward-step", "◂ Backward", "Run the next node's _backward() (b)"),
      button("run-backward", "◂◂ Backward all", "Run backward() to the end"),
      button("reset-stepper", "Reset", "Start over"),
    ),
    el(
      "div",
      { class: "dg-st-bar" },
      el("label", {}, "Output ", outputSelect),
      viewButton,
      button("zoom-out", "−", "Zoom out"),
      button("zoom-in", "+", "Zoom in"),
    ),
    status,
    explain,
    graphBox,
    details,
  );
  const dom = { root, heading, status, explain, graphBox, records, recordsSummary, details };
  return { ...dom, outputSelect, viewButton };
}

/** A drawn node: its group and the texts of its data and grad. */
interface DrawnNode {
  g: SVGGElement;
  data: SVGTextElement;
  grad: SVGTextElement;
}

/** A mounted stepper's state and panel; {@linkcode mountStepper} hands out its controller. */
class Stepper {
  #options: StepperOptions;
  #model: Mlp;
  #point: number[];
  #output: number;
  #trace!: BackpropTrace;
  // The nodes of each neuron ("" for the inputs), in topological order.
  #groups = new Map<string, TraceNode[]>();
  #forwardDone = 0;
  #backwardDone = 0;
  #grads = new Float64Array(0);
  #whole = false;
  #zoom = 1;
  #focus: string | null = null;
  #drawn = new Map<number, DrawnNode>();
  #edges: { from: number; to: number; path: SVGPathElement }[] = [];
  #dom: StepperDom;

  constructor(container: HTMLElement, options: StepperOptions) {
    this.#options = options;
    this.#model = Mlp.fromJSON(options.model);
    this.#point = [...options.point];
    this.#output = options.output ?? 0;
    this.#dom = stepperDom();
    container.append(this.#dom.root);
    this.#dom.root.addEventListener("click", this.#onClick);
    this.#dom.details.addEventListener("toggle", this.#onToggle);
    this.#dom.root.addEventListener("keydown", this.#onKey);
    this.#dom.outputSelect.addEventListener("change", this.#onOutput);
  }

  get trace(): BackpropTrace {
    return this.#trace;
  }

  setPoint(p: readonly number[]): void {
    this.#point = [...p];
    this.rebuild();
  }

  setModel(json: MlpJson): void {
    this.#model = Mlp.fromJSON(json);
    this.#output = Math.min(this.#output, this.#model.nouts.at(-1)! - 1);
    this.rebuild();
  }

  setOutput(k: number): void {
    this.#output = k;
    this.rebuild();
  }

  destroy(): void {
    const { root, details, outputSelect } = this.#dom;
    root.removeEventListener("click", this.#onClick);
    details.removeEventListener("toggle", this.#onToggle);
    root.removeEventListener("keydown", this.#onKey);
    outputSelect.removeEventListener("change", this.#onOutput);
    root.remove();
  }

  #find(action: string): HTMLButtonElement {
    return this.#dom.root.querySelector<HTMLButtonElement>(`[data-action="${action}"]`)!;
  }

  /** Traces the model at the point again and starts over. */
  rebuild(): void {
    const options = this.#options;
    const output = this.#output;
    const width = this.#model.nouts.at(-1)!;
    const className = options.classNames?.[output];
    const trace = this.#trace = backpropTrace(this.#model, this.#point, {
      output,
      features: options.features,
      inputs: options.inputs,
      // As `graph` names it.
      outputLabel: width > 1 && className !== undefined ? `score_${className}` : undefined,
    });
    this.#fillOutputs(width);
    this.#dom.heading.textContent = `Backprop at (${
      this.#point.map((x) => String(Number(x.toPrecision(4)))).join(", ")
    })`;
    this.#groups = new Map();
    for (const n of trace.nodes) {
      const group = this.#groups.get(n.neuron);
      if (group === undefined) this.#groups.set(n.neuron, [n]);
      else group.push(n);
    }
    const { recordsSummary, records, details, viewButton } = this.#dom;
    recordsSummary.textContent = `All ${trace.nodes.length} values (micrograd's records)`;
    records.replaceChildren();
    if (details.open) this.#fillRecords();
    this.#whole = trace.nodes.length <= WHOLE_LIMIT;
    viewButton.hidden = trace.nodes.length <= WHOLE_LIMIT || trace.nodes.length > WHOLE_MAX;
    this.reset();
  }

  /** Lists the model's `width` outputs in the output menu. */
  #fillOutputs(width: number): void {
    const { outputSelect } = this.#dom;
    outputSelect.replaceChildren(
      ...Array.from(
        { length: width },
        (_, k) =>
          el(
            "option",
            { value: String(k) },
            this.#options.classNames?.[k] ?? (width === 1 ? "score" : `output ${k}`),
          ),
      ),
    );
    outputSelect.value = String(this.#output);
    outputSelect.disabled = width === 1;
  }

  /** Makes the table's rows: only once it is open, as a large graph has thousands. */
  #fillRecords(): void {
    this.#dom.records.replaceChildren(
      ...this.#trace.nodes.map((n) =>
        el(
          "tr",
          { "data-id": String(n.id), "data-label": n.label },
          el("td", {}, n.label),
          el("td", {}, n.op),
          el("td", { "data-data": "" }),
          el("td", { "data-grad": "" }),
        )
      ),
    );
  }

  /** The node the last step was about, or null before the first. */
  #current(): TraceNode | null {
    const trace = this.#trace;
    if (this.#backwardDone > 0) return trace.nodes[trace.steps[this.#backwardDone - 1].node];
    if (this.#forwardDone > 0) return trace.nodes[this.#forwardDone - 1];
    return null;
  }

  #draw(): void {
    const wanted = this.#wantedFocus();
    const at = layout(this.#trace, this.#groups, wanted);
    this.#focus = wanted;
    let cols = 0;
    let rows = 0;
    for (const [c, r] of at.values()) [cols, rows] = [Math.max(cols, c + 1), Math.max(rows, r + 1)];
    const w = cols * COL + 16;
    const h = rows * ROW + 16;
    const pic = svg("svg", {
      width: Math.ceil(w * this.#zoom),
      height: Math.ceil(h * this.#zoom),
      viewBox: `0 0 ${w} ${h}`,
      "data-stepper": "graph",
    });
    const x = (id: number) => 8 + at.get(id)![0] * COL + (COL - BOX_W);
    const y = (id: number) => 8 + at.get(id)![1] * ROW;
    this.#edges = [];
    const shown = [...at.keys()].sort((a, b) => a - b).map((id) => this.#trace.nodes[id]);
    for (const n of shown) {
      for (const c of new Set(n.children)) {
        if (!at.has(c)) continue;
        const path = svg("path", { d: edgePath(at.get(c)![0], at.get(n.id)![0], x, y, c, n.id) });
        pic.append(path);
        this.#edges.push({ from: c, to: n.id, path });
      }
    }
    this.#drawn = new Map();
    for (const n of shown) {
      const drawn = drawNode(n, x(n.id), y(n.id));
      pic.append(drawn.g);
      this.#drawn.set(n.id, drawn);
    }
    this.#dom.graphBox.replaceChildren(pic);
  }

  /** The neuron to draw (null for all): the current node's, or for an input the first neuron using it. */
  #wantedFocus(): string | null {
    if (this.#whole) return null;
    const node = this.#current() ?? this.#trace.nodes[0];
    return node.neuron || this.#trace.nodes[node.parents[0]].neuron;
  }

  /** Shows the state; only the table rows of `changed` when given, else every row. */
  #update(changed?: readonly number[]): void {
    const cur = this.#current();
    if (this.#wantedFocus() !== this.#focus || this.#drawn.size === 0) this.#draw();
    this.#updateGraph(cur);
    this.#updateRows(changed);
    this.#updateStatus();
    this.#dom.explain.replaceChildren(
      ...explainStep(this.#trace, cur, this.#forwardDone, this.#backwardDone),
    );
    if (cur !== null) this.#scrollTo(cur);
  }

  /** Shows each drawn node's data and grad, and marks the current node, its children and edges. */
  #updateGraph(cur: TraceNode | null): void {
    const trace = this.#trace;
    const step = this.#backwardDone > 0 ? trace.steps[this.#backwardDone - 1] : null;
    const kids = new Set(step?.terms.map((t) => t.child) ?? []);
    for (const [id, d] of this.#drawn) {
      const known = id < this.#forwardDone;
      d.data.textContent = known ? `data ${fixed(trace.nodes[id].data)}` : "data ?";
      d.data.classList.toggle("unknown", !known);
      d.grad.textContent = `grad ${fixed(this.#grads[id])}`;
      d.g.classList.toggle("cur", cur?.id === id);
      d.g.classList.toggle("kid", kids.has(id));
    }
    for (const e of this.#edges) {
      e.path.classList.toggle("hot", step !== null && e.to === step.node);
    }
  }

  /** Fills the table rows of `changed` (every row when not given), if the table is made. */
  #updateRows(changed?: readonly number[]): void {
    const trace = this.#trace;
    const grads = this.#grads;
    const rows = this.#dom.records.children;
    for (const i of rows.length === 0 ? [] : changed ?? trace.nodes.keys()) {
      const [, , dataCell, gradCell] = rows[i].children as unknown as HTMLElement[];
      dataCell.textContent = i < this.#forwardDone ? fixed(trace.nodes[i].data) : "";
      dataCell.dataset.data = i < this.#forwardDone ? String(trace.nodes[i].data) : "";
      gradCell.textContent = fixed(grads[i]);
      gradCell.dataset.grad = String(grads[i]);
    }
  }

  /** The status line, the buttons' states and the view button's text. */
  #updateStatus(): void {
    const { status, viewButton } = this.#dom;
    const [forwardDone, backwardDone] = [this.#forwardDone, this.#backwardDone];
    const n = this.#trace.nodes.length;
    status.textContent =
      (backwardDone > 0
        ? `Backward: ${backwardDone} of ${n} nodes`
        : `Forward: ${forwardDone} of ${n} nodes`) +
      (this.#focus === null
        ? ""
        : ` · drawn: neuron ${this.#focus}, its inputs and where its output goes`);
    status.dataset.forward = String(forwardDone);
    status.dataset.backward = String(backwardDone);
    this.#find("forward-step").disabled = forwardDone === n;
    this.#find("run-forward").disabled = forwardDone === n;
    this.#find("backward-step").disabled = backwardDone === n;
    this.#find("run-backward").disabled = backwardDone === n;
    viewButton.textContent = this.#whole ? "One neuron" : "Whole graph";
  }

  /** Scrolls the graph to `cur` when it is drawn but out of view. */
  #scrollTo(cur: TraceNode): void {
    const d = this.#drawn.get(cur.id);
    if (d === undefined) return;
    const { graphBox } = this.#dom;
    const zoom = this.#zoom;
    const [tx, ty] = /translate\(([-\d.]+),([-\d.]+)\)/.exec(d.g.getAttribute("transform")!)!
      .slice(1).map(Number);
    const left = (tx - 30) * zoom;
    const top = ty * zoom;
    if (
      left < graphBox.scrollLeft ||
      left + (BOX_W + 30) * zoom > graphBox.scrollLeft + graphBox.clientWidth ||
      top < graphBox.scrollTop ||
      top + BOX_H * zoom > graphBox.scrollTop + graphBox.clientHeight
    ) {
      graphBox.scrollTo({
        left: left - graphBox.clientWidth / 3,
        top: top - graphBox.clientHeight / 3,
      });
    }
  }

  stepForward(): boolean {
    if (this.#forwardDone === this.#trace.nodes.length) return false;
    this.#forwardDone++;
    this.#update([this.#forwardDone - 1]);
    return true;
  }

  /** Runs the next node's `_backward()`: the `+=` into each child; returns the nodes it changed. */
  #applyStep(): number[] {
    const step = this.#trace.steps[this.#backwardDone];
    if (this.#backwardDone === 0) this.#grads[step.node] = 1;
    for (const t of step.terms) this.#grads[t.child] = t.after;
    this.#backwardDone++;
    return [step.node, ...step.terms.map((t) => t.child)];
  }

  stepBackward(): boolean {
    if (this.#backwardDone === this.#trace.steps.length) return false;
    // backward() needs the forward pass's data: finish it first.
    const finish = this.#forwardDone < this.#trace.nodes.length;
    this.#forwardDone = this.#trace.nodes.length;
    const changed = this.#applyStep();
    this.#update(finish ? undefined : changed);
    return true;
  }

  reset(): void {
    this.#forwardDone = 0;
    this.#backwardDone = 0;
    this.#grads = new Float64Array(this.#trace.nodes.length);
    this.#drawn = new Map();
    this.#update();
  }

  #runForward(): void {
    this.#forwardDone = this.#trace.nodes.length;
    this.#update();
  }

  #runBackward(): void {
    this.#forwardDone = this.#trace.nodes.length;
    while (this.#backwardDone < this.#trace.steps.length) this.#applyStep();
    this.#update();
  }

  /** Draws everything again, e.g. after a change of view or zoom. */
  #redraw(): void {
    this.#drawn = new Map();
    this.#update();
  }

  #onClick = (event: Event): void => {
    const target = (event.target as Element).closest<HTMLButtonElement>("button[data-action]");
    if (target === null || !this.#dom.root.contains(target)) return;
    switch (target.dataset.action) {
      case "forward-step":
        this.stepForward();
        break;
      case "run-forward":
        this.#runForward();
        break;
      case "backward-step":
        this.stepBackward();
        break;
      case "run-backward":
        this.#runBackward();
        break;
      case "reset-stepper":
        this.reset();
        break;
      case "stepper-view":
        this.#whole = !this.#whole;
        this.#redraw();
        break;
      case "zoom-in":
      case "zoom-out":
        this.#zoom = Math.min(
          2,
          Math.max(0.3, this.#zoom * (target.dataset.action === "zoom-in" ? 1.25 : 0.8)),
        );
        this.#redraw();
        break;
    }
  };

  #onKey = (event: KeyboardEvent): void => {
    const tag = (event.target as Element).tagName;
    if (tag === "SELECT" || tag === "INPUT" || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (event.key === "f") this.stepForward();
    else if (event.key === "b") this.stepBackward();
    else return;
    event.preventDefault();
  };

  #onOutput = (): void => {
    this.setOutput(Number(this.#dom.outputSelect.value));
  };

  #onToggle = (): void => {
    if (this.#dom.details.open && this.#dom.records.children.length === 0) {
      this.#fillRecords();
      this.#update();
    }
  };
}

/** Draws node `n` at (`x`, `y`): its op circle (if any) and its record of label, data and grad. */
function drawNode(n: TraceNode, x: number, y: number): DrawnNode {
  const g = svg("g", { "data-id": n.id, transform: `translate(${x},${y})` });
  const title = svg("title");
  title.textContent = `${n.label}${n.op === "" ? "" : ` = ${n.op} of its inputs`}`;
  g.append(title);
  if (n.op !== "") {
    g.append(svg("path", { d: `M-14,${BOX_H / 2} H0` }));
    g.append(svg("circle", { cx: -22, cy: BOX_H / 2, r: 11 }));
    const short = n.op === "*" || n.op === "+";
    const op = svg("text", {
      x: -22,
      y: BOX_H / 2 + (short ? 4 : 3),
      "text-anchor": "middle",
      class: short ? "" : "fn",
    });
    op.textContent = short ? n.op : n.op.slice(0, 4);
    g.append(op);
  }
  g.append(svg("rect", { width: BOX_W, height: BOX_H, rx: 4 }));
  const lab = svg("text", { x: 6, y: 13, class: "lab" });
  lab.textContent = n.label.length > 19 ? `…${n.label.slice(-18)}` : n.label;
  const data = svg("text", { x: 6, y: 27 });
  const grad = svg("text", { x: 6, y: 40 });
  g.append(lab, data, grad);
  return { g, data, grad };
}

function p(...parts: (Node | string)[]): HTMLParagraphElement {
  return el("p", {}, ...parts);
}

function code(text: string): HTMLElement {
  return el("code", {}, text);
}

/** The words under the toolbar about the last step (`cur`), or about the graph before the first. */
function explainStep(
  trace: BackpropTrace,
  cur: TraceNode | null,
  forwardDone: number,
  backwardDone: number,
): HTMLElement[] {
  const { nodes } = trace;
  if (cur === null) {
    return [
      p(
        `The graph of ${
          nodes.at(-1)!.label
        } at this point has ${nodes.length} values, in topological order: `,
        "every value comes after the values it is computed from. Step forward to compute them one by one.",
      ),
    ];
  }
  if (backwardDone === 0) return [explainForward(nodes, cur, forwardDone)];
  return explainBackward(trace, cur, backwardDone);
}

/** The forward step that computed `cur`. */
function explainForward(
  nodes: readonly TraceNode[],
  cur: TraceNode,
  forwardDone: number,
): HTMLElement {
  const parts: (Node | string)[] = [`Forward ${cur.id + 1}/${nodes.length}: `];
  const d = fixed(cur.data);
  if (cur.op === "") {
    const what =
      { input: "a feature of the point", weight: "a weight", bias: "a bias", op: "" }[cur.kind];
    parts.push(code(`${cur.label} = ${d}`), `, ${what}: a leaf of the graph.`);
  } else if (cur.op === "*" || cur.op === "+") {
    const [a, b] = cur.children.map((c) => nodes[c]);
    parts.push(
      code(
        `${cur.label} = ${a.label} ${cur.op} ${b.label} = ${fixed(a.data)} ${cur.op} ${
          fixed(b.data)
        } = ${d}`,
      ),
    );
  } else {
    const z = nodes[cur.children[0]];
    parts.push(
      code(`${cur.label} = ${cur.op}(${z.label}) = ${cur.op}(${fixed(z.data)}) = ${d}`),
    );
  }
  const more = forwardDone === nodes.length
    ? " The forward pass is done: step backward to run backward()."
    : "";
  return p(...parts, more);
}

/** The backward step that ran `cur`'s `_backward()`: each `+=` into a child. */
function explainBackward(
  trace: BackpropTrace,
  cur: TraceNode,
  backwardDone: number,
): HTMLElement[] {
  const { nodes } = trace;
  const step = trace.steps[backwardDone - 1];
  const lines: HTMLElement[] = [];
  if (backwardDone === 1) {
    lines.push(
      p(
        `backward() sets ${cur.label}.grad = 1 (d${cur.label}/d${cur.label}), then runs each node's `,
        code("_backward()"),
        " in reverse topological order, so a node runs only once every node that uses it has added its share to its grad.",
      ),
    );
  }
  lines.push(
    p(
      `Backward ${backwardDone}/${nodes.length}: `,
      code(cur.label),
      cur.op === "" ? " is a leaf" : ` (${cur.op})`,
      `, upstream grad ${fixed(step.upstream)}.`,
    ),
  );
  if (step.terms.length === 0) {
    lines.push(
      p(`Nothing to pass back: its grad ${fixed(step.upstream)} is d${
        nodes.at(-1)!.label
      }/d${cur.label}.`),
    );
  }
  step.terms.forEach((_, k) => lines.push(...explainTerm(nodes, cur, step, k)));
  if (backwardDone === nodes.length) {
    lines.push(
      p(
        "backward() is done: every grad is d" + nodes.at(-1)!.label +
          "/d(value), as denograd graph prints it.",
      ),
    );
  }
  return lines;
}

/** The `+=` of `step`'s `k`th term into its child, and why it is `+=` when the child is shared. */
function explainTerm(
  nodes: readonly TraceNode[],
  cur: TraceNode,
  step: BackpropTrace["steps"][number],
  k: number,
): HTMLElement[] {
  const t = step.terms[k];
  const child = nodes[t.child];
  const lines = [
    p(
      code(
        `${child.label}.grad += ${fixed(t.local)} × ${fixed(step.upstream)} = ${fixed(t.product)}`,
      ),
      ` — local derivative × upstream = contribution; the local derivative is ${
        localRule(cur, nodes, k)
      }.`,
    ),
  ];
  if (t.accumulates) {
    const note = p(
      `+= : ${child.label} is used by ${child.parents.length} nodes, so its grad is the sum of their contributions (the multivariable chain rule): grad ${
        fixed(t.before)
      } + ${fixed(t.product)} = ${
        fixed(t.after)
      }. With = instead of +=, each use would overwrite the others.`,
    );
    note.className = "dg-st-acc";
    note.dataset.accumulate = String(t.child);
    lines.push(note);
  }
  return lines;
}
