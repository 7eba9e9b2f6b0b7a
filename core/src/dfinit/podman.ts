/**
 * `d7y init podman` (also CRI-O and skopeo, which read the same file): a managed block in registries.conf that
 * makes the local proxy the first mirror of one registry. These clients cannot send X-Dragonfly-Registry, so the
 * proxy forwards to `proxy.registryMirror.addr`, which must name the same registry.
 */
import { createError, ErrorCodes } from '../common/errors.js';
import type { PlannedFile } from './plan.js';
import type { RegistryTarget } from './registry.js';

const BEGIN = '# BEGIN d7y init (managed block: rerun d7y init podman to change it)';
const END = '# END d7y init';

/** Default registries.conf. */
export const DEFAULT_REGISTRIES_CONF = '/etc/containers/registries.conf';

/** The managed block for one registry. */
export function mirrorBlock(proxy: URL, target: RegistryTarget): string {
  return [
    BEGIN,
    '[[registry]]',
    `prefix = "${target.name}"`,
    `location = "${target.name}"`,
    '',
    '[[registry.mirror]]',
    `location = "${proxy.host}"`,
    'insecure = true',
    END,
    '',
  ].join('\n');
}

/** registries.conf with the managed block replaced or appended; refuses a second definition of the prefix. */
export function withMirror(current: string, proxy: URL, target: RegistryTarget): string {
  const start = current.indexOf(BEGIN);
  const end = current.indexOf(END);
  const outside = start >= 0 && end > start ? current.slice(0, start) + current.slice(end + END.length) : current;
  if (new RegExp(`^\\s*prefix\\s*=\\s*"${target.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`, 'm').test(outside)) {
    throw createError(ErrorCodes.FAILED_PRECONDITION, `registries.conf already has a [[registry]] with prefix "${target.name}"; add the mirror location "${proxy.host}" (insecure = true) to it by hand, or remove it`);
  }
  const block = mirrorBlock(proxy, target);
  if (start >= 0 && end > start) return current.slice(0, start) + block + current.slice(end + END.length).replace(/^\n/, '');
  return current === '' ? block : `${current.replace(/\n*$/, '\n')}\n${block}`;
}

/** The files `d7y init podman` writes. */
export function podmanPlan(init: { proxy: URL; registry: RegistryTarget; path: string; current: string }): PlannedFile[] {
  return [{ path: init.path, content: withMirror(init.current, init.proxy, init.registry) }];
}
