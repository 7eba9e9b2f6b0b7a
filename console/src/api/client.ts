/**
 * The console's only way to reach the manager: same-origin `fetch` of `/api/v1/...`. The session is the
 * manager's HttpOnly `jwt` cookie, so this module never sees, stores or sends a token itself; tokens that
 * API answers contain (sign-in, a new personal access token) are not kept beyond the component that shows them.
 */
import type { Page } from './types';

/** An API error: the HTTP status and the manager's `{code, message, field}` body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Called on every 401 from an authenticated call (the session ended); set by the session provider. */
let onUnauthenticated: () => void = () => undefined;

/** Registers what to do when a call answers 401 (the session provider signs the user out). */
export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler;
}

/** A readable message for an error body. */
export function errorMessage(status: number, body: unknown, fallback: string): string {
  if (body !== null && typeof body === 'object' && 'message' in body && typeof (body as { message: unknown }).message === 'string') {
    return (body as { message: string }).message;
  }
  if (status === 501) return 'not implemented by this manager yet';
  if (status === 503) return 'the manager is temporarily unavailable; try again';
  return `${fallback} (HTTP ${status})`;
}

/** Query string of defined, non-empty values. */
export function queryString(query: Record<string, string | number | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

async function send(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'cannot reach the manager; check your network and try again');
  }
  if (!response.ok) {
    const parsed = await response.json().catch(() => undefined);
    if (response.status === 401 && !path.endsWith('/users/signin')) onUnauthenticated();
    throw new ApiError(response.status, errorMessage(response.status, parsed, `${method} ${path.split('?')[0]} failed`), parsed?.code, parsed?.field);
  }
  return response;
}

/** Calls the API and returns the JSON body. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await send(method, path, body);
  const text = await response.text();
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/** Lists a page of a collection; the total comes from `X-Total-Count`. */
export async function list<T>(path: string, query: Record<string, string | number | undefined> = {}): Promise<Page<T>> {
  const response = await send('GET', `${path}${queryString(query)}`);
  const items = ((await response.json()) ?? []) as T[];
  const total = Number(response.headers.get('x-total-count') ?? items.length);
  return { items, total: Number.isFinite(total) ? total : items.length };
}

/** Every row of a collection (pages of 1000; stops at `limit` rows). */
export async function listAll<T>(path: string, query: Record<string, string | number | undefined> = {}, limit = 5000): Promise<T[]> {
  const all: T[] = [];
  for (let page = 1; all.length < limit; page++) {
    const { items, total } = await list<T>(path, { ...query, page, per_page: 1000 });
    all.push(...items);
    if (items.length === 0 || all.length >= total) break;
  }
  return all;
}
