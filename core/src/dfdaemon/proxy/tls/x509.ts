/**
 * Minimal X.509 v3 certificate writer (node:crypto signs; `der.ts` encodes): a self-signed CA for HTTPS
 * interception and leaf certificates for the hosts clients CONNECT to. Supports EC (P-256, ecdsa-with-SHA256)
 * and RSA (sha256WithRSAEncryption) issuer keys.
 */
import { createHash, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';

import {
  bitString,
  boolean,
  children,
  explicit,
  implicit,
  nullValue,
  octetString,
  oid,
  readItem,
  sequence,
  set,
  smallInteger,
  time,
  tlv,
  unsignedInteger,
  utf8String,
} from './der.js';

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  sha256WithRsa: '1.2.840.113549.1.1.11',
};

/** Who signs a certificate. */
export interface Issuer {
  /** DER of the issuer's subject Name. */
  name: Buffer;
  key: KeyObject;
  /** The issuer's subject key identifier, when known (becomes the authority key identifier). */
  keyId?: Buffer;
}

/** What to put into a certificate. */
export interface CertificateSpec {
  commonName: string;
  organization?: string;
  publicKey: KeyObject;
  /** DNS names and IP addresses for subjectAltName (leaf certificates). */
  altNames?: readonly string[];
  isCA: boolean;
  notBefore: Date;
  notAfter: Date;
  /** Signs the certificate; absent for a self-signed one (then `selfKey` signs). */
  issuer?: Issuer;
  /** Private key of a self-signed certificate. */
  selfKey?: KeyObject;
}

/** DER of a Name with CN (and O when given). */
export function distinguishedName(commonName: string, organization?: string): Buffer {
  const rdns = [];
  if (organization) rdns.push(set(sequence(oid(OID.organization), utf8String(organization))));
  rdns.push(set(sequence(oid(OID.commonName), utf8String(commonName))));
  return sequence(...rdns);
}

/** Subject key identifier: SHA-1 of the subjectPublicKey bits (RFC 5280 4.2.1.2 method 1). */
export function keyIdentifier(publicKey: KeyObject): Buffer {
  const spki = readItem(publicKey.export({ type: 'spki', format: 'der' }));
  const bits = children(spki)[1]!.content.subarray(1);
  return createHash('sha1').update(bits).digest();
}

function signatureAlgorithm(key: KeyObject): Buffer {
  if (key.asymmetricKeyType === 'ec') return sequence(oid(OID.ecdsaWithSha256));
  if (key.asymmetricKeyType === 'rsa') return sequence(oid(OID.sha256WithRsa), nullValue());
  throw new Error(`unsupported CA key type ${key.asymmetricKeyType}; use an EC or RSA key`);
}

function generalName(name: string): Buffer {
  const family = isIP(name);
  if (family === 4) return implicit(7, Buffer.from(name.split('.').map(Number)));
  if (family === 6) return implicit(7, ipv6Bytes(name));
  return implicit(2, Buffer.from(name, 'ascii'));
}

function ipv6Bytes(text: string): Buffer {
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const address = text.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_all, a: string, b: string, c: string, d: string) =>
    `${((Number(a) << 8) | Number(b)).toString(16)}:${((Number(c) << 8) | Number(d)).toString(16)}`,
  );
  const [head, tail] = address.split('::') as [string, string | undefined];
  const parse = (part: string | undefined) => (part ? part.split(':').filter(Boolean) : []);
  const left = parse(head);
  const right = parse(tail);
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  const out = Buffer.alloc(16);
  groups.forEach((group, i) => out.writeUInt16BE(parseInt(group, 16), i * 2));
  return out;
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? sequence(oid(id), boolean(true), octetString(value)) : sequence(oid(id), octetString(value));
}

/** Builds and signs a certificate; returns its DER. */
export function createCertificate(spec: CertificateSpec): Buffer {
  const signer = spec.issuer?.key ?? spec.selfKey;
  if (!signer) throw new Error('a certificate needs an issuer key or, when self-signed, its own key');
  const subject = distinguishedName(spec.commonName, spec.organization);
  const issuerName = spec.issuer?.name ?? subject;
  const ownKeyId = keyIdentifier(spec.publicKey);
  const authorityKeyId = spec.issuer ? spec.issuer.keyId : ownKeyId;
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  serial[0]! |= 0x01;
  const extensions = [
    extension(OID.basicConstraints, true, spec.isCA ? sequence(boolean(true)) : sequence()),
    // keyUsage bits: digitalSignature (0) for leaves; keyCertSign (5) and cRLSign (6) for the CA.
    extension(OID.keyUsage, true, spec.isCA ? tlv(0x03, Buffer.from([1, 0x06])) : tlv(0x03, Buffer.from([7, 0x80]))),
    extension(OID.subjectKeyId, false, octetString(ownKeyId)),
  ];
  if (authorityKeyId) extensions.push(extension(OID.authorityKeyId, false, sequence(implicit(0, authorityKeyId))));
  if (!spec.isCA) extensions.push(extension(OID.extKeyUsage, false, sequence(oid(OID.serverAuth))));
  if (spec.altNames && spec.altNames.length > 0) {
    extensions.push(extension(OID.subjectAltName, false, sequence(...spec.altNames.map(generalName))));
  }
  const algorithm = signatureAlgorithm(signer);
  const tbs = sequence(
    explicit(0, smallInteger(2)),
    unsignedInteger(serial),
    algorithm,
    issuerName,
    sequence(time(spec.notBefore), time(spec.notAfter)),
    subject,
    spec.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, sequence(...extensions)),
  );
  const signature = sign('sha256', tbs, signer);
  return sequence(tbs, algorithm, bitString(signature));
}

/** PEM text of a DER certificate. */
export function toPem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** The subject Name DER and subject key identifier (when present) of a certificate. */
export function certificateIdentity(der: Buffer): { subject: Buffer; keyId?: Buffer } {
  const tbs = children(readItem(der))[0]!;
  const fields = children(tbs);
  const offset = fields[0]!.tag === 0xa0 ? 1 : 0;
  const subject = fields[offset + 4]!.raw;
  const extensionsField = fields.find((field) => field.tag === 0xa3);
  let keyId: Buffer | undefined;
  if (extensionsField) {
    const wanted = oid(OID.subjectKeyId);
    for (const ext of children(children(extensionsField)[0]!)) {
      const parts = children(ext);
      if (!parts[0]!.raw.equals(wanted)) continue;
      const value = parts[parts.length - 1]!.content;
      keyId = readItem(value).content;
    }
  }
  return { subject: Buffer.from(subject), keyId: keyId && Buffer.from(keyId) };
}
