/// <reference lib="dom" />
/**
 * A report's "Open in playground" button: the report carries the playground
 * (`<script type="text/plain" id="playground-gz">`) and the run to seed it
 * with (`id="playground-seed"`), each gzipped, in base64; the button unpacks
 * them, puts the run into the page as its `#seed-run` script and turns the
 * report into it. Nothing is fetched.
 *
 * @module
 */
import { el } from "./_dom.ts";

/** The text of a gzipped, base64 script element. */
async function unpack(script: HTMLElement): Promise<string> {
  const bytes = Uint8Array.from(atob(script.textContent!.trim()), (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return await new Response(stream).text();
}

/** Adds the button at the top of `root` when the page carries a playground. */
export function offerPlayground(root: HTMLElement): void {
  const page = document.getElementById("playground-gz");
  const seed = document.getElementById("playground-seed");
  if (!page || !seed || typeof DecompressionStream === "undefined") return;
  const button = el(
    "button",
    { type: "button", "data-action": "open-playground", class: "open-playground" },
    "Open in playground",
  );
  button.addEventListener("click", async () => {
    button.disabled = true;
    const [html, run] = await Promise.all([unpack(page), unpack(seed)]);
    // Where the playground's own scripts start: its code reads the run as it starts.
    const at = html.indexOf(`<script type="text/plain" id="worker-js">`);
    document.open();
    document.write(
      `${html.slice(0, at)}<script type="application/json" id="seed-run">${run}</script>\n${
        html.slice(at)
      }`,
    );
    document.close();
  });
  root.prepend(el("p", {}, button));
}
