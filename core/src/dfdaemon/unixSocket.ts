import { chmod, lstat, mkdir, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { dirname } from 'node:path';

import { createError, ErrorCodes } from '../common/errors.js';

/**
 * Prepares a Unix socket path: creates its directory (0755), refuses to start when another process is still
 * listening on it, and removes a stale socket file left by a crash. Refuses to remove anything but a socket.
 */
export async function prepareSocketPath(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o755 });
  const existing = await lstat(path).catch(() => undefined);
  if (!existing) return;
  if (!existing.isSocket()) {
    throw createError(ErrorCodes.FAILED_PRECONDITION, `${path} exists and is not a socket; refusing to replace it`);
  }
  const alive = await new Promise<boolean>((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
  if (alive) throw createError(ErrorCodes.FAILED_PRECONDITION, `another process is listening on ${path}; is dfdaemon already running?`);
  await rm(path, { force: true });
}

/** Restricts the socket to its owner (mode 0600). */
export async function restrictSocket(path: string): Promise<void> {
  await chmod(path, 0o600);
}
