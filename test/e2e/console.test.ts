/**
 * The manager's web console in a real browser (Debian's Chromium driven by playwright-core) against real
 * processes: a `d7y manager` on SQLite serving the console, a scheduler and a seed dfdaemon registering in a
 * cluster created through the console, and a Docker distribution registry holding a tiny image pushed with
 * skopeo. Root signs in, creates and edits a cluster, watches the scheduler and seed peer appear, preheats the
 * image and watches the job reach SUCCESS with per-host results, creates a token (shown once) and revokes it;
 * a guest signs up and sees no admin action. Screenshots of the main pages go to test/.tmp/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';

import { launchChromium } from '../helpers/browser.js';
import { CONSOLE_ROOT_PASSWORD, type ConsoleManager, screenshot, scriptReadableState, signIn, startConsoleManager, watchErrors } from '../helpers/consoleKit.js';
import { DaemonProcess, SchedulerProcess } from '../helpers/processes.js';
import { type BuiltImage, buildImage, TestRegistry } from '../helpers/registry.js';

const CLUSTER = 'console-c1';

describe('web console (Chromium)', () => {
  let browser: Browser;
  let root: BrowserContext;
  let page: Page;
  let errors: string[];
  let cm: ConsoleManager;
  let registry: TestRegistry;
  let image: BuiltImage;
  let clusterId: number;
  const processes: Array<{ stop(): Promise<void> }> = [];

  beforeAll(async () => {
    browser = await launchChromium();
    cm = await startConsoleManager('console');
    processes.push(cm.manager);
    registry = await TestRegistry.start();
    processes.push(registry);
    image = buildImage('latest');
    await registry.push(image, 'console/hello');
    root = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    page = await root.newPage();
    errors = watchErrors(page);
  });

  afterAll(async () => {
    await browser?.close();
    for (const p of processes.reverse()) await p.stop().catch(() => undefined);
  });

  it('serves the console at / with a strict Content-Security-Policy, and refuses a wrong password', async () => {
    const response = await page.goto(`${cm.base}/`);
    expect(response?.status()).toBe(200);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    await page.getByRole('heading', { name: 'Sign in to d7y' }).waitFor();
    await screenshot(page, '01-sign-in');
    await page.getByLabel('Name').fill('root');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'incorrect name or password' }).waitFor();
  });

  it('signs root in with an HttpOnly cookie session and keeps nothing in script-readable storage', async () => {
    await signIn(page, cm.base, 'root', CONSOLE_ROOT_PASSWORD);
    expect(await page.getByTestId('current-user').textContent()).toBe('root');
    expect(await scriptReadableState(page)).toEqual({ local: 0, session: 0, cookie: '' });
    const cookies = await root.cookies();
    expect(cookies.find((c) => c.name === 'jwt')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    await page.getByRole('link', { name: 'Users' }).waitFor();
    await screenshot(page, '02-overview-empty');
  });

  it('creates a cluster with scopes and scheduler/client config, then edits it', async () => {
    await page.getByRole('link', { name: 'Clusters', exact: true }).click();
    await page.getByTestId('create-cluster').click();
    await page.getByLabel('Name', { exact: true }).fill(CLUSTER);
    await page.getByLabel('Description').fill('created by the console test');
    await page.getByLabel('IDC', { exact: true }).fill('idc-console');
    await page.getByLabel('Location', { exact: true }).fill('cn|hz');
    await page.getByLabel('CIDRs').fill('10.10.0.0/16\n192.168.7.0/24');
    await page.getByLabel('Hostnames').fill('^console-.*$');
    await page.getByLabel('Candidate parent limit').fill('5');
    await page.getByLabel('Peer load limit', { exact: true }).fill('300');
    await page.getByLabel('CIDRs').fill('not-a-cidr');
    await page.getByRole('button', { name: 'Create cluster' }).click();
    await page.getByText('not a CIDR: not-a-cidr').waitFor();
    await page.getByLabel('CIDRs').fill('10.10.0.0/16\n192.168.7.0/24');
    await screenshot(page, '03-cluster-create');
    await page.getByRole('button', { name: 'Create cluster' }).click();
    await page.getByRole('heading', { name: CLUSTER }).waitFor();
    clusterId = Number(/\/clusters\/(\d+)$/.exec(page.url())![1]);
    expect(clusterId).toBeGreaterThan(1);
    const saved = await (await page.request.get(`${cm.base}/api/v1/clusters/${clusterId}`)).json();
    expect(saved).toMatchObject({
      name: CLUSTER,
      scopes: { idc: 'idc-console', location: 'cn|hz', cidrs: ['10.10.0.0/16', '192.168.7.0/24'], hostnames: ['^console-.*$'] },
      scheduler_cluster_config: { candidate_parent_limit: 5, filter_parent_limit: 15, job_rate_limit: 10 },
      peer_cluster_config: { load_limit: 300 },
      seed_peer_cluster_config: { load_limit: 2000 },
    });

    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByLabel('Job rate limit').fill('25');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: CLUSTER }).waitFor();
    await page.getByText('25', { exact: true }).waitFor();
    expect((await (await page.request.get(`${cm.base}/api/v1/clusters/${clusterId}`)).json()).scheduler_cluster_config.job_rate_limit).toBe(25);

    await page.getByRole('link', { name: 'Clusters', exact: true }).click();
    await page.getByTestId('clusters-table').getByText(CLUSTER).waitFor();
    await screenshot(page, '04-clusters');
  });

  it('shows the scheduler and seed peer of the new cluster as they register, with their details', async () => {
    const cluster = await (await page.request.get(`${cm.base}/api/v1/clusters/${clusterId}`)).json();
    const scheduler = await SchedulerProcess.create('console-sched', {
      manager: { addr: cm.manager.addr, schedulerClusterID: clusterId, keepAlive: { interval: '1s' } },
      dynConfig: { refreshInterval: '2s' },
    });
    processes.push(scheduler);
    await scheduler.start();
    const seed = await DaemonProcess.create('console-seed', {
      manager: { addr: cm.manager.addr },
      host: { schedulerClusterID: clusterId },
      dynconfig: { refreshInterval: '1s' },
      scheduler: { announceInterval: '1s' },
      seedPeer: { enable: true, clusterID: cluster.seed_peer_cluster_id, keepaliveInterval: '1s' },
    });
    processes.push(seed);
    await seed.start();

    await page.goto(`${cm.base}/clusters/${clusterId}`);
    const schedulers = page.getByTestId('cluster-schedulers');
    await schedulers.getByText('console-sched').waitFor({ timeout: 30_000 });
    await schedulers.locator('[data-state="active"]').waitFor({ timeout: 30_000 });
    const seeds = page.getByTestId('cluster-seed-peers');
    await seeds.getByText('console-seed').waitFor({ timeout: 30_000 });
    await seeds.locator('[data-state="active"]').waitFor({ timeout: 30_000 });
    await screenshot(page, '05-cluster-detail');

    await page.getByRole('link', { name: 'Schedulers' }).click();
    await page.getByLabel('State').selectOption('active');
    await page.getByTestId('schedulers-table').getByText('console-sched').click();
    await page.getByRole('heading', { name: 'Scheduler console-sched' }).waitFor();
    await page.getByText(`127.0.0.1:${scheduler.port}`).waitFor();
    await screenshot(page, '06-scheduler-detail');

    await page.getByRole('link', { name: 'Seed peers' }).click();
    await page.getByTestId('seed-peers-table').getByText('console-seed').waitFor();
    await screenshot(page, '07-seed-peers');
    await page.getByLabel('Host name').fill('nobody-here');
    await page.getByText('Nothing matches these filters.').waitFor();

    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByTestId('overview-clusters').getByRole('row', { name: new RegExp(CLUSTER) }).getByText('1 active / 1').first().waitFor();
  });

  it('creates an image preheat against the local registry and watches it reach SUCCESS with per-host results', async () => {
    await page.getByRole('link', { name: 'Preheat & jobs' }).click();
    await page.getByTestId('create-preheat').click();
    const manifest = `${registry.url}/v2/console/hello/manifests/latest`;
    await page.getByLabel('Manifest URL').fill('https://example.com/not-a-manifest');
    await page.getByRole('button', { name: 'Create preheat' }).click();
    await page.getByText('expected an image manifest URL').waitFor();
    await page.getByLabel('Manifest URL').fill(manifest);
    await page.getByLabel('Description').fill('console e2e preheat');
    await page.getByRole('checkbox', { name: CLUSTER }).check();
    await page.getByText('Advanced options').click();
    await page.getByLabel('Platform').fill('linux/amd64');
    await screenshot(page, '08-preheat-form');
    await page.getByRole('button', { name: 'Create preheat' }).click();
    await page.getByRole('heading', { name: /^Job #\d+$/ }).waitFor();
    const jobId = Number(/\/jobs\/(\d+)$/.exec(page.url())![1]);
    await page.getByTestId('job-state').locator('[data-state="SUCCESS"]').waitFor({ timeout: 120_000 });
    const results = page.getByTestId('host-results');
    await results.getByText('console-seed').first().waitFor();
    expect(await results.locator('tr.result-success').count()).toBeGreaterThan(0);
    expect(await results.locator('tr.result-failure').count()).toBe(0);
    await screenshot(page, '09-job-success');

    const job = await (await page.request.get(`${cm.base}/api/v1/jobs/${jobId}`)).json();
    expect(job).toMatchObject({ type: 'preheat', state: 'SUCCESS', args: { type: 'image', url: manifest, platform: 'linux/amd64' } });
    await page.getByRole('link', { name: 'Preheat & jobs' }).click();
    await page.getByTestId('jobs-table').locator('[data-state="SUCCESS"]').first().waitFor();
    await screenshot(page, '10-jobs');
  });

  it('creates a personal access token, shows it once, and revokes it', async () => {
    await page.getByRole('link', { name: 'Access tokens' }).click();
    await page.getByText('No tokens yet.').waitFor();
    await page.getByLabel('Name', { exact: true }).fill('ci-console');
    await page.getByRole('checkbox', { name: /cluster/ }).check();
    await page.getByRole('button', { name: 'Create token' }).click();
    const value = (await page.getByTestId('new-token-value').textContent())!.trim();
    expect(value).toMatch(/^d7y_pat_/);
    expect(await scriptReadableState(page)).toEqual({ local: 0, session: 0, cookie: '' });
    await screenshot(page, '11-token-created');
    const withToken = () => fetch(`${cm.base}/oapi/v1/clusters`, { headers: { authorization: `Bearer ${value}` } }).then((r) => r.status);
    expect(await withToken()).toBe(200);

    await page.getByRole('button', { name: 'I have copied it' }).click();
    await page.reload();
    await page.getByTestId('tokens-table').getByText('ci-console').waitFor();
    expect(await page.content()).not.toContain(value);
    await page.getByTestId('tokens-table').getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('button', { name: 'Yes, revoke' }).click();
    await page.getByText('No tokens yet.').waitFor();
    expect(await withToken()).toBe(401);
  });

  it('lets root manage users, roles and applications', async () => {
    await page.getByRole('link', { name: 'Applications' }).click();
    await page.getByLabel('Name', { exact: true }).fill('registry-app');
    await page.getByLabel('Default priority').fill('3');
    await page.getByLabel('URL priority rules').fill('5 ^http://127\\.0\\.0\\.1');
    await page.getByRole('button', { name: 'Create application' }).click();
    await page.getByTestId('applications-table').getByText('registry-app').waitFor();
    await screenshot(page, '12-applications');
    await page.getByRole('link', { name: 'Roles' }).click();
    await page.getByRole('heading', { name: /guest/ }).waitFor();
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByTestId('users-table').getByText('root', { exact: true }).first().waitFor();
    await screenshot(page, '13-users');
  });

  it('shows a guest no admin action, and the API refuses them too', async () => {
    const guest = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    try {
      const g = await guest.newPage();
      const guestErrors = watchErrors(g);
      await g.goto(`${cm.base}/`);
      await g.getByRole('link', { name: 'Sign up' }).click();
      await g.getByLabel('Name').fill('viewer1');
      await g.getByLabel('Password', { exact: true }).fill('viewer-pw-123');
      await g.getByLabel('Repeat password').fill('viewer-pw-123');
      await g.getByRole('button', { name: 'Sign up' }).click();
      await g.getByRole('heading', { name: 'Overview' }).waitFor();
      expect(await g.getByRole('link', { name: 'Users' }).count()).toBe(0);
      expect(await g.getByRole('link', { name: 'Roles' }).count()).toBe(0);

      await g.getByRole('link', { name: 'Clusters', exact: true }).click();
      await g.getByTestId('clusters-table').getByText(CLUSTER).waitFor();
      expect(await g.getByTestId('create-cluster').count()).toBe(0);
      expect(await g.getByRole('button', { name: 'Delete' }).count()).toBe(0);
      expect(await g.getByRole('link', { name: 'Edit' }).count()).toBe(0);
      await screenshot(g, '14-guest-clusters');
      await g.getByRole('link', { name: 'Preheat & jobs' }).click();
      await g.getByRole('heading', { name: 'Preheat & jobs' }).waitFor();
      expect(await g.getByTestId('create-preheat').count()).toBe(0);
      await g.getByRole('link', { name: 'Access tokens' }).click();
      await g.getByText('Your role cannot create tokens.').waitFor();
      await g.getByRole('link', { name: 'Tasks' }).click();
      await g.getByText('can read jobs but not create them').waitFor();
      expect(await g.getByRole('button', { name: 'Find cached copies' }).count()).toBe(0);
      await g.goto(`${cm.base}/users`);
      await g.getByText('Only root users manage users.').waitFor();
      expect((await g.request.post(`${cm.base}/api/v1/clusters`, { data: { name: 'by-guest' } })).status()).toBe(403);
      expect(guestErrors.filter((e) => !e.includes('403'))).toEqual([]);
    } finally {
      await guest.close();
    }
  });

  it('is usable at phone width: stacked tables, a menu button, no horizontal scrolling', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    try {
      const p = await phone.newPage();
      await signIn(p, cm.base, 'root', CONSOLE_ROOT_PASSWORD);
      await p.getByTestId('overview-clusters').waitFor();
      await screenshot(p, '15-phone-overview');
      expect(await p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
      expect(await p.getByRole('link', { name: 'Clusters', exact: true }).isVisible()).toBe(false);
      await p.getByRole('button', { name: 'Menu' }).click();
      await p.getByRole('link', { name: 'Clusters', exact: true }).click();
      await p.getByTestId('clusters-table').getByText(CLUSTER).waitFor();
      expect(await p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
      await screenshot(p, '16-phone-clusters');
    } finally {
      await phone.close();
    }
  });

  it('signs out: the cookie is cleared and pages ask to sign in again; no script or CSP error on the way', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to d7y' }).waitFor();
    expect((await root.cookies()).find((c) => c.name === 'jwt')).toBeUndefined();
    await page.goto(`${cm.base}/clusters`);
    await page.getByRole('heading', { name: 'Sign in to d7y' }).waitFor();
    expect(errors).toEqual([]);
  });
});
