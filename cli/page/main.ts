/// <reference lib="dom" />
/**
 * The report page's entry point, bundled into every report and live page
 * (see `cli/page/build.ts`). A report carries its run in a
 * `<script type="application/json" id="run-data">` element; a live page has
 * none and listens to the CLI's event stream at `events` beside it.
 *
 * @module
 */
import { messagesOf, type PageMessage, type ReportPayload } from "./data.ts";
import { View } from "./view.ts";
import { offerPlayground } from "./open_playground.ts";

const root = document.getElementById("app")!;
const embedded = document.getElementById("run-data");
if (embedded) {
  const view = new View(root);
  for (const m of messagesOf(JSON.parse(embedded.textContent!) as ReportPayload)) view.apply(m);
  offerPlayground(root);
} else {
  const view = new View(root, { live: true });
  const events = new EventSource("events");
  let ready = false;
  let ended = false;
  events.onmessage = (e: MessageEvent<string>) => {
    const messages = JSON.parse(e.data) as PageMessage[];
    for (const m of messages) {
      view.apply(m);
      // The run is over and the CLI about to exit: no reconnecting to a closed server.
      if (m.type === "end") {
        events.close();
        ended = true;
      }
    }
    // A page that opens on a finished run has nothing to start: no request to a closing server.
    if (!ready && !ended) {
      // Once the page is drawn, it says so: `--open` starts training then, so that the page's own
      // start-up does not slow the first steps.
      ready = true;
      requestAnimationFrame(() =>
        requestAnimationFrame(() => fetch("ready", { cache: "no-store" }).catch(() => {}))
      );
    }
  };
}
