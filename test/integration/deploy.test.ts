/**
 * deploy/: no container engine or Kubernetes runs here, so this checks what can be checked — every file
 * parses, every config file a deployment mounts passes our own config loader without warnings, and the
 * ports, probes and addresses in the manifests agree with those configs and with the code's defaults.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

import { defaultConfig, parseConfig, type ConfigRole } from '../../core/src/config/index.js';
import { splitListenAddr } from '../../core/src/scheduler/metrics/metricsServer.js';
import { renderHelmTemplate } from '../helpers/helmLite.js';
import { BIN, REPO, runNode } from '../helpers/processes.js';

const DEPLOY = join(REPO, 'deploy');
type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The ports a role listens on according to its config. */
function rolePorts(role: ConfigRole, text: string): Record<string, number> {
  const { config, warnings } = parseConfig(role, text, `${role}.yaml`, { hostname: 'test' });
  expect(warnings, `${role}: unknown keys or deprecated spellings`).toEqual([]);
  if (role === 'manager') {
    const c = config as ReturnType<typeof defaultConfig<'manager'>>;
    return { rest: splitListenAddr(c.server.rest.addr).port, grpc: c.server.grpc.port.start, metrics: splitListenAddr(c.metrics.addr).port };
  }
  if (role === 'scheduler') {
    const c = config as ReturnType<typeof defaultConfig<'scheduler'>>;
    return { grpc: c.server.port, metrics: splitListenAddr(c.metrics.addr).port };
  }
  const c = config as ReturnType<typeof defaultConfig<'dfdaemon'>>;
  return { upload: c.upload.server.port, proxy: c.proxy.server.port, metrics: c.metrics.server.port, health: c.health.server.port, pieces: c.storage.server.tcpPort };
}

describe('deploy/docker-compose', () => {
  const dir = join(DEPLOY, 'docker-compose');
  const compose = parse(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')) as Doc;
  const roleOf: Record<string, ConfigRole> = { manager: 'manager', scheduler: 'scheduler', dfdaemon: 'dfdaemon' };
  const configs: Record<string, { role: ConfigRole; text: string; ports: Record<string, number> }> = {};

  beforeAll(() => {
    for (const [name, service] of Object.entries(compose.services as Record<string, Doc>)) {
      const role = roleOf[service.command?.[0]];
      if (!role) continue;
      const configFlag = service.command.indexOf('--config');
      const target = service.command[configFlag + 1];
      const mount = (service.volumes as string[]).find((volume) => volume.split(':')[1] === target);
      expect(mount, `${name} mounts ${target}`).toBeDefined();
      const text = readFileSync(join(dir, mount!.split(':')[0]!), 'utf8');
      configs[name] = { role, text, ports: rolePorts(role, text) };
    }
  });

  it('runs a manager on PostgreSQL and Redis, a scheduler and a seed peer, each with a config our loader accepts', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['postgres', 'redis', 'manager', 'scheduler', 'seed-peer']));
    expect(Object.keys(configs).sort()).toEqual(['manager', 'scheduler', 'seed-peer']);
    const manager = parseConfig('manager', configs.manager!.text, 'manager.yaml').config;
    expect(manager.database.type).toBe('postgres');
    expect(manager.database.postgres.host).toBe('postgres');
    expect(manager.database.postgres.user).toBe(compose.services.postgres.environment.POSTGRES_USER);
    expect(manager.database.postgres.password).toBe(compose.services.postgres.environment.POSTGRES_PASSWORD);
    expect(manager.database.postgres.dbname).toBe(compose.services.postgres.environment.POSTGRES_DB);
    expect(manager.database.redis.addrs).toEqual(['redis:6379']);
    expect(parseConfig('dfdaemon', configs['seed-peer']!.text, 'dfdaemon.yaml').config.seedPeer.enable).toBe(true);
  });

  it("requires root's first password from the environment instead of shipping one", () => {
    expect(compose.services.manager.environment.DRAGONFLY_INITIAL_ROOT_PASSWORD).toMatch(/^\$\{D7Y_ROOT_PASSWORD:\?.+\}$/);
  });

  it('points the scheduler and the seed peer at the manager gRPC port', () => {
    const managerAddr = `manager:${configs.manager!.ports.grpc}`;
    expect(parseConfig('scheduler', configs.scheduler!.text, 's').config.manager.addr).toBe(managerAddr);
    expect(parseConfig('dfdaemon', configs['seed-peer']!.text, 'd').config.manager.addr).toBe(managerAddr);
  });

  it('publishes and health-checks the ports the configs listen on', () => {
    const published = (name: string) => (compose.services[name].ports as string[]).map((entry) => Number(entry.split(':')[1]));
    const check = (name: string) => (compose.services[name].healthcheck.test as string[]).slice(1);
    expect(published('manager')).toEqual(expect.arrayContaining([configs.manager!.ports.rest, configs.manager!.ports.grpc]));
    expect(check('manager')).toEqual(['d7y', 'health', '--http', `http://127.0.0.1:${configs.manager!.ports.rest}/healthy`]);
    expect(published('scheduler')).toContain(configs.scheduler!.ports.grpc);
    expect(check('scheduler')).toEqual(['d7y', 'health', '--grpc', `127.0.0.1:${configs.scheduler!.ports.grpc}`]);
    expect(published('seed-peer')).toEqual(expect.arrayContaining([configs['seed-peer']!.ports.upload, configs['seed-peer']!.ports.pieces]));
    expect(check('seed-peer')).toEqual(['d7y', 'health', '--http', `http://127.0.0.1:${configs['seed-peer']!.ports.health}/healthy`]);
    // Code defaults (Dragonfly's): the compose files only restate them.
    expect(configs.manager!.ports).toMatchObject({ rest: 8080, grpc: 65003, metrics: 8000 });
    expect(configs.scheduler!.ports).toMatchObject({ grpc: 8002, metrics: 8000 });
    expect(configs['seed-peer']!.ports).toMatchObject({ upload: 4000, health: 4003, pieces: 4005 });
    // The health server listens beyond loopback, so the probe and the published port can reach it.
    expect(parseConfig('dfdaemon', configs['seed-peer']!.text, 'd').config.health.server.ip).toBe('0.0.0.0');
  });
});

