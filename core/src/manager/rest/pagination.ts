/**
 * Dragonfly's pagination: `page` (from 1) and `per_page` (default 10) query parameters; the list is the JSON
 * body and the position goes in a `Link` header (first/prev/next/last) plus d7y's `X-Total-Count`. Values
 * must be plain decimal integers within bounds; anything else (`-1`, `1e9`, `0x10`, too large) is a 422
 * naming the parameter, never a clamp, so callers learn about the limit.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

import { DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE } from '../models/BaseRecord.js';

export { DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE };

const boundedInt = (max: number, fallback: number) =>
  z
    .string()
    .regex(/^[0-9]{1,9}$/, `expected a whole number from 1 to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(1, `expected a whole number from 1 to ${max}`).max(max, `expected a whole number from 1 to ${max}`))
    .optional()
    .transform((value) => value ?? fallback);

/** The pagination part of a list query. */
export const paginationQuery = {
  page: boundedInt(MAX_PAGE, 1),
  per_page: boundedInt(MAX_PER_PAGE, DEFAULT_PER_PAGE),
};

/** LIMIT and OFFSET of a validated page. */
export function limitOffset(page: number, perPage: number): { limit: number; offset: number } {
  return { limit: perPage, offset: (page - 1) * perPage };
}

/** Sets the `Link` and `X-Total-Count` headers for one page of `total` rows. */
export function setPaginationHeaders(request: FastifyRequest, reply: FastifyReply, page: number, perPage: number, total: number): void {
  const last = Math.max(1, Math.ceil(total / perPage));
  const base = new URL(request.url, 'http://placeholder');
  const link = (p: number, rel: string) => {
    base.searchParams.set('page', String(p));
    base.searchParams.set('per_page', String(perPage));
    return `<${base.pathname}${base.search}>;rel=${rel}`;
  };
  const links = [link(1, 'first')];
  if (page > 1) links.push(link(Math.min(page - 1, last), 'prev'));
  if (page < last) links.push(link(page + 1, 'next'));
  links.push(link(last, 'last'));
  reply.header('Link', links.join(','));
  reply.header('X-Total-Count', String(total));
}
