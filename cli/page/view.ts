/// <reference lib="dom" />
/**
 * The report page's view: one object that builds the page and redraws it
 * from a stream of {@linkcode PageMessage}s, whoever sends them (the data
 * embedded in `report.html`, the CLI's live stream, a worker).
 *
 * @module
 */
import { CompiledMlp, Mlp } from "../../mod.ts";
import { gridOver, planeCells } from "../../workers/grid.ts";
import { mlpJsonOf } from "../../workers/snapshots.ts";
import type { Step } from "../../workers/protocol.ts";
import { classColor, count, el, short } from "./_dom.ts";
import { BoundaryPlot, planeFeatures, type PlaneGrid } from "./boundary.ts";
import { CurvePlot } from "./curve.ts";
import { spansDecades, StepChart, StepStore } from "./charts.ts";
import { type PageMessage, type RunEnd, type RunInfo, type SnapshotJson, stepsOf } from "./data.ts";
import { drawNetwork } from "./network.ts";

/** Milliseconds between two redraws of a live page while it trains. */
const LIVE_FRAME_MS = 200;

/** Milliseconds between two redraws of a live page's charts while it trains. */
const LIVE_CHART_MS = 500;

/** Milliseconds between two redraws of a live page's network diagram while it trains. */
const LIVE_NETWORK_MS = 2000;

/** Options for {@linkcode View}. */
export interface ViewOptions {
  /** Whether the run is live (it follows the latest step until the user scrubs). */
  live?: boolean;
}

/** A snapshot with the model it holds (built when first shown). */
interface Moment {
  snapshot: SnapshotJson;
  grid?: PlaneGrid;
  model?: Mlp | null;
  /** Whether the network diagram shows this moment. */
  drawn?: boolean;
  /** The diagram, drawn already (by the playground's worker). */
  network?: string;
}