describe('deploy/helm/d7y', () => {
  const chartDir = join(DEPLOY, 'helm', 'd7y');
  const chart = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as Doc;
  const values = parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as Doc;
  const context = { Values: values, Release: { Name: 'd7y', Namespace: 'dragonfly-system' }, Chart: { Name: chart.name, AppVersion: chart.appVersion } };
  const docs: Doc[] = [];
  for (const file of readdirSync(join(chartDir, 'templates')).sort()) {
    const rendered = renderHelmTemplate(readFileSync(join(chartDir, 'templates', file), 'utf8'), context);
    for (const doc of parseAllDocuments(rendered)) {
      expect(doc.errors, file).toEqual([]);
      docs.push(doc.toJSON() as Doc);
    }
  }
  const find = (kind: string, name: string) => docs.find((doc) => doc.kind === kind && doc.metadata.name === name);
  const components: Array<{ component: string; kind: string; role: ConfigRole; file: string }> = [
    { component: 'manager', kind: 'Deployment', role: 'manager', file: 'manager.yaml' },
    { component: 'scheduler', kind: 'StatefulSet', role: 'scheduler', file: 'scheduler.yaml' },
    { component: 'seed-peer', kind: 'StatefulSet', role: 'dfdaemon', file: 'dfdaemon.yaml' },
    { component: 'dfdaemon', kind: 'DaemonSet', role: 'dfdaemon', file: 'dfdaemon.yaml' },
  ];

  it('renders the manager Deployment, scheduler and seed-peer StatefulSets and the dfdaemon DaemonSet', () => {
    for (const { component, kind } of components) {
      const workload = find(kind, `d7y-${component}`);
      expect(workload, `${kind} d7y-${component}`).toBeDefined();
      expect(workload!.spec.selector.matchLabels).toEqual(workload!.spec.template.metadata.labels);
    }
    const daemonSet = find('DaemonSet', 'd7y-dfdaemon')!;
    expect(daemonSet.spec.template.spec.hostNetwork).toBe(true);
    expect(find('StatefulSet', 'd7y-seed-peer')!.spec.volumeClaimTemplates[0].metadata.name).toBe('storage');
  });

  it("gives the manager root's first password from a Secret, never a default in the chart", () => {
    const env = find('Deployment', 'd7y-manager')!.spec.template.spec.containers[0].env as Doc[];
    expect(env.find((e) => e.name === 'DRAGONFLY_INITIAL_ROOT_PASSWORD')).toEqual({
      name: 'DRAGONFLY_INITIAL_ROOT_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'd7y-manager-root', key: 'password', optional: true } },
    });
  });

  it('mounts a config per role that our loader accepts, and the container ports and probes match it', () => {
    for (const { component, kind, role, file } of components) {
      const configMap = find('ConfigMap', `d7y-${component}`)!;
      const ports = rolePorts(role, configMap.data[file]);
      const pod = find(kind, `d7y-${component}`)!.spec.template.spec;
      const container = pod.containers[0];
      expect(container.args).toEqual([role === 'dfdaemon' ? 'dfdaemon' : role, '--config', `/etc/dragonfly/${file}`]);
      expect(pod.volumes.find((volume: Doc) => volume.name === 'config').configMap.name).toBe(`d7y-${component}`);
      const containerPorts = Object.fromEntries(container.ports.map((port: Doc) => [port.name, port.containerPort]));
      expect(containerPorts, component).toEqual(ports);
      const probes = [container.readinessProbe, container.livenessProbe];
      for (const probe of probes) {
        if (probe.httpGet) {
          expect(probe.httpGet.path).toBe('/healthy');
          expect(probe.httpGet.port).toBe(role === 'manager' ? ports.rest : ports.health);
        } else {
          expect(probe.grpc.port, `${component} gRPC probe`).toBe(role === 'dfdaemon' ? ports.upload : ports.grpc);
        }
      }
    }
  });

  it('points every role at the manager Service and its gRPC port', () => {
    const service = find('Service', 'd7y-manager')!;
    const grpcPort = service.spec.ports.find((port: Doc) => port.name === 'grpc').port;
    for (const [component, role, file] of [['scheduler', 'scheduler', 'scheduler.yaml'], ['seed-peer', 'dfdaemon', 'dfdaemon.yaml'], ['dfdaemon', 'dfdaemon', 'dfdaemon.yaml']] as const) {
      const { config } = parseConfig(role, find('ConfigMap', `d7y-${component}`)!.data[file], file);
      expect(config.manager.addr, component).toBe(`d7y-manager:${grpcPort}`);
    }
  });

  it('wires containerd on every node to the node-local proxy with d7y init, with arguments the CLI accepts', async () => {
    const pod = find('DaemonSet', 'd7y-dfdaemon')!.spec.template.spec;
    const { config } = parseConfig('dfdaemon', find('ConfigMap', 'd7y-dfdaemon')!.data['dfdaemon.yaml'], 'dfdaemon.yaml');
    expect(config.proxy.server.ip ?? '127.0.0.1').toBe('127.0.0.1');
    const init = pod.initContainers[0];
    const args = init.args as string[];
    expect(args.slice(0, 2)).toEqual(['init', 'containerd']);
    expect(args[args.indexOf('--proxy') + 1]).toBe(`http://127.0.0.1:${config.proxy.server.port}`);
    expect(init.volumeMounts[0].mountPath).toBe('/host/etc/containerd');
    // Run the same arguments (host paths redirected to a temp dir) as a dry run.
    const root = mkdtempSync(join(tmpdir(), 'd7y-helm-init-'));
    const local = args.map((arg) => (arg.startsWith('/host/') ? join(root, arg.slice('/host/'.length)) : arg));
    const result = await runNode(BIN.d7y, [...local, '--dry-run']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/docker\.io\/hosts\.toml/);
    expect(result.stdout).toMatch(/X-Dragonfly-Registry = "https:\/\/index\.docker\.io"/);
  });
});

