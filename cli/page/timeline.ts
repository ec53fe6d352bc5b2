/// <reference lib="dom" />
/**
 * The timeline: a slider over the run's steps (in proportion, or on a log
 * scale for long runs) that snaps to the moments the run kept, with ticks at
 * those moments, labelled steps under it, the keys to go moment by moment,
 * and Play.
 *
 * @module
 */
import { compact, el, niceTicks } from "./_dom.ts";

/** Slider positions from the start of the run to its end. */
export const POSITIONS = 1000;

/** Runs longer than this get a log step scale (their learning happens early). */
export const LOG_STEPS = 1000;

/**
 * Where steps sit along a scale from 0 to {@linkcode POSITIONS}: in
 * proportion for short runs, by `log(1 + step)` for runs longer than
 * {@linkcode LOG_STEPS}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { StepScale } from "./timeline.ts";
 * const s = new StepScale(100);
 * assert.equal(s.position(25), 250);
 * assert.equal(s.step(250), 25);
 * assert.equal(new StepScale(100_000).log, true);
 * ```
 */
export class StepScale {
  /** The last step. */
  readonly max: number;
  /** Whether the scale is logarithmic. */
  readonly log: boolean;

  /** A scale from step 0 to `max`. */
  constructor(max: number) {
    this.max = Math.max(1, max);
    this.log = this.max > LOG_STEPS;
  }

  /** The position of `step`, 0 to {@linkcode POSITIONS}. */
  position(step: number): number {
    const t = this.log ? Math.log1p(step) / Math.log1p(this.max) : step / this.max;
    return Math.round(POSITIONS * Math.max(0, Math.min(1, t)));
  }

  /** The step at `position` (not rounded to a moment). */
  step(position: number): number {
    const t = position / POSITIONS;
    return Math.round(this.log ? Math.expm1(t * Math.log1p(this.max)) : t * this.max);
  }

  /** Round steps to label the scale with: 0 and powers of ten (log), or nice steps. */
  labels(): number[] {
    if (!this.log) {
      return niceTicks(0, this.max, 4).filter((s) => s <= this.max && Number.isInteger(s));
    }
    const out = [0];
    for (let p = 10; p <= this.max; p *= 10) out.push(p);
    return out;
  }
}

/** The index of the moment (steps in order) nearest `position` on `scale`. */
export function nearestMoment(steps: number[], scale: StepScale, position: number): number {
  let best = 0;
  let bestD = Infinity;
  steps.forEach((s, i) => {
    const d = Math.abs(scale.position(s) - position);
    if (d < bestD) [best, bestD] = [i, d];
  });
  return best;
}

/** What the timeline tells its owner. */
export interface TimelineEvents {
  /** The user picked moment `index`. */
  pick(index: number): void;
  /** The user pressed Play or Pause. */
  play(): void;
}

/** The timeline's controls. */
export class Timeline {
  /** The card holding it all. */
  readonly element: HTMLElement;
  /** The slider (`#timeline`). */
  readonly slider: HTMLInputElement;
  /** The Play button (`#play`). */
  readonly play: HTMLButtonElement;
  /** What step is shown (`#timeline-step`). */
  readonly label: HTMLElement;
  #ticks: HTMLDataListElement;
  #scaleLabels: HTMLElement;
  #steps: number[] = [];
  #scale = new StepScale(1);
  #index = 0;

  /** Builds the controls; `events` hears the user. */
  constructor(events: TimelineEvents) {
    this.slider = el("input", {
      type: "range",
      id: "timeline",
      min: "0",
      max: String(POSITIONS),
      value: "0",
      list: "timeline-ticks",
      "aria-label": "Timeline: the model at a step of training",
    });
    this.#ticks = el("datalist", { id: "timeline-ticks" });
    this.play = el("button", { type: "button", id: "play", "aria-pressed": "false" }, "Play");
    this.label = el("span", { class: "note", id: "timeline-step", "aria-live": "polite" });
    this.#scaleLabels = el("div", { class: "timeline-scale note", "aria-hidden": "true" });
    this.element = el(
      "section",
      { class: "card timeline" },
      this.play,
      el(
        "div",
        { class: "timeline-track" },
        this.slider,
        this.#ticks,
        this.#scaleLabels,
      ),
      this.label,
    );
    this.slider.addEventListener("input", () => {
      events.pick(nearestMoment(this.#steps, this.#scale, Number(this.slider.value)));
    });
    // The keys go moment by moment (the slider's own steps are finer than the moments).
    this.slider.addEventListener("keydown", (e) => {
      const n = this.#steps.length;
      const jump = Math.max(1, Math.round(n / 10));
      const to = ({
        ArrowRight: this.#index + 1,
        ArrowUp: this.#index + 1,
        ArrowLeft: this.#index - 1,
        ArrowDown: this.#index - 1,
        PageUp: this.#index + jump,
        PageDown: this.#index - jump,
        Home: 0,
        End: n - 1,
      } as Record<string, number>)[e.key];
      if (to === undefined || n === 0) return;
      e.preventDefault();
      events.pick(Math.max(0, Math.min(n - 1, to)));
    });
    this.play.addEventListener("click", () => events.play());
  }

  /** Sets the moments' steps (in order) and the last step the scale reaches. */
  setMoments(steps: number[], maxStep: number): void {
    const scale = new StepScale(Math.max(maxStep, steps.at(-1) ?? 0));
    const same = scale.max === this.#scale.max && steps.length === this.#steps.length;
    this.#steps = steps;
    this.#scale = scale;
    this.slider.disabled = steps.length < 2;
    this.slider.dataset.scale = scale.log ? "log" : "linear";
    this.slider.dataset.maxStep = String(scale.max);
    if (same) return;
    this.#ticks.replaceChildren(
      ...steps.map((s) => el("option", { value: String(scale.position(s)) })),
    );
    this.#scaleLabels.replaceChildren(
      ...scale.labels().map((s) =>
        el("span", { style: `left:${(scale.position(s) / POSITIONS) * 100}%` }, compact(s))
      ),
      ...(scale.log ? [el("span", { class: "kind" }, "log scale")] : []),
    );
  }

  /** Shows moment `index` (at `step`), described as `text`. */
  show(index: number, text: string): void {
    this.#index = index;
    const step = this.#steps[index] ?? 0;
    this.slider.value = String(this.#scale.position(step));
    this.slider.setAttribute("aria-valuetext", text);
    this.slider.dataset.step = String(step);
    this.label.textContent = text;
  }

  /** Shows whether Play is on. */
  set playing(on: boolean) {
    this.play.textContent = on ? "Pause" : "Play";
    this.play.setAttribute("aria-pressed", String(on));
  }
}
