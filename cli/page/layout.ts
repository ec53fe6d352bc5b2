/// <reference lib="dom" />
/**
 * The page's cards, built once from what the run is: the header, the
 * timeline, the boundary or fitted curve, the network, the charts, the
 * confusion matrix (or predicted against true) and the summary.
 *
 * @module
 */
import type { Step } from "../../workers/protocol.ts";
import { classColor, el } from "./_dom.ts";
import { BoundaryPlot } from "./boundary.ts";
import { StepChart } from "./charts.ts";
import { CurvePlot } from "./curve.ts";
import type { RunInfo } from "./data.ts";
import { FitPlot } from "./panels.ts";
import { Timeline, type TimelineEvents } from "./timeline.ts";

/** The parts of the page the view redraws. */
export interface Parts {
  status: HTMLElement;
  headline: HTMLElement;
  saved: HTMLElement;
  timeline: Timeline;
  loss: StepChart;
  lossNote: HTMLElement;
  logToggle: HTMLInputElement;
  accuracy: StepChart;
  lr: StepChart;
  lrCard: HTMLElement;
  lrNote: HTMLElement;
  boundary?: BoundaryPlot;
  curve?: CurvePlot;
  fit?: FitPlot;
  network: HTMLElement;
  networkNote: HTMLElement;
  confusion: HTMLElement;
  confusionNote: HTMLElement;
  summary: HTMLElement;
}

function canvas(id: string, label: string): HTMLCanvasElement {
  return el("canvas", { id, role: "img", "aria-label": label });
}

function card(title: string | Node, ...children: (Node | string)[]): HTMLElement {
  return el("section", { class: "card" }, el("h2", {}, title), ...children);
}

/** The class legend under the boundary. */
function classLegend(info: RunInfo): HTMLElement {
  return el(
    "ul",
    { class: "legend" },
    ...info.classNames.map((name, k) =>
      el(
        "li",
        {},
        el("span", {
          class: "swatch",
          style: `background:${classColor(k, info.classNames.length, info.model.nouts.at(-1))}`,
        }),
        name,
      )
    ),
  );
}

/** The boundary card (2-D data) and its plot. */
function boundaryCard(info: RunInfo): { card: HTMLElement; plot: BoundaryPlot } {
  const classification = info.problem === "classification";
  const test = info.points?.test.some(Boolean);
  const c = canvas(
    "boundary",
    "Decision boundary: move over it, tap it, or focus it and use arrows",
  );
  c.tabIndex = 0;
  const readout = el("div", { class: "readout", id: "readout", "aria-live": "polite" }, "\u00a0");
  const scale = el("div", { class: "scale", id: "plane-scale" });
  const discrete = el("input", { type: "checkbox", id: "discretize" });
  const plot = new BoundaryPlot(c, info, { readout, scale });
  discrete.addEventListener("change", () => plot.discrete = discrete.checked);
  return {
    plot,
    card: card(
      classification ? "Decision boundary" : "Prediction over the plane",
      c,
      classification ? "" : scale,
      readout,
      el(
        "p",
        { class: "note controls" },
        el("label", {}, discrete, " Discretize"),
        ` · ${
          classification ? "Shaded by the predicted class, darker where surer" : "Predicted value"
        }. Circles: training points${test ? "; squares: test points" : ""}.`,
      ),
      classification ? classLegend(info) : "",
    ),
  };
}

/** The fitted-curve card (regression on one input) and its plot. */
function curveCard(info: RunInfo): { card: HTMLElement; plot: CurvePlot } {
  const test = info.points?.test.some(Boolean);
  const c = canvas(
    "curve",
    "The model's curve over the points: move over it, tap it, or use arrows",
  );
  c.tabIndex = 0;
  const readout = el("div", { class: "readout", id: "readout", "aria-live": "polite" }, "\u00a0");
  return {
    plot: new CurvePlot(c, info, { readout }),
    card: card(
      "Fitted curve",
      c,
      readout,
      el(
        "p",
        { class: "note" },
        `The model's prediction (the line) over the targets: circles train${
          test ? ", squares test" : ""
        }.`,
      ),
    ),
  };
}

