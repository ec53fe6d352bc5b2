/**
 * The live view of `train --serve`: a small HTTP server on 127.0.0.1 that
 * serves the report page and streams the run to it as Server-Sent Events.
 * Each event is a JSON array of page messages (`cli/page/data.ts`). A page
 * that opens mid-run first gets the run so far.
 *
 * Only the loopback address is bound; every path starts with a random token
 * (as Jupyter's), and a request whose `Host` header is not the address served
 * is refused, so another site cannot reach the server through a DNS name that
 * points at 127.0.0.1 (DNS rebinding).
 *
 * @module
 */
import type { GridJson, PageMessage, RunEnd, RunInfo } from "./page/data.ts";
import type { ProgressMessage, SnapshotMessage, Step } from "../workers/protocol.ts";
import { historyColumns, snapshotJson, thin } from "./report.ts";
import { UsageError } from "./_errors.ts";

/** Options for {@linkcode LiveServer.start}. */
export interface LiveServerOptions {
  /** The page (`renderPage` without a report). */
  html: string;
  /**
   * The port; 0 picks a free one.
   *
   * @default {0}
   */
  port?: number;
}

/** Most steps a page that opens mid-run gets at once (evenly thinned). */
const CATCH_UP_STEPS = 4000;

/** Milliseconds between two sends to the pages. */
const SEND_MS = 200;

/** Most new steps per send (evenly thinned; the page's curves keep 1000 steps in all). */
const SEND_STEPS = 50;

const encoder = new TextEncoder();

function gridJson(g: NonNullable<SnapshotMessage["grid"]>): GridJson {
  return {
    size: g.size,
    xMin: g.xMin,
    xMax: g.xMax,
    yMin: g.yMin,
    yMax: g.yMax,
    classes: Array.from(g.classes),
    confidence: Array.from(g.confidence, (c) => Math.round(c * 100) / 100),
  };
}

