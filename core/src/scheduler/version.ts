import { readFileSync } from 'node:fs';

/** Version of @d7y/core (reported by the `dragonfly_scheduler_version` metric). */
export function schedulerVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
