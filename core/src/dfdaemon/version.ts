import { readFileSync } from 'node:fs';

/** Package version of @d7y/core. */
export function coreVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}
