/**
 * A small headless-Chromium driver for tests, over the Chrome DevTools
 * Protocol with Deno's built-in `WebSocket` (no npm package).
 *
 * ```ts ignore
 * const page = await openPage("http://127.0.0.1:8000/index.html");
 * try {
 *   assert.equal(await page.evaluate<number>("1 + 1"), 2);
 *   assert.deepEqual(page.consoleErrors, []);
 * } finally {
 *   await page.close();
 * }
 * ```
 *
 * @module
 */

/** Options for {@linkcode openPage}. */
export interface OpenPageOptions {
  /**
   * The folder in which the browser's temporary profile is made.
   * @default {the system's temporary folder}
   */
  profileParent?: string;
  /**
   * How long launching, loading the page and each DevTools command may take.
   * @default {30000}
   */
  timeoutMs?: number;
}

/** A page open in its own headless Chromium, closed by {@linkcode BrowserPage.close}. */
export interface BrowserPage {
  /** Errors so far: `console.error`, uncaught exceptions and error log entries, of the page and its workers. */
  readonly consoleErrors: string[];
  /**
   * The URL of every request the page and its workers made, in order. On http pages this includes
   * the browser's own `/favicon.ico` request (a 404 for it is also a console error) unless the page
   * has `<link rel="icon" href="data:,">`; `serveDirectory` in `_serve.ts` answers it with 204.
   */
  readonly requests: string[];
  /** Evaluates `expression` in the page, awaits it if it is a promise and returns its value as JSON. */
  evaluate<T = unknown>(expression: string): Promise<T>;
  /** Polls `expression` until it is truthy and returns its value; throws after `timeoutMs`. */
  waitFor<T = unknown>(expression: string, timeoutMs?: number): Promise<T>;
  /** Writes a PNG screenshot of the page's viewport to `path`. */
  screenshot(path: string): Promise<void>;
  /** Closes the browser (killing it if it does not quit) and removes its temporary profile. */
  close(): Promise<void>;
  /** The same as {@linkcode BrowserPage.close}, for `await using page = await openPage(url)`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** The path of a Chromium executable, or null when none is installed (`apt-get install chromium`). */
export function chromiumPath(): string | null {
  const candidates = [
    Deno.env.get("CHROMIUM_PATH"),
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
  ];
  for (const path of candidates) {
    if (!path) continue;
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // not there: try the next one
    }
  }
  return null;
}

/** Launches headless Chromium on a fresh profile, opens `url` and resolves once its load event fired. */
export async function openPage(url: string, options: OpenPageOptions = {}): Promise<BrowserPage> {
  const executable = chromiumPath();
  if (executable === null) {
    throw new Error(
      "Cannot open a page as Chromium is not installed: run `apt-get install chromium`",
    );
  }
  const page = new ChromiumPage(executable, options.timeoutMs ?? 30_000, options.profileParent);
  try {
    await page.open(url);
    return page;
  } catch (error) {
    await page.close();
    throw error;
  }
}

// deno-lint-ignore no-explicit-any
type Json = any;
type Pending = { resolve(value: Json): void; reject(error: Error): void };
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--remote-debugging-port=0",
];

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Races `promise` against a timer that rejects with `message`, clearing the timer either way. */
function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

class ChromiumPage implements BrowserPage {
  readonly consoleErrors: string[] = [];
  readonly requests: string[] = [];
  #timeoutMs: number;
  #profile: string;
  #child: Deno.ChildProcess;
  #socket?: WebSocket;
  #session = "";
  #nextId = 1;
  #pending = new Map<number, Pending>();
  #onLoad?: () => void;
  #closed = false;

  constructor(executable: string, timeoutMs: number, profileParent?: string) {
    this.#timeoutMs = timeoutMs;
    this.#profile = Deno.makeTempDirSync({ dir: profileParent, prefix: "denograd_chromium_" });
    const args = [...FLAGS, `--user-data-dir=${this.#profile}`, "about:blank"];
    const io = { stdin: "null", stdout: "null", stderr: "null" } as const;
    this.#child = new Deno.Command(executable, { args, ...io }).spawn();
  }

