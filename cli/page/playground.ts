/// <reference lib="dom" />
/**
 * The playground page's entry point: the controls (made from the settings
 * table), the URL hash that holds the settings, the buttons, and the view
 * (the report's own) fed by a training worker started from the bundle that
 * the page carries in `<script type="text/plain" id="worker-js">`.
 *
 * @module
 */
import { isSettingKey, type MlpJson, type SettingKey, SETTINGS } from "../../mod.ts";
import { mlpJsonOf } from "../../workers/snapshots.ts";
import type { PartialConfig } from "../config.ts";
import { configFromFlags } from "../config.ts";
import { Controls, settingText } from "./_controls.ts";
import { el } from "./_dom.ts";
import { mountStepper } from "./_stepper_slot.ts";
import type { PlaneClick } from "./boundary.ts";
import { networkPaper, WEIGHT_CLICK_EVENT, type WeightClick } from "./network.ts";
import type { RunInfo, SnapshotJson } from "./data.ts";
import type { FromPlayground, PlaygroundStatus, ToPlayground } from "./playground_protocol.ts";
import { View } from "./view.ts";
import { openWeightEditor } from "./weight_editor.ts";

/** A run to start from (a report's), as the page carries it in `#seed-run`. */
interface SeedRun {
  given: Record<string, unknown>;
  model: MlpJson;
  optimizer: unknown;
  history: unknown[];
}

/** The settings the user gave (as flags are given: the rest are defaults). */
let given: PartialConfig = {};
/** The uploaded (or clicked) data, when the dataset is a CSV file. */
let csv: { name: string; text: string } | undefined;
let seed: SeedRun | undefined;
let status: PlaygroundStatus | undefined;
let info: RunInfo | undefined;
let latest: SnapshotJson | undefined;

const root = document.getElementById("playground")!;
const statusEl = el("span", { id: "status", "data-step": "0", "data-loss": "", role: "status" });
const errorEl = el("p", { id: "error", class: "error", role: "alert" });
const commandEl = el("code", { id: "command", class: "command" });
const changesEl = el("p", { id: "changes", class: "note" });
const button = (action: string, text: string, title: string) =>
  el("button", { type: "button", "data-action": action, title }, text);
const buttons = {
  play: button("play", "Play", "Train until the last step"),
  pause: button("pause", "Pause", "Stop after this step"),
  step: button("step", "Step", "One training step"),
  reset: button("reset", "Reset", "Back to step 0: the same data and first weights"),
  regenerate: button("regenerate", "Regenerate", "A new seed: new data and first weights"),
};
const copy = button("copy-command", "Copy command", "The deno task train line of this run");
const downloadModel = button(
  "download-model",
  "Download model.json",
  "For predict, graph, --resume",
);
const downloadHistory = button("download-history", "Download history.csv", "Beside model.json");
const downloadData = button("download-data", "Download data CSV", "Your points, for --dataset");
const csvInput = el("input", { type: "file", accept: ".csv,text/csv", "data-input": "csv" });
const classInput = el("input", {
  type: "number",
  "data-input": "label",
  value: "0",
  step: "any",
  title: "The class (or target) of a clicked point",
});
const clickAdds = el("input", { type: "checkbox", "data-input": "click-adds", checked: "" });
const controlsEl = el("form", { id: "controls", class: "controls-panel" });
const app = el("div", { id: "app" });
const stepper = el("section", { id: "stepper", class: "card", hidden: "" });
const drop = el(
  "label",
  { class: "drop", title: "Numeric columns, the label last, an optional header" },
  "Your data: drop or pick a CSV ",
  csvInput,
);
root.append(
  el(
    "header",
    { class: "bar" },
    el("h1", {}, "denograd playground"),
    el("div", { class: "buttons" }, ...Object.values(buttons)),
    statusEl,
  ),
  errorEl,
  el(
    "div",
    { class: "layout" },
    el(
      "aside",
      { class: "side" },
      controlsEl,
      el(
        "div",
        { class: "card own" },
        drop,
        el(
          "p",
          { class: "note" },
          el("label", {}, clickAdds, " Clicking the plane adds a point of class/target "),
          classInput,
          " (shift-click removes the nearest)",
        ),
        downloadData,
      ),
      el(
        "div",
        { class: "card" },
        el("p", {}, copy, " ", downloadModel, " ", downloadHistory),
        commandEl,
        changesEl,
      ),
    ),
    el("div", { class: "main" }, app, stepper),
  ),
);

