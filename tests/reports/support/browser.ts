import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** Debian's Chromium by default; `GAUNTLET_CHROMIUM` points elsewhere (e.g. /usr/bin/google-chrome on GitHub's runners). */
export const CHROMIUM = process.env.GAUNTLET_CHROMIUM || "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Chromium driven by playwright-core, sandbox and background traffic off. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install it with 'apt-get update && apt-get install -y chromium', or set GAUNTLET_CHROMIUM to a Chromium or Chrome binary`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}
