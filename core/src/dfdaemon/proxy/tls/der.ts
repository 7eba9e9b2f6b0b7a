/**
 * The few ASN.1 DER pieces X.509 certificates need: an encoder for the types we write and a reader that walks
 * tag-length-value items, enough to take the subject and key identifier out of a configured CA certificate.
 */

/** Encodes a DER length. */
function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV with the given tag byte. */
export function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(content.length), content]);
}

/** SEQUENCE of the given items. */
export const sequence = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
/** SET of the given items. */
export const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
/** OCTET STRING. */
export const octetString = (content: Buffer): Buffer => tlv(0x04, content);
/** BIT STRING with no unused bits. */
export const bitString = (content: Buffer): Buffer => tlv(0x03, Buffer.concat([Buffer.from([0]), content]));
/** BOOLEAN. */
export const boolean = (value: boolean): Buffer => tlv(0x01, Buffer.from([value ? 0xff : 0]));
/** NULL. */
export const nullValue = (): Buffer => Buffer.from([0x05, 0x00]);
/** UTF8String. */
export const utf8String = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'));
/** Context-specific constructed (EXPLICIT) tag `[n]`. */
export const explicit = (n: number, content: Buffer): Buffer => tlv(0xa0 | n, content);
/** Context-specific primitive (IMPLICIT) tag `[n]`. */
export const implicit = (n: number, content: Buffer): Buffer => tlv(0x80 | n, content);

/** A non-negative INTEGER from big-endian bytes (a leading zero is added when the top bit is set). */
export function unsignedInteger(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  return tlv(0x02, trimmed[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

/** A small INTEGER. */
export const smallInteger = (n: number): Buffer => unsignedInteger(Buffer.from([n]));

/** OBJECT IDENTIFIER from dotted text. */
export function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const bytes: number[] = [40 * parts[0]! + parts[1]!];
  for (const part of parts.slice(2)) {
    const groups: number[] = [];
    let v = part;
    do {
      groups.unshift(v & 0x7f);
      v = Math.floor(v / 128);
    } while (v > 0);
    for (let i = 0; i < groups.length - 1; i++) groups[i]! |= 0x80;
    bytes.push(...groups);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** UTCTime (years 1950-2049) or GeneralizedTime, as X.509 requires. */
export function time(date: Date): Buffer {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '');
  const year = date.getUTCFullYear();
  return year < 2050 ? tlv(0x17, Buffer.from(`${digits.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${digits}Z`));
}

/** One decoded item: its tag, the whole encoding and the content bytes. */
export interface DerItem {
  tag: number;
  /** Tag, length and content. */
  raw: Buffer;
  content: Buffer;
}

/** Reads the item at `offset`; throws on truncated or indefinite-length input. */
export function readItem(data: Buffer, offset = 0): DerItem {
  if (offset + 2 > data.length) throw new Error('DER: truncated');
  const tag = data[offset]!;
  let len = data[offset + 1]!;
  let header = 2;
  if (len & 0x80) {
    const count = len & 0x7f;
    if (count === 0 || count > 4 || offset + 2 + count > data.length) throw new Error('DER: unsupported length');
    len = 0;
    for (let i = 0; i < count; i++) len = len * 256 + data[offset + 2 + i]!;
    header += count;
  }
  const end = offset + header + len;
  if (end > data.length) throw new Error('DER: truncated');
  return { tag, raw: data.subarray(offset, end), content: data.subarray(offset + header, end) };
}

/** The items inside a constructed item. */
export function children(item: DerItem): DerItem[] {
  const out: DerItem[] = [];
  for (let offset = 0; offset < item.content.length; ) {
    const child = readItem(item.content, offset);
    out.push(child);
    offset += child.raw.length;
  }
  return out;
}