const controls = new Controls(controlsEl, { onChange: changeSetting });
controlsEl.addEventListener("submit", (e) => e.preventDefault());

const workerText = document.getElementById("worker-js")!.textContent!;
// A classic worker: Chromium refuses a module worker from a Blob URL on a file:// page.
const worker = new Worker(URL.createObjectURL(new Blob([workerText], { type: "text/javascript" })));
worker.onmessage = (e: MessageEvent<FromPlayground>) => receive(e.data);
worker.onerror = (e) => showError(`The worker failed: ${e.message}`);

function post(message: ToPlayground): void {
  worker.postMessage(message);
}

// The worker draws the network on the page's paper: told it now, and when light or dark mode changes.
const sendPaper = () => {
  const paper = networkPaper();
  post(paper ? { type: "paper", paper } : { type: "paper" });
};
sendPaper();
matchMedia("(prefers-color-scheme: dark)").addEventListener("change", sendPaper);

let view: View | undefined;
/** Resolves when the view of the current set-up is built (its first "run" message). */
let built = Promise.withResolvers<void>();
/** Counts Play, Pause and set-ups: a Play waiting to be sent is dropped when another came since. */
let playToken = 0;

/**
 * Play, sent once the view is built and drawn ({@linkcode View.drawn}): the
 * training worker would otherwise take the core that the page's first,
 * heaviest tasks need (a Play pressed as the page loads meets them all).
 */
async function play(): Promise<void> {
  const token = ++playToken;
  await built.promise;
  // At most a second: a hidden page draws no frames.
  await Promise.race([view?.drawn(), new Promise((resolve) => setTimeout(resolve, 1000))]);
  if (token === playToken) post({ type: "play" });
}

function receive(m: FromPlayground): void {
  switch (m.type) {
    case "page":
      for (const message of m.messages) {
        if (message.type === "run") {
          app.replaceChildren();
          view = new View(app, { live: true });
          built.resolve();
          info = message.info;
          latest = undefined;
        }
        if (message.type === "snapshot") latest = message.snapshot;
        view?.apply(message);
        // One #status on the page: the playground's.
        if (message.type === "run") app.querySelector("#status")?.setAttribute("id", "run-status");
      }
      break;
    case "status":
      showStatus(m.status);
      break;
    case "error":
      showError(m.message);
      break;
    case "csv":
      csv = { name: m.name, text: m.text };
      given = withDataset(given, m.name);
      if (m.problem === "regression") given.problem = "regression";
      restart();
      break;
    case "files":
      if (wanted === "model") save("model.json", m.model, "application/json");
      else save("history.csv", m.history, "text/csv");
      break;
    case "thumbnails":
      controls.thumbnails(m.thumbnails);
      break;
    default: {
      const never: never = m;
      throw new TypeError(`Cannot handle the message: ${JSON.stringify(never)}`);
    }
  }
}

/** The settings the controls show, as JSON. */
let shownConfig = "";

function showStatus(s: PlaygroundStatus): void {
  status = s;
  errorEl.textContent = s.error ?? "";
  statusEl.dataset.step = String(s.step);
  statusEl.dataset.loss = s.loss;
  statusEl.dataset.playing = String(s.playing);
  statusEl.textContent = `Step ${s.step} of ${s.steps}${
    s.loss ? ` · loss ${Number(s.loss).toPrecision(4)}` : ""
  }`;
  // The controls are redrawn when the settings change, not at every status.
  const shown = JSON.stringify(s.config);
  if (shown !== shownConfig) {
    shownConfig = shown;
    controls.show(s.config);
  }
  if (commandEl.textContent !== s.command) commandEl.textContent = s.command;
  const changes = s.changes.length ? `Changed mid-run: ${s.changes.join("; ")}` : "";
  if (changesEl.textContent !== changes) changesEl.textContent = changes;
  buttons.play.disabled = s.playing || s.step >= s.steps || s.error !== undefined;
  buttons.pause.disabled = !s.playing;
  buttons.step.disabled = s.playing || s.step >= s.steps || s.error !== undefined;
  classInput.step = s.config.problem === "regression" ? "any" : "1";
  downloadData.hidden = csv === undefined;
}

