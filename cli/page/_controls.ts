/// <reference lib="dom" />
/**
 * The playground's controls, one per row of the settings table
 * ({@linkcode SETTINGS}): a row's kind picks its control (a list for a
 * choice, a number box for a number, a list editor for sizes...), so a new
 * setting gets its control with no page code. Each control carries
 * `data-setting="<config key>"` and reports its text as the CLI flag would
 * take it.
 *
 * @module
 */
import {
  BUILTIN_DATASETS,
  type Setting,
  SETTING_KEYS,
  type SettingKey,
  SETTINGS,
  type TrainSettings,
} from "../../mod.ts";
import { classColor, el } from "./_dom.ts";

/** TensorFlow Playground's feature crosses, offered as checkboxes for `features`. */
export const CROSSES: readonly string[] = [
  "x1",
  "x2",
  "x1^2",
  "x2^2",
  "x1*x2",
  "sin(x1)",
  "sin(x2)",
];

/** A value of a setting as its flag writes it: `16,16`, `none`, `0.1`. */
export function settingText(key: SettingKey, value: unknown): string {
  const kind = SETTINGS[key].kind;
  if (Array.isArray(value)) {
    return value.length === 0 && kind.type === "ints" ? kind.empty : value.join(",");
  }
  return String(value);
}

/** Options for {@linkcode Controls}. */
export interface ControlsOptions {
  /** Called with a setting's new text when the user changes its control. */
  onChange: (key: SettingKey, text: string) => void;
}

/** The controls, built once inside a container. */
export class Controls {
  #inputs = new Map<SettingKey, HTMLInputElement | HTMLSelectElement>();
  #refresh: (() => void)[] = [];
  #thumbs: HTMLElement;
  #onChange: (key: SettingKey, text: string) => void;
  /** The uploaded CSV file's name, offered with the built-in datasets. */
  #csvName: string | undefined;

