/// <reference lib="dom" />
/**
 * The report page's view: one object that builds the page and redraws it
 * from a stream of {@linkcode PageMessage}s, whoever sends them (the data
 * embedded in `report.html`, the CLI's live stream, a worker). The moment
 * the timeline shows drives the whole page: the headline figures, the
 * boundary, the network, the confusion matrix and the charts' marker.
 *
 * @module
 */
import { CompiledMlp, Mlp } from "../../mod.ts";
import { gridOver, planeCells, planeModel } from "../../workers/grid.ts";
import { mlpJsonOf } from "../../workers/snapshots.ts";
import type { Step } from "../../workers/protocol.ts";
import { count, el, plural, short } from "./_dom.ts";
import { planeFeatures, type PlaneGrid } from "./boundary.ts";
import { spansDecades, type StepChart, StepStore, themeCharts, warmCharts } from "./charts.ts";
import {
  type Confusion,
  type Fit,
  type PageMessage,
  type RunEnd,
  type RunInfo,
  type SnapshotJson,
  stepsOf,
} from "./data.ts";
import { buildLayout, type Parts } from "./layout.ts";
import { drawNetwork } from "./network.ts";
import { confusionOf, confusionTable, figures, fitOf, summaryTable } from "./panels.ts";
import { LOG_STEPS } from "./timeline.ts";

/** Milliseconds between two redraws of a live page while it trains. */
const LIVE_FRAME_MS = 200;

/** Milliseconds between two redraws of a live page's charts while it trains. */
const LIVE_CHART_MS = 500;

/** Milliseconds between two redraws of a live page's network diagram while it trains. */
const LIVE_NETWORK_MS = 2000;

/** Milliseconds each moment shows while the timeline plays. */
const PLAY_MS = 350;

/** Options for {@linkcode View}. */
export interface ViewOptions {
  /** Whether the run is live (it follows the latest step until the user scrubs). */
  live?: boolean;
}

/** A snapshot with what is computed from it when first shown. */
interface Moment {
  snapshot: SnapshotJson;
  /** The metrics of its step, exactly (from the snapshot, or the live stream). */
  metrics?: Step;
  grid?: PlaneGrid;
  model?: Mlp | null;
  confusion?: Confusion;
  fit?: Fit;
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
  #last: Step | undefined;
  #timeline: Moment[] = [];
  /** The timeline's moments by step, to give each its exact metrics as the steps stream in. */
  #byStep = new Map<number, Moment>();
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
  #parts: Parts | undefined;
  /** Drawings waiting for a frame while a live run trains, by part: a newer one replaces an older. */
  #jobs = new Map<string, { draw: () => void; light: boolean }>();
  #jobFrame = 0;
  #jobTask = 0;
  /** Who waits for nothing to wait to be drawn ({@linkcode View.drawn}). */
  #whenDrawn: (() => void)[] = [];
  /** The time of the frame being drawn, and of the last frame that drew a heavy part. */
  #frameTime = 0;
  #heavyTime = -1;

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
        for (const s of message.newSteps) {
          const m = this.#byStep.get(s.step);
          if (m && !m.metrics) m.metrics = s;
        }
        this.#last = message.newSteps.at(-1) ?? this.#last;
        this.#done = message.done;
        this.#elapsedMs = message.elapsedMs;
        this.#schedule();
        break;
      case "snapshot":
        // A feed that draws the diagram itself (the playground's worker) is left to do so.
        if (message.network !== undefined) this.#predrawn = true;
        this.#snapshot(message.snapshot, message.timeline, message.grid, message.network);
        break;
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

