/**
 * Builds the Fastify application of the manager's REST server from the route table: every declared route
 * with its access rule and handler, the access guard, the audit hook, JSON errors and a JSON 404. The app is
 * returned unstarted (tests use `inject()`, or register an extra route to prove default deny).
 */
import { readFileSync } from 'node:fs';

import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';

import { createError, ErrorCodes } from '../../common/errors.js';
import { traceparentOf } from '../../common/tracing/Tracing.js';
import { auditHook } from './auditHook.js';
import './fastifyTypes.js';
import { accessGuard } from './guard.js';
import { HANDLERS } from './handlers/index.js';
import { sendError } from './httpErrors.js';
import type { RestContext, RouteHandler } from './RestContext.js';
import { ROUTES, type RouteDeclaration } from './routeTable.js';
import { schedulerListHook } from './schedulerListHook.js';

/** Largest accepted request body. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Options of {@link buildRestApp}. */
export interface BuildRestAppOptions {
  /** Routes and handlers; default the route table and its handlers (tests may pass a smaller table). */
  readonly routes?: readonly RouteDeclaration[];
  readonly handlers?: Readonly<Record<string, RouteHandler>>;
}

/** The Fastify app, not yet listening. */
export async function buildRestApp(ctx: RestContext, options: BuildRestAppOptions = {}): Promise<FastifyInstance> {
  const routes = options.routes ?? ROUTES;
  const handlers = options.handlers ?? (HANDLERS as Readonly<Record<string, RouteHandler>>);
  const tls = ctx.config.server.rest.tls;
  const app = Fastify({
    logger: false,
    bodyLimit: MAX_BODY_BYTES,
    routerOptions: { maxParamLength: 256 },
    return503OnClosing: true,
    ...(tls ? { https: { cert: readFileSync(tls.cert), key: readFileSync(tls.key) } } : {}),
  }) as unknown as FastifyInstance;

  await app.register(fastifyCookie);
  app.decorateRequest('principal', undefined);
  app.decorateRequest('auditActorName', undefined);
  app.decorateRequest('span', undefined);
  if (ctx.tracing?.enabled) {
    const tracing = ctx.tracing;
    app.addHook('onRequest', async (request) => {
      const route = request.routeOptions.url ?? request.url.split('?', 1)[0];
      request.span = tracing.startSpan(`manager.REST ${request.method} ${route}`, traceparentOf(request.headers), { 'http.request.method': request.method, 'http.route': route }, 'server');
    });
    app.addHook('onResponse', async (request, reply) => {
      request.span?.set({ 'http.response.status_code': reply.statusCode });
      request.span?.end(reply.statusCode >= 500 ? `status ${reply.statusCode}` : undefined);
    });
  }
  app.addHook('onRequest', accessGuard(ctx));
  app.addHook('onResponse', auditHook(ctx));
  app.addHook('onSend', schedulerListHook(ctx));
  app.setErrorHandler((error, request, reply) => sendError(ctx.logger, request, reply, error));
  app.setNotFoundHandler((request, reply) => sendError(ctx.logger, request, reply, createError(ErrorCodes.NOT_FOUND, `no route ${request.method} ${request.url.split('?', 1)[0]}`)));

  for (const route of routes) {
    const handler = handlers[route.id];
    if (handler === undefined) throw createError(ErrorCodes.INTERNAL, `route ${route.id} has no handler`);
    app.route({
      method: route.method,
      url: route.url,
      config: { access: route.access, routeId: route.id },
      handler: async (request, reply) => {
        const body = await handler(ctx, request, reply);
        return reply.sent ? reply : reply.send(body ?? {});
      },
    });
  }
  return app;
}