function showError(message: string): void {
  errorEl.textContent = message;
}

/** The settings with `dataset` set: a CSV file's data has its own size and classes. */
function withDataset(g: PartialConfig, dataset: string): PartialConfig {
  const { problem: _p, classes: _c, samples: _s, noise: _n, loss: _l, ...rest } = g;
  return isBuiltin(dataset)
    ? { ...rest, dataset, ...pick(g, "samples", "noise") }
    : { ...rest, dataset };
}

function isBuiltin(name: string): boolean {
  return !/\.csv$/i.test(name);
}

function pick(g: PartialConfig, ...keys: (keyof PartialConfig)[]): PartialConfig {
  return Object.fromEntries(keys.filter((k) => g[k] !== undefined).map((k) => [k, g[k]]));
}

function changeSetting(key: SettingKey, text: string): void {
  let value: PartialConfig;
  try {
    value = text === "" ? {} : configFromFlags({ [SETTINGS[key].flag]: text });
  } catch (error) {
    showError((error as Error).message);
    return;
  }
  errorEl.textContent = "";
  const next: PartialConfig = key === "dataset" && value.dataset !== undefined
    ? withDataset(given, value.dataset)
    : { ...given };
  if (value[key] === undefined) delete next[key];
  else (next as Record<string, unknown>)[key] = value[key];
  given = next;
  if (key === "dataset" && isBuiltin(String(value.dataset))) csv = undefined;
  writeHash();
  // The learning rate and the penalties may change mid-run: the run goes on with them.
  const midRun = status !== undefined && status.step > 0 && status.step < status.steps;
  if (midRun && (key === "lr" || key === "l1" || key === "l2")) {
    post({ type: "change", [key]: value[key] ?? status!.config[key] });
  } else {
    restart();
  }
}

function restart(): void {
  status = undefined;
  playToken++;
  built = Promise.withResolvers();
  shownConfig = "";
  post({
    type: "setup",
    given: given as Record<string, unknown>,
    ...(csv && given.dataset === csv.name ? { csvText: csv.text } : {}),
    ...(seed ? { seed: seed as Extract<ToPlayground, { type: "setup" }>["seed"] } : {}),
  });
  seed = undefined;
}

/** The settings as the hash writes them: `#dataset=spiral&layers=8,8`, in table order. */
function writeHash(): void {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(given)) {
    if (!isSettingKey(key) || value === undefined) continue;
    if (Array.isArray(value) && value.length === 0 && SETTINGS[key].kind.type === "texts") continue;
    const text = encodeURIComponent(settingText(key, value))
      .replace(/%2C/g, ",").replace(/%5E/g, "^");
    parts.push(`${key}=${text}`);
  }
  const hash = parts.length ? `#${parts.join("&")}` : "";
  if (location.hash !== hash) history.replaceState(null, "", hash || location.pathname);
}

/** The settings the hash holds (refusing unknown keys and bad values, in one line). */
function readHash(): PartialConfig {
  const params = new URLSearchParams(location.hash.slice(1).replace(/\+/g, "%2B"));
  const flags: Record<string, string> = {};
  for (const [key, value] of params) {
    if (!isSettingKey(key)) throw new Error(`Cannot read the link as '${key}' is not a setting`);
    flags[SETTINGS[key].flag] = value;
  }
  return configFromFlags(flags);
}

function start(): void {
  try {
    given = readHash();
  } catch (error) {
    showError((error as Error).message);
    given = {};
  }
  const seeded = document.getElementById("seed-run");
  if (seeded) {
    seed = JSON.parse(seeded.textContent!) as SeedRun;
    if (location.hash === "") given = configFromFlags({}) as PartialConfig;
    given = { ...seed.given as PartialConfig, ...given };
    writeHash();
  }
  restart();
}