  #snapshot(
    snapshot: SnapshotJson,
    timeline: boolean,
    grid: PlaneGrid | undefined,
    network?: string,
  ): void {
    const moment: Moment = { snapshot, grid, metrics: snapshot.metrics, network };
    if (timeline) {
      this.#timeline.push(moment);
      this.#byStep.set(snapshot.step, moment);
    }
    // A live page follows the snapshots that bring the worker's grid, and computes none itself.
    const follow = !this.#live || grid !== undefined || !this.#info?.bounds;
    if (follow && (!this.#latest || snapshot.step >= this.#latest.snapshot.step)) {
      this.#latest = moment;
    }
    this.#schedule();
  }

  /**
   * Draws at the next frame, once however many messages come before it;
   * while a live run trains, at most every {@linkcode LIVE_FRAME_MS}, so
   * that watching takes little from training on a machine with few cores.
   */
  #schedule(): void {
    if (this.#frame) return;
    const draw = () => {
      this.#frame = requestAnimationFrame((time) => {
        this.#frame = 0;
        this.#frameTime = time;
        this.#lastFrame = performance.now();
        this.#render();
      });
    };
    const wait = this.#live && !this.#end ? this.#lastFrame + LIVE_FRAME_MS - performance.now() : 0;
    if (wait > 0) this.#frame = Number(setTimeout(draw, wait));
    else draw();
  }

  /**
   * Draws one part of the page: now, or, while following a live run, right
   * after the next frame; a part waiting for its frame is replaced by its
   * newer drawing. One heavy part at most (a chart, the boundary, the
   * network) is drawn between two frames, with the light ones, so that no
   * task of the page's thread draws everything at once.
   */
  #later(part: string, draw: () => void, light = false): void {
    if (!this.#following()) {
      // What waits was for the moment shown until now: drawn first, then overdrawn if need be.
      for (const waiting of this.#jobs.values()) waiting.draw();
      this.#jobs.clear();
      draw();
      return;
    }
    this.#jobs.set(part, { draw, light });
    this.#wake();
  }

  #wake(): void {
    if (this.#jobFrame) return;
    this.#jobFrame = requestAnimationFrame((time) => {
      this.#jobFrame = 0;
      this.#afterFrame(time);
    });
  }

  /**
   * Draws what waits in a task of its own right after the frame of `time`:
   * drawing a part and the frame that shows it (its layout, paint and the
   * compositor's commit of the canvases) are two tasks of the page's thread,
   * not one as they would be in an animation frame's callback.
   */
  #afterFrame(time: number): void {
    if (this.#jobTask) return;
    this.#jobTask = Number(setTimeout(() => {
      this.#jobTask = 0;
      this.#frameTime = time;
      this.#drawSome();
    }));
  }

  /** Draws the light parts waiting and the heavy part that has waited longest; the next at the next frame. */
  #drawSome(): void {
    for (const [part, job] of this.#jobs) {
      if (!job.light) {
        if (this.#heavyTime === this.#frameTime) continue;
        this.#heavyTime = this.#frameTime;
      }
      this.#jobs.delete(part);
      job.draw();
    }
    if (this.#jobs.size > 0) this.#wake();
    else for (const resolve of this.#whenDrawn.splice(0)) resolve();
  }

  /**
   * Resolves once nothing waits to be drawn: a live page's warm-up (Chart.js
   * and the kernels compiled, the charts made) and the moment shown are on
   * the page. The playground starts training then, so that those tasks have
   * a core to themselves.
   */
  drawn(): Promise<void> {
    if (this.#jobs.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#whenDrawn.push(resolve));
  }

  #title(): string {
    const info = this.#info!;
    if (this.#end) return `denograd: ${info.dataset} - ${this.#end.status}`;
    return `denograd: ${info.dataset} - step ${count(this.#done)} of ${count(info.steps)}`;
  }

  #start(info: RunInfo): void {
    this.#info = info;
    themeCharts();
    const parts = buildLayout(this.#root, info, {
      pick: (i) => {
        this.#at = this.#live && !this.#end && i === this.#timeline.length - 1 ? undefined : i;
        this.#render();
      },
      play: () => this.#togglePlay(),
    });
    parts.loss.onScale = () => this.#redrawCharts();
    this.#parts = parts;
    // A live page has Chart.js's code and the model's kernels compiled, and its charts made, empty,
    // as it is built, not in its first frames of a run: each a heavy part of its own, so that no
    // task is long and none meets another's drawing, however soon Play is pressed.
    if (this.#live) {
      warmCharts().forEach((step, i) => this.#later(`chart warm-up ${i}`, step));
      // The confusion matrix's first model compiles them (a live page makes one per moment).
      this.#later("kernels", () => new CompiledMlp(new Mlp(1, [1]), 1));
      for (const [name, chart] of this.#charts()) this.#later(`${name} chart`, () => chart.make());
    }
    parts.confusion.append(el("p", { class: "note" }, "Shown when the run ends."));
    parts.summary.append(el("p", { class: "note" }, "Shown when the run ends."));
    document.title = this.#title();
    parts.status.textContent = this.#live ? "Training" : "Loading";
    matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => this.#restyle());
  }

  /** The step charts, by the name of their part. */
  #charts(): [string, StepChart][] {
    const parts = this.#parts!;
    return [["loss", parts.loss], ["accuracy", parts.accuracy], ["lr", parts.lr]];
  }

  /** Redraws every picture in the page's colours, after the system's light or dark mode changed. */
  #restyle(): void {
    const parts = this.#parts!;
    themeCharts();
    for (const c of [parts.loss, parts.accuracy, parts.lr]) c.restyle();
    parts.boundary?.draw();
    parts.curve?.draw();
    parts.fit?.draw();
    // The diagram's tiles are drawn in the colours of the mode: the ones drawn already are stale.
    for (const moment of [...this.#timeline, this.#latest]) {
      if (!moment) continue;
      moment.network = undefined;
      moment.drawn = false;
    }
    const shown = this.#shown;
    if (shown?.model) this.#drawNetwork(shown, shown.model);
  }

  #togglePlay(): void {
    const parts = this.#parts!;
    if (this.#playing !== undefined) {
      clearInterval(this.#playing);
      this.#playing = undefined;
      parts.timeline.playing = false;
      return;
    }
    if (this.#timeline.length < 2) return;
    if (this.#at === undefined || this.#at >= this.#timeline.length - 1) this.#at = 0;
    parts.timeline.playing = true;
    this.#render();
    this.#playing = setInterval(() => {
      const next = (this.#at ?? 0) + 1;
      if (next >= this.#timeline.length) {
        this.#togglePlay();
        return;
      }
      this.#at = next;
      this.#render();
    }, PLAY_MS);
  }

  /** Whether the page follows a live run's latest step (the user has not picked a moment). */
  #following(): boolean {
    return this.#live && !this.#end && this.#at === undefined;
  }

  /** The last step the run reaches: the steps it did once it ended, else the steps asked for. */
  #maxStep(): number {
    if (!this.#end) return this.#info!.steps;
    return Math.max(this.#store.steps.at(-1)?.step ?? 0, this.#timeline.at(-1)?.snapshot.step ?? 0);
  }

  #render(): void {
    const parts = this.#parts;
    const info = this.#info;
    if (!parts || !info) return;
    document.title = this.#title();
    this.#chartsMaybe();
    const n = this.#timeline.length;
    parts.timeline.setMoments(this.#timeline.map((m) => m.snapshot.step), this.#maxStep());
    const index = this.#following() ? n - 1 : Math.min(this.#at ?? n - 1, n - 1);
    const moment = this.#following()
      ? this.#latest ?? this.#timeline.at(-1)
      : this.#timeline[index] ?? this.#latest;
    this.#headline(moment, index);
    if (!moment) return;
    const step = moment.snapshot.step;
    const marker = this.#following() ? undefined : Math.max(1, step);
    parts.loss.mark(marker);
    parts.accuracy.mark(marker);
    parts.lr.mark(marker);
    if (moment !== this.#shown || !moment.drawn) this.#showModel(moment, index);
    // What waits is drawn right after this frame, rather than after the next.
    if (this.#jobs.size > 0) this.#afterFrame(this.#frameTime);
  }

  /** The charts, at most every {@linkcode LIVE_CHART_MS} while a live run trains (their redraw costs most). */
  #chartsMaybe(): void {
    const now = performance.now();
    if (!(this.#live && !this.#end) || now - this.#lastCharts >= LIVE_CHART_MS) {
      this.#redrawCharts();
      this.#lastCharts = now;
    } else if (!this.#chartTimer) {
      this.#chartTimer = Number(setTimeout(() => {
        this.#chartTimer = 0;
        this.#schedule();
      }, LIVE_CHART_MS));
    }
  }

  #redrawCharts(): void {
    const parts = this.#parts!;
    const steps = this.#store.steps;
    if (!parts.logToggle.dataset.user && steps.length > 0) {
      const log = spansDecades(steps, (s) => s.dataLoss);
      if (log !== parts.loss.log) {
        parts.logToggle.checked = log;
        parts.loss.onScale = undefined;
        parts.loss.log = log;
        parts.loss.onScale = () => this.#redrawCharts();
      }
    }
    const logSteps = this.#maxStep() > LOG_STEPS;
    for (const [name, c] of this.#charts()) {
      this.#later(`${name} chart`, () => {
        c.logSteps = logSteps;
        c.update(this.#store.steps);
      });
    }
    const zeros = parts.loss.unshown;
    parts.lossNote.textContent = zeros.length > 0
      ? `The train loss is exactly 0 at ${plural(zeros.length, "step")} drawn, from step ${
        count(zeros[0])
      }: a log scale has no place for 0, so they are gaps (untick log scale to see them).`
      : "";
    const lrs = new Set(steps.map((s) => s.lr));
    const constant = steps.length > 1 && lrs.size === 1;
    parts.lrCard.hidden = constant;
    parts.lrNote.textContent = constant
      ? `Learning rate: ${short(steps[0].lr)} at every step (constant).`
      : "";
  }

  /** The status line and headline figures: of the moment shown, or of the latest step while following. */
  #headline(moment: Moment | undefined, index: number): void {
    const parts = this.#parts!;
    const info = this.#info!;
    const status = parts.status;
    const end = this.#end;
    const final = end !== undefined && index === this.#timeline.length - 1;
    let step: number;
    let metrics: Step | undefined;
    if (this.#following() || !moment) {
      step = this.#done;
      metrics = this.#last;
      if (end) {
        status.className = `status ${end.status}`;
        status.textContent = end.statusText;
        parts.headline.textContent = end.headline;
      } else {
        status.className = "status running";
        status.textContent = `Step ${count(step)} of ${count(info.steps)}`;
        const rate = this.#elapsedMs > 0
          ? ` · ${count(this.#done / this.#elapsedMs * 1000)} steps/s`
          : "";
        parts.headline.textContent = metrics ? figures(metrics) + rate : "";
      }
      parts.timeline.show(index, this.#live && !end ? "Live: the latest model" : "");
    } else {
      step = moment.snapshot.step;
      metrics = moment.metrics ?? this.#store.steps.find((s) => s.step === step);
      const at = step === 0
        ? "Before training"
        : `After step ${count(step)} of ${count(this.#maxStep())}`;
      parts.timeline.show(index, `${at}${final ? " (the end)" : ""}`);
      if (final) {
        status.className = `status ${end.status}`;
        status.textContent = end.statusText;
        parts.headline.textContent = end.headline;
      } else {
        status.className = "status moment";
        status.textContent = step === 0 ? "Before training" : `Step ${count(step)}`;
        parts.headline.textContent = step === 0
          ? "the model as it starts"
          : metrics
          ? figures(metrics)
          : "";
      }
    }
    status.dataset.step = String(step);
    if (metrics && metrics.step === step) status.dataset.loss = String(metrics.loss);
    else delete status.dataset.loss;
  }

  /** The model a moment holds, or null when it has none usable (non-finite, or the end of a failed run). */
  #model(moment: Moment, index: number): Mlp | null {
    const info = this.#info!;
    if (this.#end?.status === "failed" && index === this.#timeline.length - 1) return null;
    if (moment.model === undefined) {
      const params = moment.snapshot.params;
      moment.model = params.every((p) => p !== null && Number.isFinite(p))
        ? Mlp.fromJSON(mlpJsonOf(info.model, params as number[]))
        : null;
    }
    return moment.model;
  }

  #showModel(moment: Moment, index: number): void {
    const info = this.#info!;
    const parts = this.#parts!;
    const model = this.#model(moment, index) ?? undefined;
    const fresh = moment !== this.#shown;
    // While a live run trains, the page draws the worker's grids and computes none itself.
    const following = this.#following();
    // A classifier's live grids come from the worker; a regression's are cheap to make here.
    const waiting = following && !moment.grid && info.problem === "classification";
    const boundary = parts.boundary;
    if (boundary && fresh && !waiting) {
      this.#later("boundary", () => {
        // Computed once per moment (the live ones come with the worker's grid).
        if (!moment.grid && model && info.bounds) {
          moment.grid = info.problem === "regression"
            ? valueGrid(model, info)
            : gridOver(model, info.bounds, info.gridSize, info.loss, planeFeatures(info));
        }
        boundary.show(model ? moment.grid : undefined, model);
      });
    }
    const curve = parts.curve;
    if (curve && fresh) this.#later("curve", () => curve.show(model), true);
    if (fresh) this.#later("panels", () => this.#panels(moment, index, model), true);
    this.#shown = moment;
    this.#later("network", () => this.#network(moment, model, following));
  }

  /** The network diagram; while a live run trains, redrawn less often (the page's costliest drawing). */
  #network(moment: Moment, model: Mlp | undefined, following: boolean): void {
    const parts = this.#parts!;
    if (!model) {
      parts.network.replaceChildren();
      parts.networkNote.textContent = this.#end?.status === "failed" &&
          moment === this.#timeline.at(-1)
        ? "Not shown: the run has no usable model."
        : "Not shown: no usable model at this step.";
      moment.drawn = true;
    } else if (moment.network !== undefined) {
      parts.networkNote.textContent = "";
      if (!moment.drawn) drawNetwork(parts.network, model, undefined, this.#info!, moment.network);
      moment.drawn = true;
    } else if (
      !(following && (this.#predrawn || performance.now() - this.#lastNetwork < LIVE_NETWORK_MS))
    ) {
      this.#drawNetwork(moment, model);
    }
  }

  /** Draws the diagram of `moment` here, on the page's thread. */
  #drawNetwork(moment: Moment, model: Mlp): void {
    const parts = this.#parts!;
    parts.networkNote.textContent = "";
    const grads = moment.snapshot.grads.map((g) => g ?? NaN);
    drawNetwork(parts.network, model, grads, this.#info!);
    this.#lastNetwork = performance.now();
    moment.drawn = true;
  }

  /** The confusion matrix (or predicted against true) at the moment shown, or at the end when it cannot follow. */
  #panels(moment: Moment, index: number, model: Mlp | undefined): void {
    const parts = this.#parts!;
    const info = this.#info!;
    const end = this.#end;
    const final = end !== undefined && index === this.#timeline.length - 1 && !this.#following();
    const step = moment.snapshot.step;
    const when = step === 0 ? "Before training." : `At step ${count(step)}.`;
    const classification = info.problem === "classification";
    let confusion: Confusion | undefined;
    let fit: Fit | undefined;
    let note: string;
    if (final) {
      [confusion, fit, note] = [end.confusion, end.fit, "At the end of the run."];
    } else if (!model) {
      note = `${when} No usable model at this step.`;
    } else if (info.points) {
      if (classification) confusion = moment.confusion ??= confusionOf(model, info);
      else fit = moment.fit ??= fitOf(model, info);
      note = when;
    } else if (end) {
      // No points on the page (more than 2 inputs): only the run's end has a matrix.
      [confusion, fit] = [end.confusion, end.fit];
      note = `At the end of the run (step ${
        count(this.#maxStep())
      }): the timeline does not move it.`;
    } else {
      note = "Shown when the run ends.";
    }
    parts.confusionNote.textContent = note;
    if (confusion) {
      parts.confusion.replaceChildren(
        confusionTable("Training data", confusion.train, info.classNames),
        ...(confusion.test ? [confusionTable("Test data", confusion.test, info.classNames)] : []),
      );
    } else if (fit) {
      parts.confusion.replaceChildren();
    } else {
      parts.confusion.replaceChildren(
        el("p", { class: "note" }, final || end ? "Not shown: the run has no usable model." : ""),
      );
    }
    parts.fit?.show(fit);
    if (parts.fit) parts.fit.element.hidden = fit === undefined;
  }

  #showEnd(end: RunEnd): void {
    const parts = this.#parts;
    if (!parts) return;
    if (this.#playing === undefined) this.#at = this.#timeline.length - 1;
    // The moment shown is redrawn: the end may change what it shows (a failed run's last model).
    this.#shown = undefined;
    if (end.files) {
      parts.saved.replaceChildren(
        "Saved: ",
        el("code", {}, end.files.report),
        " (model: ",
        el("code", {}, end.files.model),
        ")",
      );
    }
    parts.summary.replaceChildren(
      el("p", { class: "note" }, "At the end of the run."),
      summaryTable(end),
    );
  }
}

/** The predicted value over the plane (regression). */
function valueGrid(model: Mlp, info: RunInfo): PlaneGrid {
  const b = info.bounds!;
  const size = info.gridSize;
  const cells = planeCells(b, size, planeFeatures(info));
  const out = planeModel(model, cells.length).predict(cells);
  return { ...b, size, values: out };
}
