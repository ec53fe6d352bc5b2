/**
 * The backprop stepper's test page: `tests/fixtures/stepper_page.ts` bundled
 * by `deno bundle` into one HTML file with the stepper's options.
 *
 * @module
 */
import { ROOT } from "./_cli.ts";

/** The stepper's test page, bundled by `deno bundle` from tests/fixtures/stepper_page.ts. */
export async function stepperPage(options: unknown): Promise<string> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform",
      "browser",
      "--format",
      "esm",
      `${ROOT}/tests/fixtures/stepper_page.ts`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!r.success) throw new Error(`deno bundle failed: ${new TextDecoder().decode(r.stderr)}`);
  const js = new TextDecoder().decode(r.stdout).replaceAll("</script", "<\\/script");
  const json = JSON.stringify(options).replaceAll("</", "<\\/");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><link rel="icon" href="data:,">
<title>denograd: backprop stepper</title>
<style>:root{color-scheme:light dark}body{margin:0;padding:12px;font-family:system-ui,sans-serif}
@media (prefers-color-scheme: dark){body{background:#0d1117;color:#e6edf3}}
#card{position:relative;max-width:1000px;margin:auto}
#edit-weight{font:inherit;font-size:13px;margin-bottom:8px}</style></head>
<body><div id="card"><button id="edit-weight" type="button">Edit weight L0.N0.w0</button></div>
<script type="application/json" id="stepper-options">${json}</script>
<script type="module">${js}</script></body></html>`;
}