addEventListener("hashchange", () => {
  const before = JSON.stringify(given);
  try {
    const next = readHash();
    if (JSON.stringify(next) === before) return;
    given = next;
  } catch (error) {
    showError((error as Error).message);
    return;
  }
  restart();
});

buttons.play.addEventListener("click", () => void play());
buttons.pause.addEventListener("click", () => {
  playToken++;
  post({ type: "pause" });
});
buttons.step.addEventListener("click", () => post({ type: "step" }));
buttons.reset.addEventListener("click", () => restart());
buttons.regenerate.addEventListener("click", () => {
  const current = status?.config.seed ?? 1337;
  changeSetting("seed", String((current + 1) % 2 ** 32));
});
copy.addEventListener("click", () => {
  navigator.clipboard?.writeText(commandEl.textContent ?? "").catch(() => {});
  getSelection()?.selectAllChildren(commandEl);
});
/** Which file the next `files` answer is saved as. */
let wanted: "model" | "history" = "model";
downloadModel.addEventListener("click", () => {
  wanted = "model";
  post({ type: "files" });
});
downloadHistory.addEventListener("click", () => {
  wanted = "history";
  post({ type: "files" });
});
downloadData.addEventListener("click", () => csv && save(csv.name, csv.text, "text/csv"));

async function readCsvFile(file: File): Promise<void> {
  csv = { name: file.name.replace(/[^\w.-]+/g, "_") || "data.csv", text: await file.text() };
  if (!/\.csv$/i.test(csv.name)) csv.name += ".csv";
  given = withDataset(given, csv.name);
  writeHash();
  restart();
}
csvInput.addEventListener("change", () => csvInput.files?.[0] && readCsvFile(csvInput.files[0]));
root.addEventListener("dragover", (e) => e.preventDefault());
root.addEventListener("drop", (e) => {
  e.preventDefault();
  const file = e.dataTransfer?.files[0];
  if (file) readCsvFile(file);
});

app.addEventListener("plane-click", (e) => {
  const click = (e as CustomEvent<PlaneClick>).detail;
  if (clickAdds.checked) {
    post({
      type: "point",
      at: click.at,
      label: Number(classInput.value) || 0,
      remove: click.shift,
    });
  } else if (info && latest) {
    const params = latest.params.map((p) => p ?? NaN);
    stepper.hidden = false;
    mountStepper(stepper, mlpJsonOf(info.model, params), click.at, info);
  }
});

// A click on a weight (or a bias) of the network opens its editor, at the moment shown last.
app.addEventListener(WEIGHT_CLICK_EVENT, (e) => {
  const click = (e as CustomEvent<WeightClick>).detail;
  const container = e.target as HTMLElement;
  if (!info || !latest) return;
  const index = parameterIndex(info.model.nin, info.model.nouts, click);
  if (getComputedStyle(container).position === "static") container.style.position = "relative";
  const grad = latest.grads?.[index];
  openWeightEditor(container, {
    layer: click.layer,
    neuron: click.neuron,
    input: click.input,
    bias: click.bias,
    value: latest.params[index] ?? NaN,
    ...(latest.step > 0 && typeof grad === "number" ? { grad } : {}),
    at: { x: click.x, y: click.y + 12 },
    onEdit: (layer, neuron, input, value) => post({ type: "weight", layer, neuron, input, value }),
  });
});

/** Where a parameter is in `Mlp.parameters()`: layer by layer, neuron by neuron, weights then bias. */
function parameterIndex(
  nin: number,
  nouts: readonly number[],
  { layer, neuron, input }: { layer: number; neuron: number; input: number },
): number {
  let index = 0;
  let n = nin;
  for (let l = 0; l < layer; l++) {
    index += nouts[l] * (n + 1);
    n = nouts[l];
  }
  return index + neuron * (n + 1) + input;
}

function save(name: string, text: string, type: string): void {
  const a = el("a", { href: URL.createObjectURL(new Blob([text], { type })), download: name });
  document.body.append(a);
  a.click();
  a.remove();
}

start();
