/**
 * The last good cluster limits on disk (`<server.cacheDir>/dynconfig.json`), so that a scheduler restarted
 * while the manager is down starts on the cluster config it last had. Written atomically, mode 0600; a
 * missing or malformed file reads as nothing, and out-of-range values are ignored field by field.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

import { type ClusterLimits, parseClusterLimits } from './clusterLimits.js';

/** Saves `limits` in the manager's JSON shape. */
export async function saveLimits(path: string, limits: ClusterLimits): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const body = {
    candidate_parent_limit: limits.candidateParentLimit,
    filter_parent_limit: limits.filterParentLimit,
    load_limit: limits.peerLoadLimit,
    seed_load_limit: limits.seedLoadLimit,
    saved_at: new Date().toISOString(),
  };
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(body), { mode: 0o600 });
  await rename(temp, path);
}

/** The saved limits merged over `current`, or undefined when no file can be read. */
export async function loadLimits(path: string, current: ClusterLimits): Promise<ClusterLimits | undefined> {
  let text: Buffer;
  try {
    text = await readFile(path);
  } catch {
    return undefined;
  }
  const saved = (() => {
    try {
      return JSON.parse(text.toString('utf8')) as Record<string, unknown>;
    } catch {
      return {} as Record<string, unknown>;
    }
  })();
  const document = (value: object) => Buffer.from(JSON.stringify(value));
  return parseClusterLimits(
    {
      config: document(saved),
      clientConfig: document({ load_limit: saved.load_limit }),
      seedPeerClusterConfig: document({ load_limit: saved.seed_load_limit }),
    },
    current,
  );
}
