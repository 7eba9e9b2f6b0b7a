/**
 * `backend.requestHeader`: headers a dfdaemon adds to every back-to-source request (a User-Agent, a token an
 * internal origin expects, ...). A header the download itself carries wins over the configured one.
 */
import type { SourceClient, SourceRequest } from '../plugin-api/index.js';

const wrapped = new WeakMap<SourceClient, SourceClient>();

/** `client` with `defaults` added to its requests; `client` itself when there are none. */
export function withDefaultHeaders(client: SourceClient, defaults: Readonly<Record<string, string>> | undefined): SourceClient {
  if (!defaults || Object.keys(defaults).length === 0) return client;
  let view = wrapped.get(client);
  if (!view) {
    const lower = Object.fromEntries(Object.entries(defaults).map(([name, value]) => [name.toLowerCase(), value]));
    const add = <T extends SourceRequest>(request: T): T => ({ ...request, headers: { ...lower, ...request.headers } });
    view = {
      schemes: () => client.schemes(),
      stat: (request) => client.stat(add(request)),
      get: (request) => client.get(add(request)),
      exists: (request) => client.exists(add(request)),
      ...(client.close ? { close: () => client.close!() } : {}),
    };
    wrapped.set(client, view);
  }
  return view;
}
