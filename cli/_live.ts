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
import { escapeControls, UsageError } from "./_errors.ts";

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

/** Most connections served at once; more are closed as they come. */
export const MAX_CONNECTIONS = 32;

/** Milliseconds a connection has to send its whole request head. */
const HEAD_TIMEOUT_MS = 10_000;

/** Most bytes of a request head (request line and headers). */
const MAX_HEAD_BYTES = 8192;

/** Most bytes waiting to be sent to one page; a page that reads no more is dropped. */
const MAX_QUEUED_BYTES = 8 * 1024 * 1024;

/** A page's event stream: its connection and what waits to be written to it. */
interface Sink {
  conn: Deno.Conn;
  queued: number;
  chain: Promise<void>;
  closed: boolean;
}

/** A response that is not a stream. */
interface Plain {
  status: number;
  body?: string;
  type?: string;
}

const STATUS_TEXT: Record<number, string> = {
  200: "OK",
  204: "No Content",
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  431: "Request Header Fields Too Large",
};

/**
 * The live server: start it, feed it the run, close it.
 *
 * It speaks just enough HTTP/1.1 for the page (one GET per connection,
 * answered, then closed; the event stream stays open), over a listener it
 * accepts from itself, so that it can cap its connections, time out a
 * client that sends nothing, answer any malformed request with a 4xx, and
 * outlive a process that runs out of file descriptors: nothing a client
 * sends can stop the run or keep its files from being written.
 */
export class LiveServer {
  /** The page's address: `http://127.0.0.1:PORT/TOKEN/`. */
  readonly url: string;
  #listener: Deno.Listener;
  #port: number;
  #token: string;
  #html: string;
  #closed = false;
  #conns = new Set<Deno.Conn>();
  /** Connections that have not sent their request yet, oldest first. */
  #waiting = new Set<Deno.Conn>();
  /** The streams that get new messages. */
  #streams = new Set<Sink>();
  /** Every stream still open (an ended one until what was queued for it is written). */
  #sinks = new Set<Sink>();
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
  #accepting: Promise<void>;

  private constructor(listener: Deno.Listener, token: string, html: string) {
    this.#listener = listener;
    this.#port = (listener.addr as Deno.NetAddr).port;
    this.#token = token;
    this.#html = html;
    this.url = `http://127.0.0.1:${this.#port}/${token}/`;
    this.#accepting = this.#accept();
  }

  /**
   * Starts serving on 127.0.0.1.
   *
   * @throws {UsageError} when the network is not allowed or the port cannot be bound
   * (in use, or refused by the system), naming the system's reason.
   */
  static start(options: LiveServerOptions): LiveServer {
    const token = Array.from(
      crypto.getRandomValues(new Uint8Array(16)),
      (b) => b.toString(16).padStart(2, "0"),
    ).join("");
    const port = options.port ?? 0;
    let listener: Deno.Listener;
    try {
      listener = Deno.listen({ hostname: "127.0.0.1", port });
    } catch (error) {
      // Deno's own permission system: NotCapable. The system's refusal (EACCES): PermissionDenied.
      if (error instanceof Deno.errors.NotCapable) {
        throw new UsageError(
          "Cannot serve the live view as network access is not allowed: run deno with --allow-net=127.0.0.1",
        );
      }
      const why = escapeControls((error as Error)?.message ?? String(error));
      if (error instanceof Deno.errors.AddrInUse) {
        throw new UsageError(
          `Cannot serve the live view as '--port' ${port} is in use (${why}): choose another, or 0 for any free port`,
        );
      }
      if (error instanceof Deno.errors.PermissionDenied) {
        throw new UsageError(
          `Cannot serve the live view as the system refuses '--port' ${port} (${why}): choose a port from 1024, or 0 for any free port`,
        );
      }
      throw new UsageError(
        `Cannot serve the live view on '--port' ${port} as it cannot be bound: ${why}`,
      );
    }
    return new LiveServer(listener, token, options.html);
  }