  async open(url: string): Promise<void> {
    const deadline = Date.now() + this.#timeoutMs;
    let port = "";
    while (!port) {
      if (Date.now() > deadline) throw new Error(`Chromium did not start in ${this.#timeoutMs} ms`);
      port = await Deno.readTextFile(`${this.#profile}/DevToolsActivePort`)
        .then((text) => text.split("\n")[0].trim(), () => sleep(50).then(() => ""));
    }
    const version = await (await fetch(`http://127.0.0.1:${port}/json/version`)).json();
    const socket = this.#socket = new WebSocket(version.webSocketDebuggerUrl);
    socket.onmessage = (event) => this.#receive(JSON.parse(event.data));
    await new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = () => reject(new Error("Cannot connect to Chromium's DevTools socket"));
    });
    const { targetInfos } = await this.#send("Target.getTargets");
    const target = targetInfos.find((info: Json) => info.type === "page");
    const attached = await this.#send("Target.attachToTarget", {
      targetId: target.targetId,
      flatten: true,
    });
    this.#session = attached.sessionId;
    await this.#send("Page.enable", {}, this.#session);
    await this.#watch(this.#session);
    const loaded = new Promise<void>((resolve) => this.#onLoad = resolve);
    const navigation = await this.#send("Page.navigate", { url }, this.#session);
    if (navigation.errorText) throw new Error(`Cannot open ${url}: ${navigation.errorText}`);
    await withTimeout(loaded, this.#timeoutMs, `${url} did not load in ${this.#timeoutMs} ms`);
  }

  async evaluate<T = unknown>(expression: string): Promise<T> {
    const params = { expression, awaitPromise: true, returnByValue: true };
    const { result, exceptionDetails } = await this.#send(
      "Runtime.evaluate",
      params,
      this.#session,
    );
    if (exceptionDetails) {
      throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
    }
    return result.value as T;
  }

  async waitFor<T = unknown>(expression: string, timeoutMs: number = this.#timeoutMs): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const value = await this.evaluate<T>(expression);
      if (value) return value;
      if (Date.now() > deadline) {
        const errors = JSON.stringify(this.consoleErrors);
        throw new Error(`Waited ${timeoutMs} ms for ${expression}; console errors: ${errors}`);
      }
      await sleep(50);
    }
  }

  async screenshot(path: string): Promise<void> {
    const { data } = await this.#send("Page.captureScreenshot", { format: "png" }, this.#session);
    await Deno.writeFile(path, Uint8Array.from(atob(data), (c) => c.charCodeAt(0)));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const entry of this.#pending.values()) entry.reject(new Error("The browser was closed"));
    this.#pending.clear();
    // Ask Chromium to quit so that it reaps its helper processes; kill it if it does not.
    if (this.#socket?.readyState === WebSocket.OPEN) {
      this.#socket.send(JSON.stringify({ id: 0, method: "Browser.close" }));
      await withTimeout(this.#child.status, 5_000, "").catch(() => {});
    }
    this.#socket?.close();
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // already gone
    }
    await this.#child.status;
    await Deno.remove(this.#profile, { recursive: true }).catch(() => {});
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #send(method: string, params: object = {}, sessionId?: string): Promise<Json> {
    const id = this.#nextId++;
    this.#socket!.send(JSON.stringify({ id, method, params, sessionId }));
    const reply = new Promise((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    const message = `DevTools command ${method} took over ${this.#timeoutMs} ms`;
    return withTimeout(reply, this.#timeoutMs, message).finally(() => this.#pending.delete(id));
  }

  /** Reports the errors and requests of a session, and attaches its workers paused until watched too. */
  async #watch(sessionId: string): Promise<void> {
    await Promise.all(
      ["Runtime", "Log", "Network"].map((d) => this.#send(`${d}.enable`, {}, sessionId)),
    );
    const autoAttach = { autoAttach: true, waitForDebuggerOnStart: true, flatten: true };
    await this.#send("Target.setAutoAttach", autoAttach, sessionId);
  }

  #receive(message: Json): void {
    if (message.id !== undefined) {
      const entry = this.#pending.get(message.id);
      if (message.error) entry?.reject(new Error(message.error.message));
      else entry?.resolve(message.result);
      return;
    }
    const p = message.params;
    switch (message.method) {
      case "Runtime.consoleAPICalled":
        if (p.type === "error" || p.type === "assert") {
          this.consoleErrors.push(p.args.map((a: Json) => a.value ?? a.description).join(" "));
        }
        break;
      case "Runtime.exceptionThrown":
        this.consoleErrors.push(
          p.exceptionDetails.exception?.description ?? p.exceptionDetails.text,
        );
        break;
      case "Log.entryAdded":
        if (p.entry.level === "error") {
          this.consoleErrors.push(p.entry.text + (p.entry.url ? ` (${p.entry.url})` : ""));
        }
        break;
      case "Network.requestWillBeSent":
        this.requests.push(p.request.url);
        break;
      case "Target.attachedToTarget":
        this.#watch(p.sessionId).catch(() => {}).finally(() =>
          this.#send("Runtime.runIfWaitingForDebugger", {}, p.sessionId).catch(() => {})
        );
        break;
      case "Page.loadEventFired":
        this.#onLoad?.();
        break;
    }
  }
}
