/**
 * Makes docs/img/stepper.png: the stepper on a 2-16-16-1 model, a few steps
 * into the backward sweep. With `--all`, also writes desktop and phone shots,
 * light and dark, into a temporary folder for review, and prints its path.
 *
 * ```sh
 * deno run -A --no-lock tests/_stepper_screenshots.ts [--all]
 * ```
 *
 * @module
 */
import { Mlp } from "../mod.ts";
import { openPage } from "./_chromium.ts";
import { ROOT } from "./_cli.ts";
import { stepperPage } from "./_stepper_page.ts";

const dir = await Deno.makeTempDir({ prefix: "denograd_stepper_shots_" });
const model = new Mlp(2, [16, 16, 1], { seed: 1 });
const html = `${dir}/stepper.html`;
await Deno.writeTextFile(html, await stepperPage({ model: model.toJSON(), point: [0.5, -0.5] }));

async function shoot(
  file: string,
  viewport: { width: number; height: number; isMobile?: boolean },
  dark: boolean,
): Promise<void> {
  const page = await openPage(`file://${html}`, { viewport });
  try {
    if (viewport.isMobile) {
      await page.page.setViewport({ ...viewport, hasTouch: true, deviceScaleFactor: 2 });
    }
    await page.page.emulateMediaFeatures([
      { name: "prefers-color-scheme", value: dark ? "dark" : "light" },
    ]);
    await page.evaluate(`document.getElementById("edit-weight").hidden = true`);
    await page.evaluate(`document.querySelector('[data-action="run-forward"]').click()`);
    // The 5th step: a product passes grads to both factors, one of them used 16 times.
    for (let i = 0; i < 5; i++) {
      await page.evaluate(`document.querySelector('[data-action="backward-step"]').click()`);
    }
    await new Promise((r) => setTimeout(r, 200));
    await page.screenshot(file);
    if (page.consoleErrors.length > 0) throw new Error(page.consoleErrors.join("\n"));
  } finally {
    await page.close();
  }
}

await shoot(`${ROOT}/docs/img/stepper.png`, { width: 1000, height: 820 }, false);
if (Deno.args.includes("--all")) {
  await shoot(`${dir}/desktop_light.png`, { width: 1440, height: 900 }, false);
  await shoot(`${dir}/desktop_dark.png`, { width: 1440, height: 900 }, true);
  await shoot(`${dir}/phone_light.png`, { width: 390, height: 844, isMobile: true }, false);
  await shoot(`${dir}/phone_dark.png`, { width: 390, height: 844, isMobile: true }, true);
  console.log(dir);
} else {
  await Deno.remove(dir, { recursive: true });
}
