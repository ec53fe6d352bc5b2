/**
 * Reads the text of Chart.js's UMD bundle from the `chart.js` npm package,
 * to inline it in reports. The package does not export the file, so its
 * path is found beside the package's CommonJS entry in Deno's npm cache;
 * that needs read access to the cache.
 *
 * @module
 */
import { createRequire } from "node:module";
// Loading the package puts it in the module graph, so Deno installs it.
import "chart.js";

let cached: string | undefined;

/** The UMD bundle's text (`chart.umd.min.js`), read once. */
export async function loadChartJs(): Promise<string> {
  if (cached !== undefined) return cached;
  // Run by URL, this module is no file: resolve from the working folder instead.
  const from = import.meta.url.startsWith("file:") ? import.meta.url : `file://${Deno.cwd()}/`;
  const require = createRequire(from);
  const entry = require.resolve("chart.js");
  const umd = entry.replace(/[^\\/]+$/, "chart.umd.min.js");
  try {
    cached = await Deno.readTextFile(umd);
  } catch (error) {
    throw new Error(`Cannot read Chart.js from ${umd}: ${(error as Error).message}`);
  }
  return cached;
}
