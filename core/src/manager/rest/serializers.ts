/**
 * Response shapes of the auth resources, by allowlist: a field reaches a client only if it is copied here.
 * Password hashes, token versions and PAT digests are never copied.
 */
import type { AuditRecord } from '../auth/AuditRepository.js';
import type { PatRecord } from '../auth/PersonalAccessTokenRepository.js';
import type { UserRecord } from '../auth/UserRepository.js';

/** A user in Dragonfly's JSON shape. */
export function userJson(user: UserRecord) {
  return {
    id: user.id,
    created_at: user.created_at,
    updated_at: user.updated_at,
    is_del: 0,
    email: user.email ?? '',
    name: user.name,
    avatar: user.avatar,
    phone: user.phone,
    state: user.state,
    location: user.location,
    bio: user.bio,
  };
}

/** A personal access token in Dragonfly's JSON shape, without its value. */
export function patJson(pat: PatRecord) {
  return {
    id: pat.id,
    created_at: pat.created_at,
    updated_at: pat.updated_at,
    is_del: 0,
    name: pat.name,
    bio: pat.bio,
    scopes: pat.scopes,
    state: pat.state,
    expired_at: pat.expired_at,
    last_used_at: pat.last_used_at,
    user_id: pat.user_id,
  };
}

/** An audit row in Dragonfly's JSON shape. */
export function auditJson(audit: AuditRecord) {
  return {
    id: audit.id,
    actor_type: audit.actor_type,
    actor_name: audit.actor_name,
    event_type: audit.event_type,
    operation: audit.operation,
    operated_at: audit.operated_at,
    state: audit.state,
    path: audit.path,
    status_code: audit.status_code,
    ip: audit.ip,
  };
}
