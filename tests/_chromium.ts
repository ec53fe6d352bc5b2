/**
 * Headless Chromium for tests, driven by `npm:puppeteer-core` (only tests
 * import it, so the CLI never downloads it) with Debian's `/usr/bin/chromium`.
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
// Imported by version here, not through deno.json's import map, and kept out of deno.lock (the
// test and check tasks run with --no-lock): Deno installs every npm package of the lockfile on a
// first run, and the CLI's first run must not download a browser driver.
// deno-lint-ignore no-import-prefix
import puppeteer, { type Browser, type Page } from "npm:puppeteer-core@^24.31.0";

/** Options for {@linkcode openPage}. */
export interface OpenPageOptions {
  /**
   * The folder in which the browser's temporary profile is made.
   * @default {the system's temporary folder}
   */
  profileParent?: string;
  /**
   * How long launching, loading the page and each command may take.
   * @default {30000}
   */
  timeoutMs?: number;
  /**
   * The viewport's size in CSS pixels.
   * @default {{ width: 1280, height: 900 }}
   */
  viewport?: { width: number; height: number };
}

/** A page open in its own headless Chromium, closed by {@linkcode BrowserPage.close}. */
export interface BrowserPage {
  /** Errors so far: `console.error`, uncaught exceptions and error log entries, of the page and its workers. */
  readonly consoleErrors: string[];
  /**
   * The URL of every request the page and its workers made, in order. On http pages this includes
   * the browser's own `/favicon.ico` request unless the page has `<link rel="icon" href="data:,">`.
   */
  readonly requests: string[];
  /** The puppeteer page, for what the helpers here do not cover. */
  readonly page: Page;
  /** Evaluates `expression` in the page, awaits it if it is a promise and returns its value as JSON. */
  evaluate<T = unknown>(expression: string): Promise<T>;
  /** Polls `expression` until it is truthy and returns its value; throws after `timeoutMs`. */
  waitFor<T = unknown>(expression: string, timeoutMs?: number): Promise<T>;
  /** Writes a PNG screenshot of the page's viewport (or, with `fullPage`, all of it) to `path`. */
  screenshot(path: string, options?: { fullPage?: boolean }): Promise<void>;
  /** Closes the browser and removes its temporary profile. */
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

/**
 * Whether the browser tests are ignored: Chromium is missing and this is not
 * CI. A user's `deno task test` then reports them as ignored; CI installs
 * Chromium (`.ci/run`), so there they run, and fail if it is missing.
 */
export const IGNORE_BROWSER_TESTS: boolean = chromiumPath() === null && !Deno.env.get("CI");

const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Launches headless Chromium on a fresh profile, opens `url` and resolves once its load event fired. */
export async function openPage(url: string, options: OpenPageOptions = {}): Promise<BrowserPage> {
  const executablePath = chromiumPath();
  if (executablePath === null) {
    throw new Error(
      "Cannot open a page as Chromium is not installed: run `apt-get install chromium`",
    );
  }
  const timeout = options.timeoutMs ?? 30_000;
  const profile = await Deno.makeTempDir({
    dir: options.profileParent,
    prefix: "denograd_chromium_",
  });
  let browser: Browser | undefined;
  try {
    browser = await puppeteer.launch({
      executablePath,
      headless: true,
      args: FLAGS,
      userDataDir: profile,
      timeout,
      protocolTimeout: timeout,
      defaultViewport: options.viewport ?? { width: 1280, height: 900 },
    });
    const page = (await browser.pages())[0] ?? await browser.newPage();
    const driver = new PuppeteerPage(browser, page, profile, timeout);
    const response = await page.goto(url, { waitUntil: "load", timeout }).catch((error) => {
      throw new Error(`Cannot open ${url}: ${(error as Error).message}`);
    });
    if (response && !response.ok() && !url.startsWith("data:") && !url.startsWith("file:")) {
      throw new Error(`Cannot open ${url}: HTTP ${response.status()}`);
    }
    return driver;
  } catch (error) {
    await browser?.close().catch(() => {});
    await Deno.remove(profile, { recursive: true }).catch(() => {});
    throw error;
  }
}

class PuppeteerPage implements BrowserPage {
  readonly consoleErrors: string[] = [];
  readonly requests: string[] = [];
  readonly page: Page;
  #browser: Browser;
  #profile: string;
  #timeout: number;
  #closed = false;

  constructor(browser: Browser, page: Page, profile: string, timeout: number) {
    this.#browser = browser;
    this.page = page;
    this.#profile = profile;
    this.#timeout = timeout;
    page.on("console", (m) => {
      if (m.type() === "error") this.consoleErrors.push(m.text());
    });
    page.on("pageerror", (e) => this.consoleErrors.push(String((e as Error)?.message ?? e)));
    page.on("request", (r) => this.requests.push(r.url()));
    page.on("workercreated", (worker) => {
      this.requests.push(worker.url());
      worker.on("console", (m) => {
        if (m.type() === "error") this.consoleErrors.push(m.text());
      });
    });
  }

  async evaluate<T = unknown>(expression: string): Promise<T> {
    return await this.page.evaluate(expression) as T;
  }

  async waitFor<T = unknown>(expression: string, timeoutMs = this.#timeout): Promise<T> {
    const end = performance.now() + timeoutMs;
    while (true) {
      const value = await this.evaluate<T>(expression);
      if (value) return value;
      if (performance.now() > end) {
        throw new Error(`Waited ${timeoutMs} ms for ${expression.slice(0, 80)}`);
      }
      await sleep(50);
    }
  }

  async screenshot(path: string, options: { fullPage?: boolean } = {}): Promise<void> {
    const bytes = await this.page.screenshot({ type: "png", fullPage: options.fullPage ?? false });
    await Deno.writeFile(path, bytes);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#browser.close().catch(() => {});
    await Deno.remove(this.#profile, { recursive: true }).catch(() => {});
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** A page expression: the pixels of the canvas with id `id`, as one array. */
export function canvasPixels(id: string): string {
  return `Array.from(document.getElementById("${id}").getContext("2d").getImageData(0, 0,
    document.getElementById("${id}").width, document.getElementById("${id}").height).data)`;
}

/**
 * A page expression: moves the timeline to moment `i` (the position of its
 * tick) as a user would, and waits for the redraw.
 */
export function moveTimeline(i: number): string {
  return `new Promise((resolve) => {
    const s = document.getElementById("timeline");
    s.value = s.list?.options[${i}]?.value ?? String(${i});
    s.dispatchEvent(new Event("input", { bubbles: true }));
    requestAnimationFrame(() => requestAnimationFrame(() => resolve(s.value)));
  })`;
}
