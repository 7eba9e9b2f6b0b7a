import { X509Certificate } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { createEgressPolicy } from '../../common/egress/EgressPolicyImpl.js';
import { CertificateAuthority } from './tls/CertificateAuthority.js';
import { checkTunnelEgress, parseConnectTarget } from './tunnel.js';

describe('CONNECT targets', () => {
  it('parses host:port, IPv4 and bracketed IPv6', () => {
    expect(parseConnectTarget('Registry.Example.test:443')).toEqual({ hostname: 'registry.example.test', port: 443, authority: 'registry.example.test:443' });
    expect(parseConnectTarget('10.0.0.1:5000').hostname).toBe('10.0.0.1');
    expect(parseConnectTarget('[::1]:8443')).toEqual({ hostname: '::1', port: 8443, authority: '[::1]:8443' });
  });

  it('refuses anything else', () => {
    for (const value of [undefined, '', 'host', 'host:0', 'host:65536', ':443', 'a b:443', '::1:443', '[nothost]:443', 'host:443/x', `${'a'.repeat(300)}:443`]) {
      expect(() => parseConnectTarget(value), String(value)).toThrow(expect.objectContaining({ code: 'D7Y_ERR_INVALID_ARGUMENT' }));
    }
  });

  it('checks literal and resolved addresses against the egress policy', async () => {
    const egress = createEgressPolicy({ denyCIDRs: ['127.0.0.0/8'] });
    await expect(checkTunnelEgress(egress, parseConnectTarget('169.254.169.254:443'))).rejects.toMatchObject({ code: 'D7Y_ERR_EGRESS_DENIED' });
    await expect(checkTunnelEgress(egress, parseConnectTarget('localhost:443'))).rejects.toMatchObject({ code: 'D7Y_ERR_EGRESS_DENIED' });
    await expect(checkTunnelEgress(createEgressPolicy(), parseConnectTarget('localhost:443'))).resolves.toBeUndefined();
  });

  it('mints certificates for IPv6 and IPv4-mapped targets', async () => {
    const ca = await CertificateAuthority.load({ dir: mkdtempSync(join(tmpdir(), 'd7y-ca6-')) });
    expect(new X509Certificate(ca.leafCertificatePem('::1')).subjectAltName).toBe('IP Address:0:0:0:0:0:0:0:1');
    expect(new X509Certificate(ca.leafCertificatePem('::ffff:127.0.0.3')).checkIP('::ffff:127.0.0.3')).toBe('::ffff:127.0.0.3');
  });
});
