/**
 * The console is only a client of the REST API, so it must behave the same whatever database the manager runs
 * on. For PostgreSQL and MariaDB (SQLite is covered by console.test.ts) a manager starts on a fresh database,
 * root signs in through the browser, creates a cluster with scopes, finds it in the list, creates a personal
 * access token that works against the open API and revokes it. Skipped loudly when the server is not set up
 * (scripts/test.sh starts both).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';

import { launchChromium } from '../helpers/browser.js';
import { CONSOLE_ROOT_PASSWORD, type ConsoleManager, signIn, startConsoleManager, watchErrors } from '../helpers/consoleKit.js';
import { DB_TARGETS, warnSkipped } from '../helpers/managerDb.js';

const SERVER_TARGETS = DB_TARGETS.filter((target) => target.dialect !== 'sqlite');

describe('web console on database servers (Chromium)', () => {
  let browser: Browser;

  beforeAll(async () => {
    if (SERVER_TARGETS.every((target) => target.missing)) return;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  for (const target of SERVER_TARGETS) {
    warnSkipped(target, 'console');
    describe.skipIf(target.missing)(`manager on ${target.dialect}`, () => {
      let cm: ConsoleManager;
      let cleanup: () => Promise<void> = async () => undefined;

      beforeAll(async () => {
        const fresh = await target.fresh();
        cleanup = fresh.cleanup;
        cm = await startConsoleManager(`console-${target.dialect}`, { type: target.dialect, [target.dialect]: fresh.config });
      });

      afterAll(async () => {
        await cm?.manager.stop().catch(() => undefined);
        await cleanup().catch(() => undefined);
      });

      it('signs in, creates a cluster with scopes, lists it, and creates and revokes a token', async () => {
        const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
        const page = await context.newPage();
        const errors = watchErrors(page);
        try {
          await signIn(page, cm.base, 'root', CONSOLE_ROOT_PASSWORD);

          const name = `db-${target.dialect}`;
          await page.getByRole('link', { name: 'Clusters', exact: true }).click();
          await page.getByTestId('create-cluster').click();
          await page.getByLabel('Name', { exact: true }).fill(name);
          await page.getByLabel('IDC', { exact: true }).fill(`idc-${target.dialect}`);
          await page.getByLabel('CIDRs').fill('10.20.0.0/16');
          await page.getByRole('button', { name: 'Create cluster' }).click();
          await page.getByRole('heading', { name }).waitFor();
          const clusterId = Number(/\/clusters\/(\d+)$/.exec(page.url())![1]);
          const saved = await (await page.request.get(`${cm.base}/api/v1/clusters/${clusterId}`)).json();
          expect(saved).toMatchObject({ name, scopes: { idc: `idc-${target.dialect}`, cidrs: ['10.20.0.0/16'] } });
          await page.getByRole('link', { name: 'Clusters', exact: true }).click();
          await page.getByTestId('clusters-table').getByText(name).waitFor();

          await page.getByRole('link', { name: 'Access tokens' }).click();
          await page.getByLabel('Name', { exact: true }).fill(`ci-${target.dialect}`);
          await page.getByRole('checkbox', { name: /cluster/ }).check();
          await page.getByRole('button', { name: 'Create token' }).click();
          const value = (await page.getByTestId('new-token-value').textContent())!.trim();
          const withToken = () => fetch(`${cm.base}/oapi/v1/clusters`, { headers: { authorization: `Bearer ${value}` } }).then((r) => r.status);
          expect(await withToken()).toBe(200);
          await page.getByRole('button', { name: 'I have copied it' }).click();
          await page.getByTestId('tokens-table').getByRole('button', { name: 'Revoke' }).click();
          await page.getByRole('button', { name: 'Yes, revoke' }).click();
          await page.getByText('No tokens yet.').waitFor();
          expect(await withToken()).toBe(401);
          expect(errors).toEqual([]);
        } finally {
          await context.close();
        }
      });
    });
  }
});
