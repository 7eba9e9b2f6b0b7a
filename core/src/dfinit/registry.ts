/** Registries named on the `d7y init` command line, and the proxy address. */
import { createError, ErrorCodes } from '../common/errors.js';

/** One registry the runtime should pull through the proxy. */
export interface RegistryTarget {
  /** Name the runtime knows it by (`docker.io`, `ghcr.io`, `127.0.0.1:5000`): containerd's hosts dir, registries.conf prefix. */
  name: string;
  /** Upstream URL (`https://index.docker.io`), sent as X-Dragonfly-Registry. */
  server: string;
}

const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** Parses `https://ghcr.io`, `ghcr.io` (https assumed) or `http://127.0.0.1:5000`. Docker Hub's names all map to docker.io. */
export function parseRegistryTarget(value: string): RegistryTarget {
  let url: URL;
  try {
    url = new URL(value.includes('://') ? value : `https://${value}`);
  } catch {
    throw createError(ErrorCodes.INVALID_ARGUMENT, `--registry ${JSON.stringify(value)} is not a registry address like https://ghcr.io`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password || (url.pathname !== '/' && url.pathname !== '')) {
    throw createError(ErrorCodes.INVALID_ARGUMENT, `--registry ${JSON.stringify(value)} must be an http(s) URL without path or credentials`);
  }
  if (DOCKER_HUB.has(url.hostname)) return { name: 'docker.io', server: 'https://index.docker.io' };
  return { name: url.host, server: url.origin };
}

/** The proxy URL (`http://127.0.0.1:4001`): an http URL with host and port only. */
export function parseProxyUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw createError(ErrorCodes.INVALID_ARGUMENT, `--proxy ${JSON.stringify(value)} is not a URL like http://127.0.0.1:4001`);
  }
  if (url.protocol !== 'http:' || url.username || url.password || (url.pathname !== '/' && url.pathname !== '')) {
    throw createError(ErrorCodes.INVALID_ARGUMENT, `--proxy ${JSON.stringify(value)} must be http://host:port`);
  }
  return url;
}