  /** Accepts connections until closed; a failed accept (no file descriptor left) waits and retries. */
  async #accept(): Promise<void> {
    while (!this.#closed) {
      let conn: Deno.Conn;
      try {
        conn = await this.#listener.accept();
      } catch {
        if (this.#closed) return;
        // Out of file descriptors, or a connection reset before it was accepted: try again soon.
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      if (this.#conns.size >= MAX_CONNECTIONS) {
        // Full: the connection that has waited longest without a request makes room, else
        // the new one is refused (a page's streams are never dropped for a stranger).
        const [oldest] = this.#waiting;
        if (oldest === undefined) {
          closeQuietly(conn);
          continue;
        }
        this.#drop(oldest);
      }
      this.#conns.add(conn);
      this.#serve(conn).catch(() => {}).finally(() => {
        if (!this.#isStream(conn)) this.#drop(conn);
      });
    }
  }

  #isStream(conn: Deno.Conn): boolean {
    for (const sink of this.#sinks) if (sink.conn === conn) return true;
    return false;
  }

  #drop(conn: Deno.Conn): void {
    this.#conns.delete(conn);
    this.#waiting.delete(conn);
    closeQuietly(conn);
  }

  /** Reads one request head and answers it. */
  async #serve(conn: Deno.Conn): Promise<void> {
    this.#waiting.add(conn);
    const head = await readHead(conn);
    this.#waiting.delete(conn);
    if (typeof head === "number") {
      if (head > 0) await writeAll(conn, plain({ status: head, body: "Bad request\n" }));
      return;
    }
    const answer = this.#route(head);
    if (answer === "stream") {
      const sink: Sink = { conn, queued: 0, chain: Promise.resolve(), closed: false };
      this.#sinks.add(sink);
      this.#send(sink, encoder.encode(responseHead(200, "text/event-stream")));
      this.#openStream(sink);
      return;
    }
    await writeAll(conn, plain(answer));
    await drain(conn);
  }

  /** The answer to a request head: the Host first, then the method, then the path. */
  #route(head: string): Plain | "stream" {
    const [requestLine, ...fields] = head.split("\r\n");
    const request = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/1\.[01]$/.exec(requestLine);
    if (!request) return { status: 400, body: "Bad request\n" };
    const hosts: string[] = [];
    for (const field of fields) {
      const colon = field.indexOf(":");
      if (colon <= 0) return { status: 400, body: "Bad request\n" };
      if (field.slice(0, colon).toLowerCase() === "host") hosts.push(field.slice(colon + 1).trim());
    }
    // Compared as text: nothing a client sends is parsed as a URL.
    if (hosts.length !== 1 || hosts[0] !== `127.0.0.1:${this.#port}`) {
      return { status: 403, body: "Wrong Host header\n" };
    }
    if (request[1] !== "GET") return { status: 405, body: "Method not allowed\n" };
    const path = request[2].split("?")[0];
    const token = this.#token;
    if (path === `/${token}/`) {
      this.#loading++;
      return { status: 200, body: this.#html, type: "text/html; charset=utf-8" };
    }
    if (path === `/${token}/events`) {
      this.#loading = Math.max(0, this.#loading - 1);
      // A page that opens on a finished run gets the end at once and asks nothing more.
      if (this.#end === undefined) this.#unready++;
      return "stream";
    }
    if (path === `/${token}/ready`) {
      // A page has drawn itself: `--open` starts training.
      this.#pageReady = true;
      this.#unready = Math.max(0, this.#unready - 1);
      for (const resolve of this.#onPage.splice(0)) resolve();
      return { status: 204 };
    }
    return { status: 404, body: "Not found\n" };
  }

  /** Queues `bytes` for a page; a page that has too much waiting is dropped. */
  #send(sink: Sink, bytes: Uint8Array): void {
    if (sink.closed) return;
    if (sink.queued + bytes.length > MAX_QUEUED_BYTES) {
      this.#closeSink(sink);
      return;
    }
    sink.queued += bytes.length;
    sink.chain = sink.chain.then(async () => {
      if (sink.closed) return;
      try {
        await writeAll(sink.conn, bytes);
      } catch {
        this.#closeSink(sink);
      }
      sink.queued -= bytes.length;
    });
  }

  /** Closes a page's stream once what is queued for it is written. */
  #endSink(sink: Sink): void {
    sink.chain = sink.chain.then(() => this.#closeSink(sink));
  }

  #closeSink(sink: Sink): void {
    if (sink.closed) return;
    sink.closed = true;
    this.#streams.delete(sink);
    this.#sinks.delete(sink);
    this.#drop(sink.conn);
  }

  /** A new page's event stream: the run so far, then each message as it comes. */
  #openStream(sink: Sink): void {
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
    if (first.length > 0) this.#send(sink, event(first));
    if (this.#end) this.#endSink(sink);
    else this.#streams.add(sink);
  }

  #broadcast(messages: PageMessage[]): void {
    if (this.#streams.size === 0) return;
    const bytes = event(messages);
    for (const sink of this.#streams) this.#send(sink, bytes);
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
    for (const sink of this.#streams) this.#endSink(sink);
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
    // What is queued for the pages is written before the port closes (a page that reads
    // nothing is given up at the end of the grace).
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all([...this.#sinks].map((sink) => sink.chain)),
      new Promise((resolve) => {
        timer = setTimeout(resolve, Math.max(0, until - performance.now()) + 1000);
      }),
    ]);
    clearTimeout(timer);
    for (const sink of this.#sinks) this.#closeSink(sink);
    this.#closed = true;
    closeQuietly(this.#listener);
    await this.#accepting;
    for (const conn of this.#conns) this.#drop(conn);
  }
}

/** Closes a connection or a listener that may be closed already. */
function closeQuietly(c: { close(): void }): void {
  try {
    c.close();
  } catch {
    // Closed already.
  }
}

/**
 * Ends a connection gently: no more writes, then what the client still
 * sends (a body nobody asked for) is read and dropped for a moment, so that
 * closing does not reset the connection before the client has read the answer.
 */
async function drain(conn: Deno.Conn): Promise<void> {
  const timer = setTimeout(() => closeQuietly(conn), 500);
  try {
    await conn.closeWrite();
    const buf = new Uint8Array(4096);
    for (let total = 0; total < 65536;) {
      const n = await conn.read(buf);
      if (n === null) break;
      total += n;
    }
  } catch {
    // Closed, or reset: either way it is over.
  } finally {
    clearTimeout(timer);
  }
}

/** Writes all of `bytes` to `conn`. */
async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await conn.write(bytes.subarray(off));
}

/**
 * Reads a request head (up to the blank line), or a status to answer
 * instead: 431 when it is too long, 0 (close without a word) when the
 * client goes away or sends nothing for {@linkcode HEAD_TIMEOUT_MS}.
 */
async function readHead(conn: Deno.Conn): Promise<string | number> {
  const buf = new Uint8Array(MAX_HEAD_BYTES);
  let used = 0;
  // A client that sends nothing (or too slowly) loses its connection.
  const timer = setTimeout(() => closeQuietly(conn), HEAD_TIMEOUT_MS);
  try {
    while (true) {
      if (used === buf.length) return 431;
      let n: number | null;
      try {
        n = await conn.read(buf.subarray(used));
      } catch {
        return 0;
      }
      if (n === null) return 0;
      const from = Math.max(0, used - 3);
      used += n;
      for (let i = from; i + 3 < used; i++) {
        if (buf[i] === 13 && buf[i + 1] === 10 && buf[i + 2] === 13 && buf[i + 3] === 10) {
          // Headers are ASCII; anything else is read as Latin-1, so it compares unequal.
          return String.fromCharCode(...buf.subarray(0, i));
        }
      }
    }
  } finally {
    clearTimeout(timer);
  }
}

const SECURITY_HEADERS = "cache-control: no-store\r\nx-content-type-options: nosniff\r\n" +
  "referrer-policy: no-referrer\r\n";

/** A response's status line and headers (the connection closes after the body). */
function responseHead(status: number, type?: string, length?: number): string {
  return `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? ""}\r\n${SECURITY_HEADERS}${
    type ? `content-type: ${type}\r\n` : ""
  }${length !== undefined ? `content-length: ${length}\r\n` : ""}connection: close\r\n\r\n`;
}

/** A whole response. */
function plain(answer: Plain): Uint8Array {
  const body = encoder.encode(answer.body ?? "");
  const head = encoder.encode(
    responseHead(
      answer.status,
      answer.body ? answer.type ?? "text/plain; charset=utf-8" : undefined,
      body.length,
    ),
  );
  const bytes = new Uint8Array(head.length + body.length);
  bytes.set(head);
  bytes.set(body, head.length);
  return bytes;
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