/** The live server: start it, feed it the run, close it. */
export class LiveServer {
  /** The page's address: `http://127.0.0.1:PORT/TOKEN/`. */
  readonly url: string;
  #server: Deno.HttpServer<Deno.NetAddr>;
  #streams = new Set<ReadableStreamDefaultController<Uint8Array>>();
  #info: RunInfo | undefined;
  #history: Step[] = [];
  #progress: Omit<ProgressMessage, "type" | "newSteps" | "metrics"> | undefined;
  #timeline: PageMessage[] = [];
  #latest: PageMessage | undefined;
  #end: PageMessage | undefined;
  #onPage: (() => void)[] = [];
  #pageReady = false;
  #pending: { steps: Step[]; timeline: PageMessage[]; live?: PageMessage } = {
    steps: [],
    timeline: [],
  };
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Pages served whose event stream has not opened yet (they still need the end). */
  #loading = 0;
  /** Pages following the run that have not said they are ready yet (they will ask once). */
  #unready = 0;

  private constructor(server: Deno.HttpServer<Deno.NetAddr>, url: string) {
    this.#server = server;
    this.url = url;
  }

  /**
   * Starts serving on 127.0.0.1.
   *
   * @throws {UsageError} when the network is not allowed or the port is taken.
   */
  static start(options: LiveServerOptions): LiveServer {
    const token = Array.from(
      crypto.getRandomValues(new Uint8Array(16)),
      (b) => b.toString(16).padStart(2, "0"),
    ).join("");
    const made: { live?: LiveServer } = {};
    let server: Deno.HttpServer<Deno.NetAddr>;
    const port = options.port ?? 0;
    try {
      server = Deno.serve(
        { hostname: "127.0.0.1", port, onListen: () => {} },
        (request) => made.live!.#handle(request, token, options.html),
      );
    } catch (error) {
      if (
        error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied
      ) {
        throw new UsageError(
          "Cannot serve the live view as network access is not allowed: run deno with --allow-net=127.0.0.1",
        );
      }
      if (error instanceof Deno.errors.AddrInUse) {
        throw new UsageError(
          `Cannot serve the live view as '--port' ${port} is in use: choose another, or 0 for any free port`,
        );
      }
      throw error;
    }
    made.live = new LiveServer(server, `http://127.0.0.1:${server.addr.port}/${token}/`);
    return made.live;
  }

  #handle(request: Request, token: string, html: string): Response {
    const url = new URL(request.url);
    const host = `127.0.0.1:${this.#server.addr.port}`;
    if (request.headers.get("host") !== host) {
      return new Response("Wrong Host header\n", { status: 403 });
    }
    if (request.method !== "GET") return new Response("Method not allowed\n", { status: 405 });
    const headers = {
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
    };
    if (url.pathname === `/${token}/`) {
      this.#loading++;
      return new Response(html, {
        headers: { ...headers, "content-type": "text/html; charset=utf-8" },
      });
    }
    if (url.pathname === `/${token}/events`) {
      this.#loading = Math.max(0, this.#loading - 1);
      // A page that opens on a finished run gets the end at once and asks nothing more.
      if (this.#end === undefined) this.#unready++;
      return new Response(this.#stream(), {
        headers: { ...headers, "content-type": "text/event-stream" },
      });
    }
    if (url.pathname === `/${token}/ready`) {
      // A page has drawn itself: `--open` starts training.
      this.#pageReady = true;
      this.#unready = Math.max(0, this.#unready - 1);
      for (const resolve of this.#onPage.splice(0)) resolve();
      return new Response(null, { status: 204, headers });
    }
    return new Response("Not found\n", { status: 404 });
  }

  /** A new page's event stream: the run so far, then each message as it comes. */
  #stream(): ReadableStream<Uint8Array> {
    let controller: ReadableStreamDefaultController<Uint8Array>;
    return new ReadableStream<Uint8Array>({
      start: (c) => {
        controller = c;
        // What is pending goes to the pages there already; this one gets it in the catch-up.
        this.#flush();
        const first: PageMessage[] = [];
        if (this.#info) first.push({ type: "run", info: this.#info });
        if (this.#history.length > 0 && this.#progress) {
          first.push({
            type: "progress",
            newSteps: thin(this.#history, CATCH_UP_STEPS),
            ...this.#progress,
          });
        }
        first.push(...this.#timeline);
        if (this.#latest) first.push(this.#latest);
        if (this.#end) first.push(this.#end);
        if (first.length > 0) c.enqueue(event(first));
        if (this.#end) c.close();
        else this.#streams.add(c);
      },
      cancel: () => {
        this.#streams.delete(controller);
      },
    });
  }

  #broadcast(messages: PageMessage[]): void {
    if (this.#streams.size === 0) return;
    const bytes = event(messages);
    for (const c of this.#streams) {
      try {
        c.enqueue(bytes);
      } catch {
        this.#streams.delete(c);
      }
    }
  }

  /**
   * Resolves with true once a page has drawn itself (it then asks for
   * `ready`), or with false after `timeoutMs` (for `--open`: training starts
   * when the page can show it from step 1).
   */
  waitForPage(timeoutMs: number): Promise<boolean> {
    if (this.#pageReady) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.#onPage.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** What the run is: sent first. */
  run(info: RunInfo): void {
    this.#info = info;
    this.#broadcast([{ type: "run", info }]);
  }

  /** A progress message from the worker. */
  progress(m: ProgressMessage): void {
    for (const s of m.newSteps) this.#history.push(s);
    this.#progress = { done: m.done, steps: m.steps, elapsedMs: m.elapsedMs };
    for (const s of m.newSteps) this.#pending.steps.push(s);
    this.#later();
  }

  /** A snapshot message from the worker. */
  snapshot(m: SnapshotMessage): void {
    const message: PageMessage = {
      type: "snapshot",
      snapshot: snapshotJson(m),
      timeline: m.timeline,
      ...(m.grid ? { grid: gridJson(m.grid) } : {}),
    };
    if (m.timeline) {
      const plain = { ...message, grid: undefined };
      this.#timeline.push(plain);
      this.#pending.timeline.push(plain);
    }
    if (m.grid) this.#pending.live = message;
    this.#latest = message;
    this.#later();
  }

  /**
   * Sends what came since the last send, at most every {@linkcode SEND_MS}:
   * the new steps (evenly thinned to {@linkcode SEND_STEPS}, the latest
   * kept), the timeline's new moments and the latest live snapshot. Fewer,
   * smaller messages keep the page's work, and so the cost of watching, low.
   */
  #later(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#flush();
    }, SEND_MS);
  }

  #flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const p = this.#pending;
    this.#pending = { steps: [], timeline: [] };
    const out: PageMessage[] = [];
    if (p.steps.length > 0 && this.#progress) {
      out.push({ type: "progress", newSteps: thin(p.steps, SEND_STEPS), ...this.#progress });
    }
    out.push(...p.timeline);
    if (p.live) out.push(p.live);
    if (out.length > 0) this.#broadcast(out);
  }

  /** The end of the run: sent last, then every stream closes. */
  end(end: RunEnd): void {
    this.#flush();
    // The whole history (as the report keeps it): the live curves were thinned as they came.
    this.#end = { type: "end", end: { ...end, history: historyColumns(this.#history) } };
    this.#broadcast([this.#end]);
    for (const c of this.#streams) {
      try {
        c.close();
      } catch {
        // Closed by the page already.
      }
    }
    this.#streams.clear();
  }

  /**
   * Stops serving (after the streams are closed). A page still loading gets
   * up to `graceMs` to open its stream and receive the end, and a page that
   * follows the run to send its one "ready" request, so that no request of
   * theirs meets a closed port.
   */
  async close(graceMs = 3000): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    const until = performance.now() + graceMs;
    while ((this.#loading > 0 || this.#unready > 0) && performance.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    for (const c of this.#streams) {
      try {
        c.close();
      } catch {
        // Closed already.
      }
    }
    this.#streams.clear();
    await this.#server.shutdown();
  }
}

function event(messages: PageMessage[]): Uint8Array {
  return encoder.encode(`data: ${JSON.stringify(messages)}\n\n`);
}

/**
 * Opens `url` in the default browser, where there is one; resolves with a
 * line saying why not, if it could not.
 */
export async function openBrowser(url: string): Promise<string | undefined> {
  const [cmd, ...args] = Deno.build.os === "darwin"
    ? ["open", url]
    : Deno.build.os === "windows"
    ? ["cmd", "/c", "start", "", url]
    : ["xdg-open", url];
  try {
    const child = new Deno.Command(cmd, { args, stdout: "null", stderr: "null" }).spawn();
    const status = await child.status;
    return status.success ? undefined : `${cmd} exited with code ${status.code}`;
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
      return `starting ${cmd} is not allowed (run deno with --allow-run=${cmd})`;
    }
    return `${cmd} is not available (${(error as Error).message})`;
  }
}
