/**
 * Helpers of the console's browser tests: a `d7y manager` process with a known root password whose REST
 * port serves the console, signing in through the UI, screenshots, and checks that no credential reached
 * script-readable storage.
 */
import { join } from 'node:path';

import type { Page } from 'playwright-core';

import { SCREENSHOTS } from './browser.js';
import { ManagerProcess } from './managerProcess.js';

/** Root's password in these tests. */
export const CONSOLE_ROOT_PASSWORD = 'console-Root-pw-42';

/** A started manager and the console's base URL. */
export interface ConsoleManager {
  manager: ManagerProcess;
  base: string;
}

/** Starts a manager (SQLite unless `database` is given) and waits until its REST port answers `/healthy`. */
export async function startConsoleManager(name: string, database?: Record<string, unknown>): Promise<ConsoleManager> {
  const manager = await ManagerProcess.create(name, database);
  await manager.start(60_000, { DRAGONFLY_INITIAL_ROOT_PASSWORD: CONSOLE_ROOT_PASSWORD });
  const base = `http://127.0.0.1:${manager.restPort}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ok = await fetch(`${base}/healthy`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`manager REST did not answer /healthy:\n${manager.log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { manager, base };
}

/** Signs in through the sign-in form and waits for the overview. */
export async function signIn(page: Page, base: string, name: string, password: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
}

/** Writes `test/.tmp/screenshots/<name>.png` (full page). */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** What scripts of the page can read: both web storages and `document.cookie`. */
export async function scriptReadableState(page: Page): Promise<{ local: number; session: number; cookie: string }> {
  return page.evaluate(() => ({ local: localStorage.length, session: sessionStorage.length, cookie: document.cookie }));
}

/** Collects console errors and CSP violations of a page. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource: the server responded with a status of (401|403|404)/.test(message.text())) errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  return errors;
}