/** The page, redrawn from messages. */
export class View {
  #root: HTMLElement;
  #live: boolean;
  #info: RunInfo | undefined;
  #store = new StepStore();
  #done = 0;
  #elapsedMs = 0;
  #timeline: Moment[] = [];
  #latest: Moment | undefined;
  /** The timeline index shown, or undefined to follow the latest. */
  #at: number | undefined;
  #end: RunEnd | undefined;
  #frame = 0;
  #lastFrame = -Infinity;
  #lastCharts = -Infinity;
  #chartTimer = 0;
  #lastNetwork = -Infinity;
  /** Whether the feed sends the network diagram drawn (the page then draws none while following). */
  #predrawn = false;
  /** The moment the boundary shows. */
  #shown: Moment | undefined;
  #playing: ReturnType<typeof setInterval> | undefined;
  #parts: {
    status: HTMLElement;
    headline: HTMLElement;
    saved: HTMLElement;
    loss: StepChart;
    accuracy?: StepChart;
    lr: StepChart;
    boundary?: BoundaryPlot;
    curve?: CurvePlot;
    network: HTMLElement;
    slider: HTMLInputElement;
    play: HTMLButtonElement;
    stepLabel: HTMLElement;
    confusion: HTMLElement;
    summary: HTMLElement;
    logToggle: HTMLInputElement;
  } | undefined;

  /** Builds the page inside `root` when the run's first message arrives. */
  constructor(root: HTMLElement, options: ViewOptions = {}) {
    this.#root = root;
    this.#live = options.live ?? false;
  }

  /** Takes one message. */
  apply(message: PageMessage): void {
    switch (message.type) {
      case "run":
        this.#start(message.info);
        break;
      case "progress":
        this.#store.add(message.newSteps);
        this.#done = message.done;
        this.#elapsedMs = message.elapsedMs;
        this.#schedule();
        break;
      case "snapshot": {
        const moment: Moment = {
          snapshot: message.snapshot,
          grid: message.grid,
          network: message.network,
        };
        // A feed that draws the diagram itself (the playground's worker) is left to do so.
        if (message.network !== undefined) this.#predrawn = true;
        if (message.timeline) this.#timeline.push(moment);
        // A live page follows the snapshots that bring the worker's grid, and computes none itself.
        const follow = !this.#live || message.grid !== undefined || !this.#info?.bounds;
        if (follow && (!this.#latest || moment.snapshot.step >= this.#latest.snapshot.step)) {
          this.#latest = moment;
        }
        this.#schedule();
        break;
      }
      case "end":
        this.#end = message.end;
        if (message.end.history) {
          this.#store = new StepStore();
          this.#store.add(stepsOf(message.end.history));
        }
        this.#showEnd(message.end);
        this.#schedule();
        break;
      default: {
        const never: never = message;
        throw new TypeError(`Cannot show the message: ${JSON.stringify(never)}`);
      }
    }
  }

  /**
   * Draws at the next frame, once however many messages come before it;
   * while a live run trains, at most every {@linkcode LIVE_FRAME_MS}, so
   * that watching takes little from training on a machine with few cores.
   */
  #schedule(): void {
    if (this.#frame) return;
    const draw = () => {
      this.#frame = requestAnimationFrame(() => {
        this.#frame = 0;
        this.#lastFrame = performance.now();
        this.#render();
      });
    };
    const wait = this.#live && !this.#end ? this.#lastFrame + LIVE_FRAME_MS - performance.now() : 0;
    if (wait > 0) this.#frame = Number(setTimeout(draw, wait));
    else draw();
  }

  #title(): string {
    const info = this.#info!;
    if (this.#end) return `denograd: ${info.dataset} - ${this.#end.status}`;
    return `denograd: ${info.dataset} - step ${count(this.#done)} of ${count(info.steps)}`;
  }

  #start(info: RunInfo): void {
    this.#info = info;
    const twoD = info.inputNames.length === 2 && info.points !== undefined;
    const oneD = info.inputNames.length === 1 && info.points !== undefined &&
      info.problem === "regression";
    const classification = info.problem === "classification";
    const canvas = (id: string, label: string) =>
      el("canvas", { id, role: "img", "aria-label": label });
    const status = el("span", { class: "status running", id: "status" }, "Starting");
    const headline = el("span", { class: "note" });
    const saved = el("p", { class: "saved", id: "saved" });
    const logToggle = el("input", { type: "checkbox", id: "loss-log" });
    const slider = el("input", {
      type: "range",
      id: "timeline",
      min: "0",
      max: "0",
      value: "0",
      "aria-label": "Timeline",
    });
    const play = el("button", { type: "button", id: "play" }, "Play");
    const stepLabel = el("span", { class: "note", id: "timeline-step" });
    const network = el("div", { class: "network" });
    const confusion = el("div", { id: "confusion" });
    const summary = el("div");
    const readout = el("div", { class: "readout", id: "readout" }, "\u00a0");
    const boundaryCanvas = canvas("boundary", "Decision boundary") as HTMLCanvasElement;
    const discrete = el("input", { type: "checkbox", id: "discretize" });
    const legend = el(
      "ul",
      { class: "legend" },
      ...info.classNames.map((name, k) =>
        el(
          "li",
          {},
          el("span", {
            class: "swatch",
            style: `background:${classColor(k, info.classNames.length)}`,
          }),
          name,
        )
      ),
    );
    const test = info.points?.test.some(Boolean);
    const curveCanvas = canvas("curve", "The model's curve over the points") as HTMLCanvasElement;
    const curveCard = oneD
      ? el(
        "section",
        { class: "card" },
        el("h2", {}, "Fitted curve"),
        curveCanvas,
        readout,
        el(
          "p",
          { class: "note" },
          `The model's prediction (the line) over the targets: circles train${
            test ? ", squares test" : ""
          }.`,
        ),
      )
      : undefined;
    const boundaryCard = twoD
      ? el(
        "section",
        { class: "card" },
        el("h2", {}, classification ? "Decision boundary" : "Prediction over the plane"),
        boundaryCanvas,
        readout,
        el(
          "p",
          { class: "note controls" },
          el("label", {}, discrete, " Discretize"),
          ` · ${
            classification ? "Shaded by the predicted class, darker where surer" : "Predicted value"
          }. Circles: training points${test ? "; squares: test points" : ""}.`,
        ),
        classification ? legend : "",
      )
      : undefined;
    const confusionCard = classification
      ? el("section", { class: "card" }, el("h2", {}, "Confusion matrix"), confusion)
      : el("section", { class: "card" }, el("h2", {}, "Predicted against true"), confusion);
    const chartCard = (title: string, c: HTMLCanvasElement, ...extra: (Node | string)[]) =>
      el(
        "section",
        { class: "card" },
        el("h2", {}, title, ...extra),
        el("div", { class: "chart" }, c),
      );
    const lossCanvas = canvas("loss-chart", "Loss per step") as HTMLCanvasElement;
    const accCanvas = canvas("accuracy-chart", "Accuracy per step") as HTMLCanvasElement;
    const lrCanvas = canvas("lr-chart", "Learning rate per step") as HTMLCanvasElement;
    this.#root.replaceChildren(
      el(
        "header",
        {},
        el("h1", {}, `denograd: ${info.dataset}`),
        el("p", {}, status, " ", headline),
        saved,
      ),
      el(
        "section",
        { class: "card timeline" },
        play,
        el("label", { for: "timeline", class: "note" }, "Timeline"),
        slider,
        stepLabel,
      ),
      el(
        "div",
        { class: "grid top" },
        boundaryCard ?? curveCard ?? confusionCard,
        el("section", { class: "card" }, el("h2", {}, "Network"), network),
      ),
      el(
        "div",
        { class: "grid charts" },
        chartCard(
          "Loss",
          lossCanvas,
          el("label", { class: "toggle note" }, logToggle, " log scale"),
        ),
        chartCard(classification ? "Accuracy" : "R²", accCanvas),
        chartCard("Learning rate", lrCanvas),
      ),
      el(
        "div",
        { class: "grid" },
        ...(boundaryCard || curveCard ? [confusionCard] : []),
        el("section", { class: "card" }, el("h2", {}, "Summary"), summary),
      ),
    );
    const hasL2 = info.l2 > 0;
    const loss = new StepChart(lossCanvas, [
      { label: "train loss", value: (s) => s.dataLoss, color: 0 },
      { label: "test loss", value: (s) => s.testLoss, color: 1, dashed: true },
      ...(hasL2
        ? [{ label: "train loss + L2 penalty", value: (s: Step) => s.loss, color: 7, thin: true }]
        : []),
    ], { yTitle: "loss" });
    const accuracy = classification
      ? new StepChart(accCanvas, [
        {
          label: "train accuracy",
          value: (s) => s.accuracy === undefined ? undefined : s.accuracy * 100,
          color: 2,
        },
        {
          label: "test accuracy",
          value: (s) => s.testAccuracy === undefined ? undefined : s.testAccuracy * 100,
          color: 3,
          dashed: true,
        },
      ], { yTitle: "accuracy (%)", yMax: 100 })
      : new StepChart(accCanvas, [
        { label: "train R²", value: (s) => s.r2, color: 2 },
        { label: "test R²", value: (s) => s.testR2, color: 3, dashed: true },
      ], { yTitle: "R² (1 is a perfect fit)", yMin: -1, yMax: 1 });
    const lr = new StepChart(lrCanvas, [{ label: "learning rate", value: (s) => s.lr, color: 4 }], {
      yTitle: "learning rate",
    });
    const boundary = twoD ? new BoundaryPlot(boundaryCanvas, readout, info) : undefined;
    const curve = oneD ? new CurvePlot(curveCanvas, readout, info) : undefined;
    discrete.addEventListener("change", () => boundary && (boundary.discrete = discrete.checked));
    logToggle.addEventListener("change", () => {
      loss.log = logToggle.checked;
      logToggle.dataset.user = "1";
    });
    slider.addEventListener("input", () => {
      const i = Number(slider.value);
      this.#at = this.#live && !this.#end && i === this.#timeline.length - 1 ? undefined : i;
      this.#render();
    });
    play.addEventListener("click", () => this.#togglePlay());
    this.#parts = {
      status,
      headline,
      saved,
      loss,
      accuracy,
      lr,
      boundary,
      curve,
      network,
      slider,
      play,
      stepLabel,
      confusion,
      summary,
      logToggle,
    };
    confusion.append(el("p", { class: "note" }, "Shown when the run ends."));
    summary.append(el("p", { class: "note" }, "Shown when the run ends."));
    document.title = this.#title();
    status.textContent = this.#live ? "Training" : "Loading";
  }

  #togglePlay(): void {
    const parts = this.#parts!;
    if (this.#playing !== undefined) {
      clearInterval(this.#playing);
      this.#playing = undefined;
      parts.play.textContent = "Play";
      return;
    }
    if (this.#timeline.length < 2) return;
    if (this.#at === undefined || this.#at >= this.#timeline.length - 1) this.#at = 0;
    parts.play.textContent = "Pause";
    this.#render();
    this.#playing = setInterval(() => {
      const next = (this.#at ?? 0) + 1;
      if (next >= this.#timeline.length) {
        this.#togglePlay();
        return;
      }
      this.#at = next;
      this.#render();
    }, 350);
  }

  /** The moment shown: the one picked on the timeline, else the latest. */
  #moment(): Moment | undefined {
    if (this.#at !== undefined && this.#timeline[this.#at]) return this.#timeline[this.#at];
    return this.#latest ?? this.#timeline.at(-1);
  }

  #render(): void {
    const parts = this.#parts;
    const info = this.#info;
    if (!parts || !info) return;
    document.title = this.#title();
    const steps = this.#store.steps;
    const last = steps.at(-1);
    if (!this.#end) {
      parts.status.textContent = `Step ${count(this.#done)} of ${count(info.steps)}`;
      if (last) {
        const rate = this.#elapsedMs > 0
          ? ` · ${count(this.#done / this.#elapsedMs * 1000)} steps/s`
          : "";
        parts.headline.textContent = `train loss ${short(last.dataLoss)}${
          last.accuracy !== undefined
            ? ` · train accuracy ${(last.accuracy * 100).toFixed(1)}%`
            : last.r2 !== undefined
            ? ` · train R² ${last.r2.toFixed(3)}`
            : ""
        }${last.testLoss !== undefined ? ` · test loss ${short(last.testLoss)}` : ""}${rate}`;
      }
    }
    if (!parts.logToggle.dataset.user && steps.length > 0) {
      const log = spansDecades(steps, (s) => s.dataLoss);
      if (log !== parts.loss.log) parts.logToggle.checked = parts.loss.log = log;
    }
    // The charts are the costliest redraw of a live page: at most every LIVE_CHART_MS while it trains.
    const now = performance.now();
    if (!(this.#live && !this.#end) || now - this.#lastCharts >= LIVE_CHART_MS) {
      parts.loss.update(steps);
      parts.accuracy?.update(steps);
      parts.lr.update(steps);
      this.#lastCharts = now;
    } else if (!this.#chartTimer) {
      this.#chartTimer = Number(setTimeout(() => {
        this.#chartTimer = 0;
        this.#schedule();
      }, LIVE_CHART_MS));
    }
    const n = this.#timeline.length;
    parts.slider.max = String(Math.max(0, n - 1));
    parts.slider.disabled = n < 2;
    const shownIndex = this.#at ?? n - 1;
    parts.slider.value = String(Math.max(0, shownIndex));
    const moment = this.#moment();
    if (!moment) return;
    const step = moment.snapshot.step;
    parts.stepLabel.textContent = step === 0
      ? "before training"
      : `after step ${count(step)} of ${count(info.steps)}`;
    const marker = this.#at === undefined && !this.#end ? undefined : Math.max(1, step);
    parts.loss.mark(marker);
    parts.accuracy?.mark(marker);
    parts.lr.mark(marker);
    if (moment !== this.#shown || !moment.drawn) this.#showModel(moment);
  }

  #showModel(moment: Moment): void {
    const info = this.#info!;
    const parts = this.#parts!;
    if (moment.model === undefined) {
      const params = moment.snapshot.params;
      moment.model = params.every((p) => p !== null && Number.isFinite(p))
        ? Mlp.fromJSON(mlpJsonOf(info.model, params as number[]))
        : null;
    }
    const model = moment.model ?? undefined;
    // While a live run trains, the page draws the worker's grids and computes none itself.
    const following = this.#live && !this.#end && this.#at === undefined;
    if (moment !== this.#shown) parts.curve?.show(model);
    // A classifier's live grids come from the worker; a regression's are cheap to make here.
    const waiting = following && !moment.grid && info.problem === "classification";
    if (parts.boundary && moment !== this.#shown && !waiting) {
      // Computed once per moment (the live ones come with the worker's grid).
      if (!moment.grid && model && info.bounds) {
        moment.grid = info.problem === "regression"
          ? valueGrid(model, info)
          : gridOver(model, info.bounds, info.gridSize, info.loss, planeFeatures(info));
      }
      parts.boundary.show(moment.grid, model);
    }
    if (parts.curve && moment !== this.#shown) parts.curve.show(model);
    this.#shown = moment;
    // While a live run trains, the diagram (the page's costliest drawing) is redrawn less often.
    if (!model) moment.drawn = true;
    else if (moment.network !== undefined) {
      if (!moment.drawn) parts.network.innerHTML = moment.network;
      moment.drawn = true;
    } else if (
      !(following && (this.#predrawn || performance.now() - this.#lastNetwork < LIVE_NETWORK_MS))
    ) {
      const grads = moment.snapshot.grads.map((g) => g ?? NaN);
      drawNetwork(parts.network, model, grads, info);
      this.#lastNetwork = performance.now();
      moment.drawn = true;
    }
  }

  #showEnd(end: RunEnd): void {
    const parts = this.#parts;
    if (!parts) return;
    if (this.#playing === undefined) this.#at = this.#timeline.length - 1;
    parts.status.className = `status ${end.status}`;
    parts.status.textContent = end.statusText;
    parts.headline.textContent = end.headline;
    if (end.files) {
      parts.saved.replaceChildren(
        "Saved: ",
        el("code", {}, end.files.report),
        " (model: ",
        el("code", {}, end.files.model),
        ")",
      );
    }
    const rows = end.summary.map(([k, v]) => el("tr", {}, el("th", {}, k), el("td", {}, v)));
    rows.push(
      el(
        "tr",
        {},
        el("th", {}, "Reproduce"),
        el(
          "td",
          {},
          el(
            "code",
            { class: "command" },
            ...end.command.split(" ").flatMap((w, i) => [i ? " " : "", el("span", {}, w)]),
          ),
        ),
      ),
    );
    parts.summary.replaceChildren(el("table", { class: "summary" }, ...rows));
    const info = this.#info!;
    if (end.confusion) {
      parts.confusion.replaceChildren(
        confusionTable("Training data", end.confusion.train, info.classNames),
        ...(end.confusion.test
          ? [confusionTable("Test data", end.confusion.test, info.classNames)]
          : []),
      );
    } else if (end.fit) {
      parts.confusion.replaceChildren(fitPlot(end.fit));
    } else {
      parts.confusion.replaceChildren(
        el("p", { class: "note" }, "Not shown: the run has no usable model."),
      );
    }
  }
}

/** A confusion matrix: rows are true classes, columns predicted; cells shaded by share of the row. */
function confusionTable(caption: string, m: number[][], names: string[]): HTMLElement {
  const head = el(
    "tr",
    {},
    el("th", { class: "corner" }, "true \\ predicted"),
    ...names.map((n) => el("th", { scope: "col" }, n)),
  );
  const rows = m.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    return el(
      "tr",
      {},
      el("th", { scope: "row" }, names[i] ?? String(i)),
      ...row.map((v, j) => {
        const share = v / total;
        const color = i === j ? "45, 164, 78" : "207, 34, 46";
        return el(
          "td",
          { style: `background: rgba(${color}, ${(0.08 + 0.6 * share).toFixed(2)})` },
          count(v),
        );
      }),
    );
  });
  return el("table", { class: "confusion" }, el("caption", {}, caption), head, ...rows);
}

