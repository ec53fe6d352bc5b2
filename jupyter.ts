/**
 * Notebook helpers for Deno's Jupyter kernel (`deno jupyter`): a chart of
 * training that updates in place while it trains, and ends as a static chart
 * plus, for 2-D data, the decision boundary. The library itself (`mod.ts`)
 * needs no `Deno.*`; this file is the one part that talks to the kernel, so
 * it is not re-exported from `mod.ts`: a notebook imports it by path.
 *
 * ```ts ignore
 * import { makeMoons, Mlp } from "./mod.ts";
 * import { trainLive } from "./jupyter.ts";
 * const data = makeMoons({ samples: 100, noise: 0.1 });
 * const model = new Mlp(2, [16, 16, 1]);
 * await trainLive(model, data, { steps: 100 }); // a live chart, then the boundary
 * ```
 *
 * @module
 */
import {
  boundarySvg,
  type Dataset,
  lineChartSvg,
  type LineSeries,
  type Mlp,
  resolveTrainOptions,
  type StepMetrics,
  svgMimeBundle,
  type TrainOptions,
  trainSteps,
} from "./mod.ts";

/** A MIME bundle: what a notebook shows, keyed by MIME type. */
export type MimeBundle = Record<string, string>;

/** Sends one message on the kernel's IOPub channel, as `Deno.jupyter.broadcast` does. */
export type Broadcast = (msgType: string, content: Record<string, unknown>) => Promise<void>;

/** Options for {@linkcode LiveDisplay}. */
export interface LiveDisplayOptions {
  /**
   * How messages reach the notebook.
   *
   * @default {Deno.jupyter.broadcast}
   */
  broadcast?: Broadcast;
  /**
   * The display's id, unique in the notebook.
   *
   * @default {a fresh random id}
   */
  id?: string;
}

function kernelBroadcast(): Broadcast {
  let jupyter: { broadcast: Broadcast } | undefined;
  try {
    jupyter = (Deno as unknown as { jupyter?: { broadcast: Broadcast } }).jupyter;
  } catch {
    jupyter = undefined;
  }
  if (jupyter === undefined) {
    throw new Error(
      "Cannot show a live display as this is not a Jupyter kernel: run it in a notebook (deno jupyter), or pass a 'broadcast' function",
    );
  }
  return (msgType, content) => jupyter.broadcast(msgType, content);
}

/** A value that a notebook shows as the SVG picture `svg`, e.g. `asSvg(boundarySvg(model, data))`. */
export function asSvg(svg: string): { [key: symbol]: () => MimeBundle } {
  return { [Symbol.for("Jupyter.display")]: () => svgMimeBundle(svg) };
}

/** Options for {@linkcode show}. */
export interface ShowOptions {
  /**
   * How messages reach the notebook.
   *
   * @default {Deno.jupyter.broadcast}
   */
  broadcast?: Broadcast;
}

/**
 * Shows `what` in the running cell's output at once: SVG text as a picture,
 * or anything with a `Symbol.for("Jupyter.display")` method (a `Value`, an
 * `Mlp`, a {@linkcode LiveChart}) as it shows itself. Unlike a cell's last
 * value, it can be called anywhere in a cell, and it waits a moment for the
 * output to reach the notebook: Deno's kernel now and then reports a cell
 * done before its result arrives, and a client such as nbconvert then drops
 * the result.
 *
 * ```ts ignore
 * await show(networkSvg(model, { extent: [-2, 3, -1.5, 2] }));
 * await show(loss); // its graph
 * ```
 *
 * @throws {TypeError} when `what` is neither SVG text nor displayable.
 */
