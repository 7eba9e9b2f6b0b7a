/**
 * The CA the proxy uses to intercept HTTPS: the configured one (`proxy.server.caCert`/`caKey`), or one generated
 * on first start and kept under the cache directory so that users can trust it once (`<dir>/ca.crt`). Leaf
 * certificates per host are minted on demand with one shared P-256 key and cached.
 */
import { createPrivateKey, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createSecureContext, type SecureContext } from 'node:tls';

import { createError, ErrorCodes } from '../../../common/errors.js';
import { certificateIdentity, createCertificate, toPem } from './x509.js';

const DAY = 24 * 60 * 60 * 1000;
/** Most per-host contexts kept; the oldest is dropped beyond this. */
const MAX_CACHED_HOSTS = 1000;

/** Where the CA comes from. */
export interface CertificateAuthorityOptions {
  /** Configured CA certificate file (PEM). */
  caCert?: string;
  /** Configured CA key file (PEM). */
  caKey?: string;
  /** Directory for a generated CA (`ca.crt`, `ca.key`), used when no CA is configured. */
  dir: string;
}

/** Signs per-host certificates for HTTPS interception. */
export class CertificateAuthority {
  private readonly leafKey: KeyObject;
  private readonly leafKeyPem: string;
  private readonly contexts = new Map<string, SecureContext>();

  private constructor(
    /** The CA certificate in PEM, for clients to trust. */
    readonly certificatePem: string,
    /** File holding the CA certificate. */
    readonly certificatePath: string,
    private readonly key: KeyObject,
    private readonly name: Buffer,
    private readonly keyId: Buffer | undefined,
    private readonly notAfter: Date,
  ) {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.leafKey = pair.publicKey;
    this.leafKeyPem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  }

  /** Loads the configured CA, or the generated one under `dir` (creating it on first use). */
  static async load(options: CertificateAuthorityOptions): Promise<CertificateAuthority> {
    if ((options.caCert === undefined) !== (options.caKey === undefined)) {
      throw createError(ErrorCodes.INVALID_CONFIG, 'proxy.server.caCert and proxy.server.caKey must be given together');
    }
    if (options.caCert !== undefined && options.caKey !== undefined) return CertificateAuthority.fromFiles(options.caCert, options.caKey);
    const certPath = join(options.dir, 'ca.crt');
    const keyPath = join(options.dir, 'ca.key');
    if (existsSync(certPath) && existsSync(keyPath)) return CertificateAuthority.fromFiles(certPath, keyPath);
    await mkdir(options.dir, { recursive: true, mode: 0o700 });
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const now = Date.now();
    const der = createCertificate({
      commonName: 'd7y dfdaemon proxy CA',
      organization: 'd7y',
      publicKey: pair.publicKey,
      selfKey: pair.privateKey,
      isCA: true,
      notBefore: new Date(now - DAY),
      notAfter: new Date(now + 10 * 365 * DAY),
    });
    await writeFile(keyPath, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { mode: 0o600 });
    await chmod(keyPath, 0o600);
    await writeFile(certPath, toPem(der), { mode: 0o644 });
    return CertificateAuthority.fromFiles(certPath, keyPath);
  }

  private static async fromFiles(certPath: string, keyPath: string): Promise<CertificateAuthority> {
    let cert: X509Certificate;
    let key: KeyObject;
    try {
      cert = new X509Certificate(await readFile(certPath));
      key = createPrivateKey(await readFile(keyPath));
    } catch (cause) {
      throw createError(ErrorCodes.INVALID_CONFIG, `cannot load the proxy CA from ${certPath} and ${keyPath}: ${(cause as Error).message}`, { cause });
    }
    if (!cert.checkPrivateKey(key)) throw createError(ErrorCodes.INVALID_CONFIG, `proxy CA key ${keyPath} does not belong to ${certPath}`);
    if (!cert.ca) throw createError(ErrorCodes.INVALID_CONFIG, `proxy CA certificate ${certPath} is not a CA (basicConstraints CA:TRUE is missing)`);
    if (key.asymmetricKeyType !== 'ec' && key.asymmetricKeyType !== 'rsa') {
      throw createError(ErrorCodes.INVALID_CONFIG, `proxy CA key ${keyPath} is ${key.asymmetricKeyType}; use an EC or RSA key`);
    }
    const identity = certificateIdentity(cert.raw);
    return new CertificateAuthority(
      cert.toString(),
      certPath,
      key,
      identity.subject,
      identity.keyId,
      new Date(cert.validTo),
    );
  }

  /** A TLS context presenting a certificate for `host` (a DNS name or an IP address). */
  secureContextFor(host: string): SecureContext {
    const name = host.toLowerCase();
    const cached = this.contexts.get(name);
    if (cached) return cached;
    const context = createSecureContext({ key: this.leafKeyPem, cert: this.leafCertificatePem(name) + this.certificatePem });
    if (this.contexts.size >= MAX_CACHED_HOSTS) this.contexts.delete(this.contexts.keys().next().value!);
    this.contexts.set(name, context);
    return context;
  }

  /** A fresh leaf certificate (PEM) for `host`, signed by this CA, valid for a year at most. */
  leafCertificatePem(host: string): string {
    const name = host.toLowerCase();
    const now = Date.now();
    const der = createCertificate({
      commonName: name.length <= 64 ? name : 'd7y intercepted host',
      publicKey: this.leafKey,
      altNames: [name],
      isCA: false,
      notBefore: new Date(now - DAY),
      notAfter: new Date(Math.min(now + 365 * DAY, this.notAfter.getTime())),
      issuer: { name: this.name, key: this.key, keyId: this.keyId },
    });
    return toPem(der);
  }
}

