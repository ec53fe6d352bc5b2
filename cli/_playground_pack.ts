/**
 * The playground as a report carries it for its "Open in playground" button:
 * the page (the same bytes in every report) and the run to start from, each
 * gzipped, in base64. The page is packed once per process, or given by a
 * sweep's main thread to its workers, which then never load its bundle.
 *
 * @module
 */
import { scriptJson } from "./report.ts";
import type { PlaygroundSeed } from "./playground.ts";

/** `text` gzipped, in base64. */
export async function gzBase64(text: string): Promise<string> {
  const gz = new Uint8Array(
    await new Response(new Blob([text]).stream().pipeThrough(new CompressionStream("gzip")))
      .arrayBuffer(),
  );
  let out = "";
  for (let i = 0; i < gz.length; i += 0x8000) {
    out += String.fromCharCode(...gz.subarray(i, i + 0x8000));
  }
  return btoa(out);
}

/** The playground last packed, with the Chart.js text it holds. */
export interface PackedPage {
  /** The Chart.js text the page holds. */
  chartJs: string;
  /** The page, gzipped, in base64. */
  gz: string;
}

let packed: Promise<PackedPage> | undefined;

/** The playground page (unseeded, holding `chartJs`), gzipped, in base64; packed once. */
export async function packPlayground(chartJs: string): Promise<string> {
  const last = await packed?.catch(() => undefined);
  if (last?.chartJs === chartJs) return last.gz;
  const page = import("./playground.ts").then(async (m) => ({
    chartJs,
    gz: await gzBase64(m.renderPlayground({ chartJs })),
  }));
  packed = page;
  return (await page).gz;
}

/** Gives {@linkcode packPlayground}'s page, packed elsewhere (by a sweep's main thread). */
export function primePlayground(page: Promise<PackedPage>): void {
  packed = page;
}

/** The text of the playground's `#seed-run` script for `seed`, gzipped, in base64. */
export function packSeed(seed: PlaygroundSeed): Promise<string> {
  return gzBase64(scriptJson(seed));
}