describe('deploy/Dockerfile and deploy/systemd', () => {
  const bins = JSON.parse(readFileSync(join(REPO, 'core', 'package.json'), 'utf8')).bin as Record<string, string>;
  const binFiles = Object.values(bins).map((path) => `/opt/d7y/core/${path.replace(/^\.\//, '')}`);

  it('builds in two node:20-slim stages, exposes every default port and starts a CLI the package ships', () => {
    const dockerfile = readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8');
    expect(dockerfile.match(/^FROM node:20-slim/gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^FROM node:20-slim AS build$/m);
    const exposed = /^EXPOSE (.*)$/m.exec(dockerfile)![1]!.split(/\s+/).map(Number);
    const defaults = [...Object.values(rolePorts('manager', '{}')), ...Object.values(rolePorts('scheduler', '{}')), ...Object.values(rolePorts('dfdaemon', '{}'))];
    expect(exposed.sort()).toEqual([...new Set(defaults)].sort());
    const entrypoint = JSON.parse(/^ENTRYPOINT (.*)$/m.exec(dockerfile)![1]!) as string[];
    expect(binFiles).toContain(entrypoint.at(-1));
    expect(existsSync(join(REPO, '.dockerignore'))).toBe(true);
  });

  it('has a unit per role that starts a shipped CLI with its config and stops it with SIGTERM and room for the grace period', () => {
    const units = readdirSync(join(DEPLOY, 'systemd'));
    expect(units.sort()).toEqual(['d7y-manager.service', 'd7y-scheduler.service', 'dfdaemon.service']);
    for (const unit of units) {
      const text = readFileSync(join(DEPLOY, 'systemd', unit), 'utf8');
      const exec = /^ExecStart=\/usr\/bin\/env node (\S+) (.*)$/m.exec(text);
      expect(exec, unit).not.toBeNull();
      expect(binFiles).toContain(exec![1]);
      const role = unit.replace(/^d7y-/, '').replace(/\.service$/, '');
      expect(exec![2]).toContain(`--config /etc/dragonfly/${role}.yaml`);
      expect(text).toMatch(/^KillSignal=SIGTERM$/m);
      expect(Number(/^TimeoutStopSec=(\d+)$/m.exec(text)![1])).toBeGreaterThanOrEqual(15);
      expect(text).toMatch(/^WantedBy=multi-user\.target$/m);
    }
  });
});