/** Predicted against true targets, as a small scatter on a canvas. */
function fitPlot(fit: { truth: number[]; predicted: number[]; test: boolean[] }): HTMLElement {
  const size = 320;
  const c = el("canvas", { id: "fit", width: String(size), height: String(size) });
  const ctx = (c as HTMLCanvasElement).getContext("2d")!;
  const all = [...fit.truth, ...fit.predicted];
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const s = (v: number) => 20 + (v - lo) / ((hi - lo) || 1) * (size - 40);
  ctx.strokeStyle = "#8c959f";
  ctx.beginPath();
  ctx.moveTo(s(lo), size - s(lo));
  ctx.lineTo(s(hi), size - s(hi));
  ctx.stroke();
  fit.truth.forEach((t, i) => {
    ctx.fillStyle = fit.test[i] ? classColor(1) : classColor(0);
    ctx.beginPath();
    ctx.arc(s(t), size - s(fit.predicted[i]), 2.5, 0, 2 * Math.PI);
    ctx.fill();
  });
  return el(
    "div",
    {},
    c,
    el(
      "p",
      { class: "note" },
      `Horizontal: true value; vertical: predicted (${short(lo)} to ${short(hi)}).`,
    ),
  );
}

/** The predicted value over the plane (regression). */
function valueGrid(model: Mlp, info: RunInfo): PlaneGrid {
  const b = info.bounds!;
  const size = info.gridSize;
  const cells = planeCells(b, size, planeFeatures(info));
  const out = new CompiledMlp(model, cells.length).predict(cells);
  return { ...b, size, values: out };
}