  /** Builds one control per setting inside `root`. */
  constructor(root: HTMLElement, options: ControlsOptions) {
    this.#onChange = options.onChange;
    this.#thumbs = el("div", { class: "thumbs" });
    for (const key of SETTING_KEYS) root.append(this.#control(key));
  }

  #control(key: SettingKey): HTMLElement {
    const row = SETTINGS[key] as Setting<unknown>;
    const id = `setting-${key}`;
    const label = el("label", { for: id, title: row.help }, key);
    const wrap = el("div", { class: `control ${row.kind.type}`, "data-scope": row.scope }, label);
    const change = (text: string) => this.#onChange(key, text);
    let input: HTMLInputElement | HTMLSelectElement;
    const kind = row.kind;
    if (kind.type === "choice" || key === "dataset") {
      input = el("select", { id, "data-setting": key });
      const values = kind.type === "choice" ? kind.values : BUILTIN_DATASETS;
      for (const v of values) input.append(el("option", { value: v }, v));
    } else if ((kind.type === "int" && kind.word === undefined) || kind.type === "number") {
      input = el("input", {
        id,
        "data-setting": key,
        type: "number",
        min: String(kind.min),
        max: String(kind.max),
        step: kind.type === "int" ? "1" : "any",
        inputmode: "decimal",
      });
    } else {
      input = el("input", { id, "data-setting": key, type: "text", spellcheck: "false" });
    }
    input.addEventListener("change", () => change(input.value.trim()));
    // Threads share memory only on a cross-origin isolated page (not one opened from a file).
    if (key === "threads" && globalThis.crossOriginIsolated !== true) {
      input.disabled = true;
      wrap.title = "Runs on one thread here: threads need a cross-origin isolated page";
    }
    this.#inputs.set(key, input);
    wrap.append(input);
    if (key === "dataset") wrap.append(this.#thumbs);
    if (kind.type === "ints") wrap.append(this.#listEditor(key, input as HTMLInputElement));
    if (key === "features") wrap.append(this.#crosses(input as HTMLInputElement));
    return wrap;
  }

  /** Buttons that add or remove an entry of a list of sizes, and grow or shrink each. */
  #listEditor(key: SettingKey, input: HTMLInputElement): HTMLElement {
    const box = el("div", { class: "sizes" });
    const sizes = () => input.value === "none" || input.value === "" ? [] : input.value.split(",");
    const set = (list: string[]) => this.#onChange(key, list.length ? list.join(",") : "none");
    const draw = () => {
      const list = sizes();
      const chips = list.map((n, i) => {
        const bump = (d: number) => {
          const next = [...list];
          next[i] = String(Math.max(1, Number(n) + d));
          set(next);
        };
        const minus = el(
          "button",
          { type: "button", "data-action": "shrink", title: "fewer" },
          "−",
        );
        const plus = el("button", { type: "button", "data-action": "grow", title: "more" }, "+");
        minus.addEventListener("click", () => bump(-1));
        plus.addEventListener("click", () => bump(1));
        return el("span", { class: "chip" }, minus, el("b", {}, n), plus);
      });
      const add = el("button", { type: "button", "data-action": "add-layer" }, "+ layer");
      const remove = el("button", { type: "button", "data-action": "remove-layer" }, "− layer");
      add.addEventListener("click", () => set([...list, list.at(-1) ?? "4"]));
      remove.addEventListener("click", () => set(list.slice(0, -1)));
      box.replaceChildren(...chips, add, remove);
    };
    this.#refresh.push(draw);
    return box;
  }

  /** TensorFlow Playground's feature checkboxes, writing the comma list. */
  #crosses(input: HTMLInputElement): HTMLElement {
    const box = el("div", { class: "crosses" });
    const boxes = CROSSES.map((name) => {
      const check = el("input", { type: "checkbox", "data-feature": name });
      check.addEventListener("change", () => {
        const list = input.value === "" ? ["x1", "x2"] : input.value.split(",");
        const next = check.checked ? [...list, name] : list.filter((f) => f !== name);
        this.#onChange(
          "features",
          CROSSES.filter((c) => next.includes(c)).concat(
            next.filter((f) => !CROSSES.includes(f)),
          ).join(","),
        );
      });
      box.append(el("label", { class: "cross" }, check, name));
      return check;
    });
    this.#refresh.push(() => {
      const list = input.value === "" ? ["x1", "x2"] : input.value.split(",");
      boxes.forEach((b, i) => b.checked = list.includes(CROSSES[i]));
    });
    return box;
  }

  /** Shows the settings the run has (defaults filled in). */
  show(config: TrainSettings): void {
    for (const [key, input] of this.#inputs) {
      const text = settingText(key, config[key]);
      if (input instanceof HTMLSelectElement && ![...input.options].some((o) => o.value === text)) {
        input.append(el("option", { value: text }, text));
      }
      if (document.activeElement !== input) input.value = text;
    }
    for (const f of this.#refresh) f();
  }

  /** Draws each built-in dataset's points as a button that picks it. */
  thumbnails(points: Record<string, { x: number[][]; y: number[] }>): void {
    const buttons = Object.entries(points).map(([name, p]) => {
      const canvas = el("canvas", { width: "48", height: "48" });
      const ctx = canvas.getContext("2d")!;
      const xs = p.x.map((r) => r[0]);
      const ys = p.x[0].length > 1 ? p.x.map((r) => r[1]) : p.y;
      const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
      const regression = p.y.some((v) => !Number.isInteger(v));
      const [lo, hi] = [Math.min(...p.y), Math.max(...p.y)];
      p.x.forEach((_, i) => {
        ctx.fillStyle = regression
          ? `hsl(${210 - 180 * (p.y[i] - lo) / (hi - lo || 1)} 70% 50%)`
          : classColor(p.y[i], Math.max(2, Math.max(...p.y) + 1));
        ctx.fillRect(
          2 + 44 * (xs[i] - x0) / (x1 - x0 || 1),
          46 - 44 * (ys[i] - y0) / (y1 - y0 || 1),
          2,
          2,
        );
      });
      const b = el(
        "button",
        { type: "button", class: "thumb", "data-dataset": name, title: name },
        canvas,
      );
      b.addEventListener("click", () => this.#onChange("dataset", name));
      return b;
    });
    this.#thumbs.replaceChildren(...buttons);
  }

  /** Offers an uploaded CSV file's name in the dataset list. */
  set csvName(name: string | undefined) {
    this.#csvName = name;
  }

  /** The uploaded CSV file's name, if any. */
  get csvName(): string | undefined {
    return this.#csvName;
  }
}
