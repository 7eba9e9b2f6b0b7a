/**
 * `d7y init containerd`, as Dragonfly's dfinit does it: one `hosts.toml` per registry under containerd's
 * `config_path` (the proxy as a pull/resolve mirror with `X-Dragonfly-Registry`), or `_default/hosts.toml` for
 * every registry (the proxy then takes the upstream from containerd's `ns=` query); and `config_path` set in
 * config.toml when it is not set yet (CRI plugin: `io.containerd.grpc.v1.cri` in config v2,
 * `io.containerd.cri.v1.images` in config v3).
 */
import { join } from 'node:path';

import { createError, ErrorCodes } from '../common/errors.js';
import type { PlannedFile } from './plan.js';
import type { RegistryTarget } from './registry.js';

/** Inputs of the containerd plan. */
export interface ContainerdInit {
  proxy: URL;
  /** Registries to mirror; empty with `all`. */
  registries: readonly RegistryTarget[];
  /** Mirror every registry through `_default/hosts.toml`. */
  all: boolean;
  configPath: string;
  /** Current content of config.toml ('' when missing). */
  currentConfig: string;
  /** Hosts directory asked for on the command line, if any. */
  hostsDir?: string;
}

/** Default hosts directory. */
export const DEFAULT_HOSTS_DIR = '/etc/containerd/certs.d';

/** `config_path` value in a config.toml, if set. */
export function configuredHostsDir(config: string): string | undefined {
  return /^\s*config_path\s*=\s*"([^"]*)"/m.exec(config)?.[1];
}

/** hosts.toml for one registry (or `_default` when `target` is undefined). */
export function hostsToml(proxy: URL, target: RegistryTarget | undefined): string {
  const host = `http://${proxy.host}`;
  const lines = ['# Written by d7y init containerd: pull through the local dfdaemon proxy.'];
  if (target) lines.push(`server = "${target.server}"`, '');
  lines.push(`[host."${host}"]`, '  capabilities = ["pull", "resolve"]');
  if (target) lines.push('', `[host."${host}".header]`, `  X-Dragonfly-Registry = "${target.server}"`);
  return `${lines.join('\n')}\n`;
}

/** config.toml with `config_path` set to `hostsDir` (unchanged when it is set already). */
export function withConfigPath(config: string, hostsDir: string): string {
  if (configuredHostsDir(config) !== undefined) return config;
  if (/registry\.mirrors/.test(config)) {
    throw createError(ErrorCodes.FAILED_PRECONDITION, 'config.toml configures registry.mirrors, which containerd refuses together with config_path; remove that section first');
  }
  const v3 = /^\s*version\s*=\s*3\b/m.test(config);
  const section = v3 ? '[plugins."io.containerd.cri.v1.images".registry]' : '[plugins."io.containerd.grpc.v1.cri".registry]';
  const line = `  config_path = "${hostsDir}"`;
  if (config.trim() === '') return `version = 2\n\n${section}\n${line}\n`;
  const index = config.split('\n').findIndex((text) => text.trim() === section);
  if (index >= 0) {
    const lines = config.split('\n');
    lines.splice(index + 1, 0, line);
    return lines.join('\n');
  }
  return `${config.replace(/\n*$/, '\n')}\n${section}\n${line}\n`;
}

/** The files `d7y init containerd` writes. */
export function containerdPlan(init: ContainerdInit): PlannedFile[] {
  const configured = configuredHostsDir(init.currentConfig);
  if (configured !== undefined && init.hostsDir !== undefined && configured !== init.hostsDir) {
    throw createError(ErrorCodes.FAILED_PRECONDITION, `${init.configPath} already sets config_path = "${configured}"; drop --hosts-dir or pass --hosts-dir ${configured}`);
  }
  const hostsDir = configured ?? init.hostsDir ?? DEFAULT_HOSTS_DIR;
  const files: PlannedFile[] = [{ path: init.configPath, content: withConfigPath(init.currentConfig, hostsDir) }];
  if (init.all) files.push({ path: join(hostsDir, '_default', 'hosts.toml'), content: hostsToml(init.proxy, undefined) });
  for (const target of init.registries) files.push({ path: join(hostsDir, target.name, 'hosts.toml'), content: hostsToml(init.proxy, target) });
  return files;
}
