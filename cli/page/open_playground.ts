/// <reference lib="dom" />
/**
 * A report's "Open in playground" button: the report carries the playground
 * seeded with its run (gzip, base64, in `<script type="text/plain"
 * id="playground-gz">`); the button unpacks it and turns the page into it.
 * Nothing is fetched.
 *
 * @module
 */
import { el } from "./_dom.ts";

/** Adds the button at the top of `root` when the page carries a playground. */
export function offerPlayground(root: HTMLElement): void {
  const packed = document.getElementById("playground-gz");
  if (!packed || typeof DecompressionStream === "undefined") return;
  const button = el(
    "button",
    { type: "button", "data-action": "open-playground", class: "open-playground" },
    "Open in playground",
  );
  button.addEventListener("click", async () => {
    button.disabled = true;
    const bytes = Uint8Array.from(atob(packed.textContent!.trim()), (c) => c.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    const html = await new Response(stream).text();
    document.open();
    document.write(html);
    document.close();
  });
  root.prepend(el("p", {}, button));
}
