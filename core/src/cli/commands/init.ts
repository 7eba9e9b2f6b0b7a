import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

import { createError, ErrorCodes } from '../../common/errors.js';
import {
  applyPlan,
  containerdPlan,
  dockerPlan,
  parseProxyUrl,
  parseRegistryTarget,
  podmanPlan,
  readIfExists,
  type PlannedFile,
} from '../../dfinit/index.js';

/** Flags of `d7y init`. */
export interface InitFlags {
  proxy: string;
  registry?: string[];
  all?: boolean;
  dryRun?: boolean;
  config: string;
  hostsDir?: string;
  registriesConf: string;
  dropin: string;
  trustFile: string;
  caCert: string;
}

const NEXT_STEPS: Record<string, string> = {
  containerd: 'restart containerd to read config.toml (hosts.toml changes apply on the next pull): systemctl restart containerd',
  podman: 'set proxy.registryMirror.addr in dfdaemon.yaml to the mirrored registry (podman cannot send X-Dragonfly-Registry)',
  crio: 'set proxy.registryMirror.addr in dfdaemon.yaml to the mirrored registry, then: systemctl restart crio',
  docker: 'update-ca-certificates && systemctl daemon-reload && systemctl restart docker',
};

/**
 * `d7y init containerd|podman|crio|docker`: points a container runtime at the local dfdaemon proxy, writing only
 * files whose content differs; `--dry-run` prints the diff instead.
 */
export async function initCommand(runtime: string, flags: InitFlags): Promise<void> {
  const proxy = parseProxyUrl(flags.proxy);
  const registries = (flags.registry && flags.registry.length > 0 ? flags.registry : ['https://index.docker.io']).map(parseRegistryTarget);
  let files: PlannedFile[];
  switch (runtime) {
    case 'containerd':
      files = containerdPlan({
        proxy,
        registries: flags.all && !flags.registry ? [] : registries,
        all: flags.all === true,
        configPath: flags.config,
        currentConfig: await readIfExists(flags.config),
        hostsDir: flags.hostsDir,
      });
      break;
    case 'podman':
    case 'crio':
      if (registries.length !== 1) {
        throw createError(ErrorCodes.INVALID_ARGUMENT, `${runtime} mirrors one registry through the proxy (proxy.registryMirror.addr); give one --registry`);
      }
      files = podmanPlan({ proxy, registry: registries[0]!, path: flags.registriesConf, current: await readIfExists(flags.registriesConf) });
      break;
    case 'docker':
      if (!existsSync(flags.caCert)) {
        throw createError(ErrorCodes.FAILED_PRECONDITION, `proxy CA ${flags.caCert} does not exist: start dfdaemon once (it generates the CA) or pass --ca-cert`);
      }
      files = dockerPlan({ proxy, dropIn: flags.dropin, trustFile: flags.trustFile, caPem: await readFile(flags.caCert, 'utf8') });
      break;
    default:
      throw createError(ErrorCodes.INVALID_ARGUMENT, `unknown runtime ${JSON.stringify(runtime)}; use containerd, podman, crio or docker`);
  }
  const changes = await applyPlan(files, { dryRun: flags.dryRun === true });
  for (const change of changes) {
    if (flags.dryRun && change.action !== 'unchanged') process.stdout.write(change.diff);
    const verb = change.action === 'unchanged' ? 'unchanged' : flags.dryRun ? `would ${change.action}` : `${change.action}d`;
    process.stdout.write(`${verb}: ${change.path}\n`);
  }
  if (!flags.dryRun && changes.some((change) => change.action !== 'unchanged')) process.stdout.write(`next: ${NEXT_STEPS[runtime]}\n`);
}