export async function show(
  what: string | object,
  options: ShowOptions = {},
): Promise<void> {
  let bundle: MimeBundle;
  if (typeof what === "string") {
    if (!/^\s*<svg[\s>]/.test(what)) {
      throw new TypeError(
        `Cannot show the text as it must be SVG: current value starts ${
          JSON.stringify(what.slice(0, 20))
        }`,
      );
    }
    bundle = svgMimeBundle(what);
  } else {
    const display = (what as Record<symbol, unknown> | null)?.[Symbol.for("Jupyter.display")];
    if (typeof display !== "function") {
      throw new TypeError(
        'Cannot show the value as it has no Symbol.for("Jupyter.display") method: give SVG text, a Value, an Mlp or a LiveChart',
      );
    }
    bundle = await (display as () => MimeBundle | Promise<MimeBundle>).call(what);
  }
  const broadcast = options.broadcast ?? kernelBroadcast();
  await broadcast("display_data", { data: bundle, metadata: {}, transient: {} });
  await new Promise((resolve) => setTimeout(resolve, 100));
}

/**
 * One output of a notebook cell that can be replaced in place: the first
 * `show()` sends `display_data`, each later one `update_display_data` with
 * the same `display_id`.
 */
export class LiveDisplay {
  /** The `display_id` of the output. */
  readonly id: string;
  #broadcast: Broadcast;
  #shown = false;

  /** Makes a display; nothing is shown before the first `show()`. */
  constructor(options: LiveDisplayOptions = {}) {
    this.#broadcast = options.broadcast ?? kernelBroadcast();
    this.id = options.id ?? `denograd-${crypto.randomUUID()}`;
  }

  /** Shows `bundle`, in place of what this display showed before. */
  async show(bundle: MimeBundle): Promise<void> {
    const type = this.#shown ? "update_display_data" : "display_data";
    this.#shown = true;
    await this.#broadcast(type, { data: bundle, metadata: {}, transient: { display_id: this.id } });
  }

  /**
   * Waits a moment for the last update to reach the notebook: an update sent
   * as a cell's last act can otherwise arrive after the cell is reported done.
   */
  async settle(ms = 100): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
  }
}

/** What a {@linkcode LiveChart} plots for one step. */
export interface ChartPoint {
  /** The training loss. */
  loss: number;
  /** The training accuracy, from 0 to 1. */
  accuracy?: number;
  /** The held-out loss. */
  testLoss?: number;
  /** The held-out accuracy, from 0 to 1. */
  testAccuracy?: number;
}

/** Options for {@linkcode LiveChart}. */
export interface LiveChartOptions extends LiveDisplayOptions {
  /**
   * The least time between two redraws, in ms: steps in between are drawn
   * at the next redraw.
   *
   * @default {150}
   */
  interval?: number;
  /**
   * A logarithmic loss axis.
   *
   * @default {true}
   */
  logLoss?: boolean;
  /** The run's length, to say "step k of n" while it trains. */
  steps?: number;
}

