/**
 * What a Jupyter notebook shows for a {@linkcode Value} or an {@linkcode Mlp}
 * that is a cell's result: a value's computation graph as SVG (or, for a graph
 * too large to read, a line that says so and how to draw it anyway), a
 * model's network. The hooks are registered here, from the drawing layer,
 * onto the math's classes, so that the math imports no drawing.
 *
 * @module
 */
import { Value } from "../../engine/value.ts";
import { Mlp } from "../model/mlp.ts";
import { escapeXml, GraphTooLargeError, svgMimeBundle, toSvg } from "./value_svg.ts";
import { networkSvg } from "./network_svg.ts";

/** The MIME bundle of `value`: its graph as SVG (with an `<img>` fallback), or `text/html` when too large. */
export function valueDisplay(value: Value): Record<string, string> {
  const plain = value.toString();
  try {
    return svgMimeBundle(toSvg(value), plain);
  } catch (e) {
    if (!(e instanceof GraphTooLargeError)) throw e;
    const note = `${plain}: its graph of ${
      e.nodes.toLocaleString("en-US")
    } values is too large to draw here (about ${Math.ceil(e.width)}x${Math.ceil(e.height)} px).`;
    return {
      "text/html": `<p>${
        escapeXml(note)
      } <code>toSvg(value, { maxWidth: Infinity, maxHeight: Infinity })</code> draws it anyway; <code>graphStats(value)</code> counts it.</p>`,
      "text/plain": note,
    };
  }
}

/** The MIME bundle of `model`: its network as SVG, with an `<img>` fallback. */
export function mlpDisplay(model: Mlp): Record<string, string> {
  return svgMimeBundle(networkSvg(model), model.toString());
}

const JUPYTER_DISPLAY = Symbol.for("Jupyter.display");
Object.defineProperty(Value.prototype, JUPYTER_DISPLAY, {
  value(this: Value) {
    return valueDisplay(this);
  },
  configurable: true,
});
Object.defineProperty(Mlp.prototype, JUPYTER_DISPLAY, {
  value(this: Mlp) {
    return mlpDisplay(this);
  },
  configurable: true,
});
