/// <reference lib="dom" />
/**
 * The editor a click on a weight opens: it shows the weight's value and grad
 * and takes a new value, checked to be a finite number, which it hands to
 * `onEdit(layer, neuron, input, value)` so the playground can apply it and
 * record it in the run's history. It knows nothing of how the network is
 * drawn: the drawing says which weight was clicked and where.
 *
 * @module
 */
import { parseDecimal } from "../../mod.ts";
import { el } from "./_dom.ts";

/** Which parameter: layer and neuron from 0; `input` from 0, or the layer's input count for the bias. */
export interface WeightRef {
  /** The layer, from 0 (`L0` is the first hidden layer). */
  layer: number;
  /** The neuron in that layer, from 0. */
  neuron: number;
  /** The input the weight multiplies, from 0; the neuron's input count means its bias. */
  input: number;
}

/** Options for {@linkcode openWeightEditor}: which weight, its numbers, and what to call. */
export interface WeightEditorOptions extends WeightRef {
  /** Its value now. */
  value: number;
  /** Its grad now, if known (the last step's). */
  grad?: number;
  /**
   * Whether `input` names the bias.
   *
   * @default {false}
   */
  bias?: boolean;
  /** Called with the new value once it is checked. */
  onEdit(layer: number, neuron: number, input: number, value: number): void;
  /** Called when the editor closes, whether or not a value was set. */
  onClose?(): void;
  /** Where to show it, in the container's coordinates (CSS pixels); it stays inside the container. */
  at?: { x: number; y: number };
}

/** An open editor. */
export interface WeightEditor {
  /** Its element. */
  readonly element: HTMLElement;
  /** Closes it without setting a value. */
  close(): void;
}

const CSS = `
.dg-we{position:absolute;z-index:10;max-width:min(300px,calc(100% - 16px));box-sizing:border-box;
 padding:10px 12px;border-radius:8px;border:1px solid #d0d7de;background:#fff;color:#1f2328;
 box-shadow:0 4px 16px #0003;font:14px/1.4 system-ui,sans-serif}
@media (prefers-color-scheme: dark){.dg-we{background:#161b22;color:#e6edf3;border-color:#3d444d}}
.dg-we h4{margin:0 0 4px;font-size:14px}
.dg-we dl{display:grid;grid-template-columns:auto 1fr;gap:0 8px;margin:4px 0;font:12px ui-monospace,monospace}
.dg-we dd{margin:0;overflow-wrap:anywhere}
.dg-we input{font:inherit;width:100%;box-sizing:border-box;padding:5px;border:1px solid #8c959f;border-radius:6px;
 background:inherit;color:inherit}
.dg-we input[aria-invalid=true]{border-color:#cf222e}
.dg-we [role=alert]{color:#cf222e;font-size:13px;margin:4px 0 0}
@media (prefers-color-scheme: dark){.dg-we [role=alert]{color:#ff7b72}}
.dg-we .row{display:flex;gap:6px;margin-top:8px}
.dg-we button{font:inherit;font-size:13px;padding:5px 10px;min-height:32px;border-radius:6px;
 border:1px solid #8c959f;background:inherit;color:inherit}
`;

/**
 * Why `text` is not a weight's value, or null when it is one: one line, in
 * the library's error style.
 */
export function weightProblem(text: string): string | null {
  const value = parseDecimal(text);
  if (Number.isFinite(value)) return null;
  return `Cannot set the weight as it must be a finite number, e.g. -0.25: current value is ${
    JSON.stringify(text.trim())
  }`;
}

/**
 * Opens the editor of one weight (or bias) in `container`, which should be
 * positioned (`position: relative`) for `at` to place it. Enter sets the
 * value, Escape closes; a second editor opened in the same container
 * replaces the first.
 */
export function openWeightEditor(
  container: HTMLElement,
  options: WeightEditorOptions,
): WeightEditor {
  const ref = options;
  container.querySelector(":scope > .dg-we")?.dispatchEvent(new Event("dg-close"));
  const name = options.bias
    ? `L${ref.layer}.N${ref.neuron}.b`
    : `L${ref.layer}.N${ref.neuron}.w${ref.input}`;
  const { box, form, input, alert } = editorBox(name, options);
  const { x = 8, y = 8 } = options.at ?? {};
  box.style.left = `${Math.max(8, Math.min(x, container.clientWidth - 308))}px`;
  box.style.top = `${Math.max(0, y)}px`;
  let open = true;
  const close = () => {
    if (!open) return;
    open = false;
    box.remove();
    options.onClose?.();
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const problem = weightProblem(input.value);
    if (problem !== null) {
      alert.textContent = problem;
      alert.hidden = false;
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    options.onEdit(ref.layer, ref.neuron, ref.input, parseDecimal(input.value));
    close();
  });
  box.querySelector('[data-action="cancel-weight"]')!.addEventListener("click", close);
  box.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  box.addEventListener("dg-close", close);
  container.append(box);
  input.focus();
  input.select();
  return { element: box, close };
}

/** The editor's elements: the dialog box, its form, the value's input and its alert. */
function editorBox(name: string, options: WeightEditorOptions): {
  box: HTMLElement;
  form: HTMLElement;
  input: HTMLInputElement;
  alert: HTMLElement;
} {
  const ref = options;
  const input = el("input", {
    type: "text",
    inputmode: "decimal",
    "data-input": "weight",
    value: String(options.value),
    "aria-label": `New value of ${name}`,
    autocomplete: "off",
    spellcheck: "false",
  });
  const alert = el("p", { role: "alert", "data-weight": "error" });
  alert.hidden = true;
  const grad = options.grad === undefined ? "not computed yet" : String(options.grad);
  const form = el(
    "form",
    {},
    el(
      "dl",
      {},
      el("dt", {}, "value"),
      el("dd", { "data-weight": "value" }, String(options.value)),
      el("dt", {}, "grad"),
      el("dd", { "data-weight": "grad" }, grad),
    ),
    input,
    alert,
    el(
      "div",
      { class: "row" },
      el("button", { type: "submit", "data-action": "set-weight" }, "Set"),
      el("button", { type: "button", "data-action": "cancel-weight" }, "Cancel"),
    ),
  );
  const box = el(
    "div",
    { class: "dg-we", role: "dialog", "aria-label": `Edit ${name}`, "data-weight-editor": name },
    el("style", {}, CSS),
    el("h4", {}, options.bias ? `Bias of L${ref.layer}.N${ref.neuron}` : `Weight ${name}`),
    form,
  );
  return { box, form, input, alert };
}
