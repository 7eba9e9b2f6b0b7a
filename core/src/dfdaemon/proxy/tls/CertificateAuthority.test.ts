import { execFileSync } from 'node:child_process';
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';

import { describe, expect, it } from 'vitest';

import { CertificateAuthority } from './CertificateAuthority.js';
import { createCertificate, toPem } from './x509.js';

const dir = () => mkdtempSync(join(tmpdir(), 'd7y-ca-'));

/** Completes a TLS handshake against a server presenting `ca`'s certificate for `servername`, trusting only `ca`. */
async function handshake(ca: CertificateAuthority, servername: string, connectName = servername): Promise<string> {
  const server = createServer({ SNICallback: (_name, cb) => cb(null, ca.secureContextFor(servername)) }, (socket) => socket.end('hi'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    return await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, servername: connectName, ca: ca.certificatePem }, () => undefined);
      let data = '';
      socket.on('data', (chunk) => (data += chunk));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
  } finally {
    server.close();
  }
}

describe('CertificateAuthority', () => {
  it('generates a CA once, keeps its key private, and reuses it on the next start', async () => {
    const d = dir();
    const first = await CertificateAuthority.load({ dir: d });
    expect(statSync(join(d, 'ca.key')).mode & 0o777).toBe(0o600);
    const cert = new X509Certificate(readFileSync(join(d, 'ca.crt')));
    expect(cert.ca).toBe(true);
    expect(cert.subject).toContain('CN=d7y dfdaemon proxy CA');
    const second = await CertificateAuthority.load({ dir: d });
    expect(second.certificatePem).toBe(first.certificatePem);
  });

  it('mints leaf certificates that verify against the CA with node and with openssl, for names and IPs', async () => {
    const d = dir();
    const ca = await CertificateAuthority.load({ dir: d });
    expect(await handshake(ca, 'registry.example.test')).toBe('hi');
    expect(await handshake(ca, '127.0.0.1')).toBe('hi');
    const leaf = ca.leafCertificatePem('127.0.0.1');
    const leafPath = join(d, 'leaf.pem');
    writeFileSync(leafPath, leaf);
    const out = execFileSync('openssl', ['verify', '-x509_strict', '-purpose', 'sslserver', '-CAfile', ca.certificatePath, leafPath]).toString();
    expect(out).toContain('OK');
  });

  it('rejects a handshake for a name the leaf does not cover', async () => {
    const ca = await CertificateAuthority.load({ dir: dir() });
    await expect(handshake(ca, 'a.example.test', 'b.example.test')).rejects.toThrow(/altnames|Hostname/i);
  });

  it('uses a configured RSA CA and refuses mismatched or half-configured files', async () => {
    const d = dir();
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const caDer = createCertificate({ commonName: 'Test RSA CA', publicKey, selfKey: privateKey, isCA: true, notBefore: new Date(Date.now() - 1000), notAfter: new Date(Date.now() + 86_400_000) });
    writeFileSync(join(d, 'rsa.crt'), toPem(caDer));
    writeFileSync(join(d, 'rsa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const ca = await CertificateAuthority.load({ dir: d, caCert: join(d, 'rsa.crt'), caKey: join(d, 'rsa.key') });
    expect(await handshake(ca, 'rsa.example.test')).toBe('hi');
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    writeFileSync(join(d, 'other.key'), other.export({ type: 'pkcs8', format: 'pem' }));
    await expect(CertificateAuthority.load({ dir: d, caCert: join(d, 'rsa.crt'), caKey: join(d, 'other.key') })).rejects.toMatchObject({ code: 'D7Y_ERR_INVALID_CONFIG' });
    await expect(CertificateAuthority.load({ dir: d, caCert: join(d, 'rsa.crt') })).rejects.toMatchObject({ code: 'D7Y_ERR_INVALID_CONFIG' });
  });
});