/** Places SVG pictures side by side in one SVG. */
function sideBySide(pictures: string[]): string {
  let x = 0;
  let height = 0;
  const parts = pictures.map((svg) => {
    const w = Number(/width="([\d.]+)"/.exec(svg)?.[1] ?? 0);
    const h = Number(/height="([\d.]+)"/.exec(svg)?.[1] ?? 0);
    const placed = svg.replace("<svg ", `<svg x="${x}" y="0" `);
    x += w + 8;
    height = Math.max(height, h);
    return placed;
  });
  const width = Math.max(0, x - 8);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">\n${
    parts.join("\n")
  }\n</svg>`;
}

/**
 * A loss and accuracy chart that redraws in place as points arrive, for a
 * training loop written by hand (micrograd's demo loop, say).
 *
 * ```ts ignore
 * const chart = new LiveChart({ steps: 100 });
 * for (let k = 0; k < 100; k++) {
 *   // ... forward, backward, update ...
 *   await chart.push({ loss: total.data, accuracy: acc });
 * }
 * await chart.end();
 * ```
 */
export class LiveChart {
  /** Every point pushed so far, in order. */
  readonly points: ChartPoint[] = [];
  #display: LiveDisplay;
  #interval: number;
  #logLoss: boolean;
  #steps: number | undefined;
  #last = -Infinity;
  #extra: string[] = [];

  /** Makes a chart; it shows at the first `push()`. */
  constructor(options: LiveChartOptions = {}) {
    this.#display = new LiveDisplay(options);
    this.#interval = options.interval ?? 150;
    this.#logLoss = options.logLoss ?? true;
    this.#steps = options.steps;
  }

  /** Adds one step's point; redraws when `interval` ms have passed since the last redraw. */
  async push(point: ChartPoint): Promise<void> {
    this.points.push({ ...point });
    const now = performance.now();
    if (this.points.length === 1 || now - this.#last >= this.#interval) {
      this.#last = now;
      await this.#display.show(this.toBundle());
    }
  }

  /**
   * Redraws with every point, plus `pictures` (SVG, e.g. the decision
   * boundary) beside the charts, and waits for it to reach the notebook.
   */
  async end(...pictures: string[]): Promise<void> {
    this.#extra = pictures;
    await this.#display.show(this.toBundle(true));
    await this.#display.settle();
  }

  /** The chart as SVG: loss, then accuracy when there is any, then the extra pictures. */
  toSvg(done = false): string {
    const pts = this.points;
    const n = pts.length;
    const progress = done || this.#steps === undefined
      ? `${n} step${n === 1 ? "" : "s"}`
      : `step ${n} of ${this.#steps}`;
    const loss: LineSeries[] = [{ name: "loss", values: pts.map((p) => p.loss) }];
    if (pts.some((p) => p.testLoss !== undefined)) {
      loss.push({ name: "test", values: pts.map((p) => p.testLoss ?? NaN), dashed: true });
    }
    const charts = [
      lineChartSvg(loss, { title: `Loss (${progress})`, logY: this.#logLoss }),
    ];
    if (pts.some((p) => p.accuracy !== undefined)) {
      const acc: LineSeries[] = [{ name: "accuracy", values: pts.map((p) => p.accuracy ?? NaN) }];
      if (pts.some((p) => p.testAccuracy !== undefined)) {
        acc.push({ name: "test", values: pts.map((p) => p.testAccuracy ?? NaN), dashed: true });
      }
      charts.push(lineChartSvg(acc, { title: "Accuracy", percent: true, yRange: [0, 1] }));
    }
    return sideBySide([...charts, ...this.#extra]);
  }

  /** The chart as a MIME bundle (`image/svg+xml`, with an `<img>` fallback in `text/html`). */
  toBundle(done = false): MimeBundle {
    const last = this.points.at(-1);
    return svgMimeBundle(
      this.toSvg(done),
      last === undefined ? "no steps yet" : `step ${this.points.length}: loss ${last.loss}` +
        (last.accuracy === undefined ? "" : `, accuracy ${last.accuracy}`),
    );
  }

  /** In a notebook, the chart as it stands. */
  [Symbol.for("Jupyter.display")](): MimeBundle {
    return this.toBundle(true);
  }
}

/** Options for {@linkcode trainLive}: those of `trainSteps` and of {@linkcode LiveChart}. */
export interface TrainLiveOptions extends TrainOptions, LiveChartOptions {
  /**
   * Show the decision boundary at the end (2-D data only).
   *
   * @default {true}
   */
  boundary?: boolean;
}

/**
 * Trains `model` on `data` with `trainSteps`, showing a live loss and
 * accuracy chart that updates in place, and ends with the static chart and,
 * for 2-D data, the decision boundary. Resolves with every step's metrics.
 *
 * ```ts ignore
 * const history = await trainLive(model, data, { steps: 100 });
 * ```
 */
export async function trainLive(
  model: Mlp,
  data: Dataset,
  options: TrainLiveOptions = {},
): Promise<StepMetrics[]> {
  const { boundary = true, broadcast, id, interval, logLoss, ...train } = options;
  // The run's own step count (500 for a regression, 100 otherwise, unless given).
  const { steps } = resolveTrainOptions(model, data, train);
  const chart = new LiveChart({ broadcast, id, interval, logLoss, steps });
  const history: StepMetrics[] = [];
  for (const m of trainSteps(model, data, train)) {
    history.push(m);
    await chart.push(m);
  }
  const twoD = model.nin === 2 && data.x.every((p) => p.length === 2);
  await chart.end(
    ...(boundary && twoD ? [boundarySvg(model, data, { title: "Decision boundary" })] : []),
  );
  return history;
}
