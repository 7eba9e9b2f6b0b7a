/**
 * Validation of manager gRPC requests. Every field is checked and bounded; errors are
 * `D7Y_ERR_INVALID_ARGUMENT` naming the (proto) field.
 */
import { isIP } from 'node:net';

import { createError, ErrorCodes } from '../../common/errors.js';
import { unmapIp } from '../searcher/affinity.js';

/** Longest host name accepted (the column holds 256). */
export const MAX_HOSTNAME_LENGTH = 256;
/** Longest idc / location accepted. */
export const MAX_SCOPE_TEXT_LENGTH = 1024;
/** Longest version / commit string accepted. */
export const MAX_VERSION_LENGTH = 128;
/** Most features a scheduler may announce. */
export const MAX_FEATURES = 32;
/** Largest scheduler `config` JSON accepted, in bytes. */
export const MAX_CONFIG_BYTES = 64 * 1024;
/** The largest cluster id accepted. */
export const MAX_CLUSTER_ID = Number.MAX_SAFE_INTEGER;

/** Throws `D7Y_ERR_INVALID_ARGUMENT` naming `field`. */
export function invalidField(field: string, message: string): never {
  throw createError(ErrorCodes.INVALID_ARGUMENT, `${field}: ${message}`, { details: { field } });
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A required host name: 1..256 characters without control characters or whitespace. */
export function hostnameField(value: unknown, field = 'hostname'): string {
  if (typeof value !== 'string' || value.length === 0) invalidField(field, 'required');
  if (value.length > MAX_HOSTNAME_LENGTH) invalidField(field, `at most ${MAX_HOSTNAME_LENGTH} characters`);
  if (CONTROL.test(value) || /\s/.test(value)) invalidField(field, 'must not contain whitespace or control characters');
  return value;
}

/** A required IPv4 or IPv6 address (IPv4-mapped IPv6 is unmapped). */
export function ipField(value: unknown, field = 'ip'): string {
  if (typeof value !== 'string' || value.length === 0) invalidField(field, 'required');
  const ip = unmapIp(value);
  if (isIP(ip) === 0) invalidField(field, 'expected an IPv4 or IPv6 address');
  return ip;
}

/** Optional text (idc, location, version...): '' when absent, bounded, no control characters. */
export function textField(value: unknown, field: string, max: number): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') invalidField(field, 'expected a string');
  if (value.length > max) invalidField(field, `at most ${max} characters`);
  if (CONTROL.test(value)) invalidField(field, 'must not contain control characters');
  return value;
}

/** A port 1..65535 (0 allowed when `optional`). */
export function portField(value: unknown, field: string, optional = false): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < (optional ? 0 : 1) || value > 65535) {
    invalidField(field, `expected ${optional ? 0 : 1}..65535`);
  }
  return value;
}

/** A cluster id: 0 means "not given" when `allowZero`, otherwise 1..2^53-1. */
export function clusterIdField(value: unknown, field: string, allowZero: boolean): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < (allowZero ? 0 : 1) || value > MAX_CLUSTER_ID) {
    invalidField(field, allowZero ? 'expected a cluster id or 0' : 'required (a positive cluster id)');
  }
  return value;
}

/** The source type, checked against the kinds allowed for this call. */
export function sourceTypeField(value: unknown, allowed: readonly string[], field = 'source_type'): string {
  if (typeof value !== 'string' || !allowed.includes(value)) invalidField(field, `expected ${allowed.join(' or ')}`);
  return value;
}

/** Feature names: at most `MAX_FEATURES`, each a short lower-case name; empty means the defaults. */
export function featuresField(value: unknown, field = 'features'): string[] {
  if (!Array.isArray(value)) invalidField(field, 'expected a list');
  if (value.length > MAX_FEATURES) invalidField(field, `at most ${MAX_FEATURES} entries`);
  return value.map((entry, i) => {
    if (typeof entry !== 'string' || !/^[a-z_][a-z0-9_-]{0,63}$/.test(entry)) invalidField(`${field}[${i}]`, 'expected a feature name');
    return entry;
  });
}

/** A JSON object in bytes (empty means `{}`), at most `MAX_CONFIG_BYTES`. */
export function jsonObjectField(value: unknown, field: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  const bytes = value instanceof Uint8Array ? value : undefined;
  if (!bytes) invalidField(field, 'expected bytes');
  if (bytes.length === 0) return {};
  if (bytes.length > MAX_CONFIG_BYTES) invalidField(field, `at most ${MAX_CONFIG_BYTES} bytes`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    invalidField(field, 'expected a JSON object');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) invalidField(field, 'expected a JSON object');
  return parsed as Record<string, unknown>;
}

/** Seed peer host types accepted from UpdateSeedPeer. */
export function seedPeerTypeField(value: unknown, field = 'type'): string {
  if (value === undefined || value === '') return 'super';
  if (value !== 'super' && value !== 'strong' && value !== 'weak') invalidField(field, 'expected super, strong or weak');
  return value;
}
