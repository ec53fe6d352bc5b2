/**
 * What a Jupyter notebook shows for a {@linkcode Value} that is a cell's
 * result: its computation graph as SVG, or, for a graph too large to read, a
 * line that says so and how to draw it anyway.
 *
 * @module
 */
import { escapeXml, GraphTooLargeError, toSvg } from "./svg.ts";
import type { Value } from "./value.ts";

/** The MIME bundle of `value`: `image/svg+xml` of its graph, or `text/html` when too large. */
export function valueDisplay(value: Value): Record<string, string> {
  const plain = value.toString();
  try {
    return { "image/svg+xml": toSvg(value), "text/plain": plain };
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
