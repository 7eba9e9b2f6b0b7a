import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';

import { buildRestApp } from '../buildRestApp.js';
import { consoleHandlers } from '../handlers/console.js';
import type { RestContext } from '../RestContext.js';
import { ROUTES } from '../routeTable.js';
import { consoleTarget } from './consolePath.js';
import { CONSOLE_CSP } from './securityHeaders.js';

const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

function appFor(consoleDir: string | undefined): Promise<FastifyInstance> {
  const ctx = { config: { server: { rest: { addr: ':0' } }, auth: { jwt: { realm: 'Dragonfly' } } }, logger: silent, consoleDir } as unknown as RestContext;
  return buildRestApp(ctx, { routes: ROUTES.filter((r) => r.id.startsWith('console.')), handlers: consoleHandlers });
}

describe('console path classification', () => {
  const dir = '/srv/console';
  const files = new Set(['/srv/console/index.html', '/srv/console/assets/app-1.js']);
  const target = (rel: string) => consoleTarget(dir, rel, (f) => files.has(f));

  it('keeps API paths away from the console, in any case and with extra slashes', () => {
    for (const rel of ['api/v1/users/x/y', 'API/v1/users', '/api/v1/users', 'oapi/v1/jobs/1/x', 'healthy/x', 'Api']) expect(target(rel), rel).toEqual({ kind: 'api' });
  });

  it('serves existing files, the app for client-side routes, and 404 for missing files or escapes', () => {
    expect(target('assets/app-1.js')).toEqual({ kind: 'file', file: '/srv/console/assets/app-1.js' });
    expect(target('clusters/3')).toEqual({ kind: 'app' });
    expect(target('')).toEqual({ kind: 'app' });
    expect(target('assets/missing.js')).toEqual({ kind: 'missing' });
    expect(target('../etc/passwd')).toEqual({ kind: 'missing' });
    expect(target('assets/..\\..\\x')).toEqual({ kind: 'missing' });
    expect(target('a\0b')).toEqual({ kind: 'missing' });
  });
});

describe('console serving', () => {
  let app: FastifyInstance;
  let bare: FastifyInstance;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'd7y-console-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(dir, 'assets', 'app-1.js'), 'console.log(1)');
    writeFileSync(join(dir, '..', 'secret.txt'), 'secret');
    app = await appFor(dir);
    bare = await appFor(undefined);
  });
  afterAll(async () => {
    await app.close();
    await bare.close();
  });

  it('serves index.html at / and for client-side routes, with a strict CSP and no caching', async () => {
    for (const url of ['/', '/clusters/3', '/jobs/preheat/new']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toContain('id="root"');
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['content-security-policy']).toBe(CONSOLE_CSP);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['x-frame-options']).toBe('DENY');
    }
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).not.toContain('unsafe');
  });

  it('serves hashed assets with their type and a long cache life', async () => {
    const res = await app.inject({ method: 'GET', url: '/assets/app-1.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/javascript/);
    expect(res.headers['cache-control']).toContain('immutable');
  });

  it('answers JSON 404 for unknown API paths and missing files, and never leaves the directory', async () => {
    for (const url of ['/api/v1/nothing', '/API/v1/users', '/oapi/v1/x/y', '/assets/missing.js', '/..%2Fsecret.txt', '/assets/..%2F..%2Fsecret.txt']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json(), url).toMatchObject({ code: 'D7Y_ERR_NOT_FOUND' });
    }
  });

  it('explains how to build the console when it is not built', async () => {
    const res = await bare.inject({ method: 'GET', url: '/overview' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build');
    expect((await bare.inject({ method: 'GET', url: '/api/v1/x' })).statusCode).toBe(404);
  });
});
