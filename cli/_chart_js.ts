/**
 * Reads the text of Chart.js's UMD bundle from the `chart.js` npm package,
 * to inline it in reports. The package does not export the file, so its
 * path is found beside the package's entry in Deno's npm cache (as Deno's
 * resolver names it, else as Node's does); that needs read access to the
 * cache. The package is loaded (so that Deno
 * installs it) only when it is not there yet.
 *
 * @module
 */
let cached: Promise<string> | undefined;

/** Gives {@linkcode loadChartJs}'s text, read elsewhere (a sweep's main thread reads it for its workers). */
export function primeChartJs(text: Promise<string>): void {
  cached = text;
}

/** The UMD bundle's text (`chart.umd.min.js`), read once. */
export function loadChartJs(): Promise<string> {
  cached ??= readChartJs();
  return cached;
}

async function readChartJs(): Promise<string> {
  // Deno's resolver names the package's entry (`dist/chart.js`, beside the UMD bundle) at no
  // cost; Node's module layer, below, costs a thread some 30 ms to start. The resolver names a
  // file even when the package is not installed, so a file that cannot be read falls through.
  try {
    const entry = import.meta.resolve("chart.js");
    if (/^file:.*\/dist\/[^/]+$/.test(entry)) {
      return await Deno.readTextFile(new URL("chart.umd.min.js", entry));
    }
  } catch {
    // Not there: found and installed below.
  }
  // Run by URL, this module is no file: resolve from the working folder instead.
  const from = import.meta.url.startsWith("file:") ? import.meta.url : `file://${Deno.cwd()}/`;
  // Loaded here, not at the top: only when the resolver did not serve.
  const { createRequire } = await import("node:module");
  const require = createRequire(from);
  let entry: string;
  try {
    entry = require.resolve("chart.js");
  } catch {
    // Not installed yet: loading the package makes Deno install it. Only then, as
    // evaluating Chart.js costs each thread (a sweep's every worker) some 50 ms.
    await import("chart.js");
    entry = require.resolve("chart.js");
  }
  const umd = entry.replace(/[^\\/]+$/, "chart.umd.min.js");
  try {
    return await Deno.readTextFile(umd);
  } catch (error) {
    throw new Error(`Cannot read Chart.js from ${umd}: ${(error as Error).message}`);
  }
}
