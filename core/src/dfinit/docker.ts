/**
 * `d7y init docker`: Docker only mirrors Docker Hub through `registry-mirrors`, so d7y sends all of dockerd's
 * registry traffic through the proxy with a systemd drop-in (HTTP_PROXY/HTTPS_PROXY), and installs the proxy CA
 * where the system trust store picks it up (run update-ca-certificates), since the proxy intercepts HTTPS.
 */
import type { PlannedFile } from './plan.js';

/** Default drop-in file. */
export const DEFAULT_DOCKER_DROPIN = '/etc/systemd/system/docker.service.d/d7y-proxy.conf';
/** Default place for the proxy CA in the Debian/Ubuntu trust store sources. */
export const DEFAULT_TRUST_FILE = '/usr/local/share/ca-certificates/d7y-proxy-ca.crt';

/** The systemd drop-in. */
export function dockerDropIn(proxy: URL): string {
  const url = `http://${proxy.host}`;
  return [
    '# Written by d7y init docker: registry traffic of dockerd goes through the local dfdaemon proxy.',
    '[Service]',
    `Environment="HTTP_PROXY=${url}"`,
    `Environment="HTTPS_PROXY=${url}"`,
    'Environment="NO_PROXY=localhost,127.0.0.1,::1"',
    '',
  ].join('\n');
}

/** The files `d7y init docker` writes. */
export function dockerPlan(init: { proxy: URL; dropIn: string; trustFile: string; caPem: string }): PlannedFile[] {
  return [
    { path: init.dropIn, content: dockerDropIn(init.proxy) },
    { path: init.trustFile, content: init.caPem },
  ];
}
