/**
 * Headless Chromium for the console's browser tests: Debian's package driven by playwright-core
 * (toolchain.md section 6). `launchChromium()` installs the package through scripts/services/chromium.sh when
 * it is missing, and fails with the script's message when it cannot.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { type Browser, chromium } from 'playwright-core';

import { REPO } from './processes.js';

/** The Chromium binary (override with D7Y_CHROMIUM). */
export const CHROMIUM = process.env.D7Y_CHROMIUM ?? '/usr/bin/chromium';

/** Where test runs write screenshots. */
export const SCREENSHOTS = join(REPO, 'test/.tmp/screenshots');

/** Installs Chromium when missing (Debian package; needs root). */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  const install = spawnSync('bash', [join(REPO, 'scripts/services/chromium.sh'), 'install'], { encoding: 'utf8', timeout: 300_000 });
  if (install.status !== 0 || !existsSync(CHROMIUM)) throw new Error(`Chromium missing at ${CHROMIUM} and could not be installed:\n${install.stderr}`);
}

/** Launches headless Chromium with the flags known to work in containers. */
export async function launchChromium(): Promise<Browser> {
  ensureChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}
