/**
 * Tools that look at a computation graph: its order, its size, and a
 * Graphviz picture of it in the style of micrograd's `draw_dot`.
 *
 * @module
 */
import { Value } from "./value.ts";

/**
 * Every node `root` depends on, each once, children before parents, `root`
 * last. Iterative, so a chain of a million nodes is fine.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { topologicalOrder, Value } from "../mod.ts";
 * const a = new Value(2);
 * const b = a.mul(a).add(1);
 * assert.deepEqual(topologicalOrder(b).map((v) => v.data), [2, 4, 1, 5]);
 * ```
 */
export function topologicalOrder(root: Value): Value[] {
  return Value.topologicalOrder(root);
}

/** The size and shape of a graph, from {@linkcode graphStats}. */
export interface GraphStats {
  /** Distinct nodes, leaves included. */
  nodes: number;
  /** Edges from a child to its parent; a child used twice by one op counts twice. */
  edges: number;
  /** Ops on the longest path from a leaf to the root (a lone leaf has depth 0). */
  depth: number;
  /** Nodes with no children. */
  leaves: number;
  /** How many nodes each op made, e.g. `{ "+": 3, "relu": 2 }`. */
  ops: Record<string, number>;
}

/**
 * Counts the nodes, edges and depth of the graph behind `root`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { graphStats, Value } from "../mod.ts";
 * const x = new Value(3);
 * const stats = graphStats(x.mul(x).tanh());
 * assert.equal(stats.nodes, 3);
 * assert.equal(stats.edges, 3);
 * assert.equal(stats.depth, 2);
 * ```
 */
export function graphStats(root: Value): GraphStats {
  const order = Value.topologicalOrder(root);
  const depth = new Map<Value, number>();
  const ops: Record<string, number> = {};
  let edges = 0;
  let leaves = 0;
  for (const v of order) {
    const children = v.children;
    edges += children.length;
    let d = 0;
    for (const c of children) d = Math.max(d, depth.get(c)! + 1);
    depth.set(v, d);
    if (children.length === 0) leaves++;
    else ops[v.op] = (ops[v.op] ?? 0) + 1;
  }
  return { nodes: order.length, edges, depth: depth.get(root)!, leaves, ops };
}

/** Options for {@linkcode toDot}. */
export interface ToDotOptions {
  /**
   * Graphviz `rankdir`: `"LR"` draws inputs on the left, as micrograd does.
   *
   * @default {"LR"}
   */
  rankdir?: "LR" | "TB" | "RL" | "BT";
  /**
   * Digits after the decimal point for `data` and `grad`.
   *
   * @default {4}
   */
  precision?: number;
}

/** Escapes text for a Graphviz record label. */
function escapeRecord(text: string): string {
  return text.replace(/[\\{}|<>"]/g, (c) => `\\${c}`).replace(/\n/g, "\\n");
}

/**
 * Writes the graph behind `root` as Graphviz DOT: a record node
 * `{ label | data | grad }` per value, and an ellipse per op, as micrograd's
 * `trace_graph`/`draw_dot` does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toDot, Value } from "../mod.ts";
 * const y = new Value(2, { label: "x" }).tanh();
 * const dot = toDot(y);
 * assert.match(dot, /rankdir=LR/);
 * assert.match(dot, /\{ x \| data 2\.0000 \| grad 0\.0000 \}/);
 * ```
 *
 * @throws {RangeError} when `precision` is not an integer from 0 to 20.
 */
export function toDot(root: Value, options: ToDotOptions = {}): string {
  const { rankdir = "LR", precision = 4 } = options;
  if (!Number.isInteger(precision) || precision < 0 || precision > 20) {
    throw new RangeError(
      `Cannot write DOT as 'precision' must be an integer from 0 to 20: current value is ${precision}`,
    );
  }
  if (!["LR", "TB", "RL", "BT"].includes(rankdir)) {
    throw new RangeError(
      `Cannot write DOT as 'rankdir' must be LR, TB, RL or BT: current value is ${
        JSON.stringify(rankdir)
      }`,
    );
  }
  const order = Value.topologicalOrder(root);
  const id = new Map<Value, number>();
  order.forEach((v, i) => id.set(v, i));
  const lines = ["digraph {", `  rankdir=${rankdir};`, "  node [fontname=monospace];"];
  for (const v of order) {
    const n = id.get(v)!;
    const label = escapeRecord(v.label);
    const data = v.data.toFixed(precision);
    const grad = v.grad.toFixed(precision);
    lines.push(`  n${n} [shape=record, label="{ ${label} | data ${data} | grad ${grad} }"];`);
    if (v.op !== "") {
      lines.push(`  n${n}op [label="${escapeRecord(v.op)}"];`);
      lines.push(`  n${n}op -> n${n};`);
      for (const c of v.children) lines.push(`  n${id.get(c)!} -> n${n}op;`);
    }
  }
  lines.push("}");
  return lines.join("\n") + "\n";
}