/** The three step charts and their cards. */
function charts(info: RunInfo) {
  const classification = info.problem === "classification";
  const chartBox = (c: HTMLCanvasElement) => el("div", { class: "chart" }, c);
  const lossCanvas = canvas("loss-chart", "Loss per step");
  const accCanvas = canvas("accuracy-chart", "Accuracy per step");
  const lrCanvas = canvas("lr-chart", "Learning rate per step");
  const logToggle = el("input", { type: "checkbox", id: "loss-log" });
  const lossNote = el("p", { class: "note", id: "loss-note" });
  const lrNote = el("p", { class: "note", id: "lr-note" });
  const loss = new StepChart(lossCanvas, [
    { label: "train loss", value: (s) => s.dataLoss, color: 0 },
    { label: "test loss", value: (s) => s.testLoss, color: 1, dashed: true },
    ...(info.l2 > 0
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
  logToggle.addEventListener("change", () => {
    logToggle.dataset.user = "1";
    loss.log = logToggle.checked;
  });
  const lrCard = card("Learning rate", chartBox(lrCanvas));
  const cards = [
    card(
      el(
        "span",
        { class: "title-row" },
        "Loss",
        el("label", { class: "toggle note" }, logToggle, " log scale"),
      ),
      chartBox(lossCanvas),
      lossNote,
      lrNote,
    ),
    card(classification ? "Accuracy" : "R²", chartBox(accCanvas)),
    lrCard,
  ];
  return { loss, accuracy, lr, logToggle, lossNote, lrNote, lrCard, cards };
}

/** Builds the page's cards into `root` and returns the parts to redraw. */
export function buildLayout(root: HTMLElement, info: RunInfo, events: TimelineEvents): Parts {
  const twoD = info.inputNames.length === 2 && info.points !== undefined;
  const oneD = info.inputNames.length === 1 && info.points !== undefined &&
    info.problem === "regression";
  const classification = info.problem === "classification";
  const status = el("span", { class: "status running", id: "status" }, "Starting");
  const headline = el("span", { class: "note", id: "headline" });
  const saved = el("p", { class: "saved", id: "saved" });
  const timeline = new Timeline(events);
  const network = el("div", { class: "network" });
  const networkNote = el("p", { class: "note", id: "network-note" });
  const confusion = el("div", { id: "confusion" });
  const confusionNote = el("p", { class: "note moment-note", id: "confusion-note" });
  const summary = el("div", { id: "summary" });
  const plane = twoD ? boundaryCard(info) : undefined;
  const curve = oneD ? curveCard(info) : undefined;
  const fit = classification ? undefined : new FitPlot(info.points?.test.some(Boolean) ?? false);
  const confusionCard = card(
    classification ? "Confusion matrix" : "Predicted against true",
    confusionNote,
    confusion,
    ...(fit ? [fit.element] : []),
  );
  const c = charts(info);
  root.replaceChildren(
    el(
      "header",
      {},
      el("h1", {}, `denograd: ${info.dataset}`),
      el("p", {}, status, " ", headline),
      saved,
    ),
    timeline.element,
    el(
      "div",
      { class: "grid top" },
      plane?.card ?? curve?.card ?? confusionCard,
      card("Network", networkNote, network),
    ),
    el("div", { class: "grid charts" }, ...c.cards),
    el(
      "div",
      { class: "grid" },
      ...(plane || curve ? [confusionCard] : []),
      card("Summary", summary),
    ),
  );
  return {
    status,
    headline,
    saved,
    timeline,
    loss: c.loss,
    lossNote: c.lossNote,
    logToggle: c.logToggle,
    accuracy: c.accuracy,
    lr: c.lr,
    lrCard: c.lrCard,
    lrNote: c.lrNote,
    boundary: plane?.plot,
    curve: curve?.plot,
    fit,
    network,
    networkNote,
    confusion,
    confusionNote,
    summary,
  };
}
