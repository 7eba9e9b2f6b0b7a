/**
 * The web console: `GET /` and `GET /*` serve the built single-page app (`@d7y/console`, directory
 * `ctx.consoleDir`) with a strict Content-Security-Policy. Files under `assets/` carry content hashes and are
 * cached for a year; `index.html` is revalidated on every load. A path that names no file and has no
 * extension is a client-side route and gets `index.html`. API paths that no declared route matched keep the
 * API's JSON 404, so the console never shadows the API.
 */
import { readFile, stat } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { join } from 'node:path';

import type { FastifyReply } from 'fastify';

import { createError, ErrorCodes } from '../../../common/errors.js';
import { consoleTarget } from '../console/consolePath.js';
import { contentTypeOf } from '../console/contentTypes.js';
import { CONSOLE_SECURITY_HEADERS } from '../console/securityHeaders.js';
import type { RestContext, RouteHandler } from '../RestContext.js';

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>d7y console</title><h1>The console is not built</h1><p>Run <code>npm run build</code> in the d7y checkout and restart the manager. The API is available under <code>/api/v1</code>.</p>`;

const isFile = (file: string): boolean => {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
};

async function sendFile(reply: FastifyReply, file: string, cache: string) {
  const body = await readFile(file);
  return reply.headers(CONSOLE_SECURITY_HEADERS).header('cache-control', cache).type(contentTypeOf(file)).send(body);
}

async function sendApp(ctx: RestContext, reply: FastifyReply) {
  if (ctx.consoleDir === undefined || !(await stat(join(ctx.consoleDir, 'index.html')).catch(() => undefined))) {
    return reply.code(503).headers(CONSOLE_SECURITY_HEADERS).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(NOT_BUILT);
  }
  return sendFile(reply, join(ctx.consoleDir, 'index.html'), 'no-cache');
}

const index: RouteHandler = async (ctx, _request, reply) => sendApp(ctx, reply);

const asset: RouteHandler = async (ctx, request, reply) => {
  const rel = (request.params as { '*'?: string })['*'] ?? '';
  const target = consoleTarget(ctx.consoleDir ?? '/nonexistent-console-dir', rel, ctx.consoleDir === undefined ? () => false : isFile);
  switch (target.kind) {
    case 'api':
      throw createError(ErrorCodes.NOT_FOUND, `no route ${request.method} ${request.url.split('?', 1)[0]}`);
    case 'missing':
      throw createError(ErrorCodes.NOT_FOUND, `no console file ${request.url.split('?', 1)[0]}`);
    case 'file':
      return sendFile(reply, target.file, rel.replace(/^\/+/, '').startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    case 'app':
      return sendApp(ctx, reply);
  }
};

/** Handlers of the console routes. */
export const consoleHandlers = {
  'console.index': index,
  'console.asset': asset,
};
