import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { createCertificate, distinguishedName, keyIdentifier, toPem } from '../../core/src/dfdaemon/proxy/tls/x509.js';

/** A test CA and a server certificate for `names`, written as PEM files under `dir`. */
export function writeServerCertificate(dir: string, names: string[]): { ca: string; cert: string; key: string } {
  const now = Date.now();
  const ca = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const caDer = createCertificate({ commonName: 'd7y test registry CA', publicKey: ca.publicKey, selfKey: ca.privateKey, isCA: true, notBefore: new Date(now - 60_000), notAfter: new Date(now + 86_400_000) });
  const leaf = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const leafDer = createCertificate({
    commonName: names[0]!,
    publicKey: leaf.publicKey,
    altNames: names,
    isCA: false,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 86_400_000),
    issuer: { name: distinguishedName('d7y test registry CA'), key: ca.privateKey, keyId: keyIdentifier(ca.publicKey) },
  });
  const files = { ca: join(dir, 'test-ca.crt'), cert: join(dir, 'server.crt'), key: join(dir, 'server.key') };
  writeFileSync(files.ca, toPem(caDer));
  writeFileSync(files.cert, toPem(leafDer));
  writeFileSync(files.key, leaf.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return files;
}

/** A name other than `localhost` that /etc/hosts maps to 127.0.0.1 (Go clients proxy names, never loopback IPs). */
export function loopbackAlias(): string | undefined {
  for (const line of readFileSync('/etc/hosts', 'utf8').split('\n')) {
    const [address, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (address !== '127.0.0.1') continue;
    const alias = names.find((name) => name && name !== 'localhost' && !name.startsWith('localhost.'));
    if (alias) return alias;
  }
  return undefined;
}
