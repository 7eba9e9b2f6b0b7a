import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { lstat, mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { createDigester, parseDigest } from '../common/digests.js';
import { createError, ErrorCodes } from '../common/errors.js';
import type { SourceClient } from '../plugin-api/index.js';
import type { DfgetOptions } from './options.js';
import type { Progress } from './progress.js';

/**
 * Downloads straight from the source into the output file (used when no dfdaemon answers). The bytes go to a
 * temporary file beside the output, are checked against `--digest`, and only then renamed into place.
 */
export async function downloadDirect(source: SourceClient, options: DfgetOptions, progress: Progress): Promise<number> {
  const existing = await lstat(options.output).catch(() => undefined);
  if (existing && !options.overwrite) {
    throw createError(ErrorCodes.ALREADY_EXISTS, `output file ${options.output} exists; pass --overwrite to replace it`);
  }
  await mkdir(dirname(options.output), { recursive: true });
  const temporary = join(dirname(options.output), `.${basename(options.output)}.d7y-${randomBytes(6).toString('hex')}`);
  const signal = AbortSignal.timeout(options.timeoutMs);
  const digester = options.digest ? createDigester(parseDigest(options.digest).algorithm) : undefined;
  try {
    const body = await source.get({ url: new URL(options.url), headers: options.headers, signal, objectStorage: options.objectStorage, hdfs: options.hdfs });
    progress.start(body.contentLength >= 0 ? body.contentLength : 0);
    let bytes = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        digester?.update(chunk);
        progress.advance(chunk.length);
        done(null, chunk);
      },
    });
    await pipeline(body.stream, tap, createWriteStream(temporary, { flags: 'wx', mode: 0o644 }));
    if (digester && options.digest) {
      const actual = digester.digest();
      if (parseDigest(actual).encoded !== parseDigest(options.digest).encoded) {
        throw createError(ErrorCodes.DIGEST_MISMATCH, `digest mismatch: expected ${options.digest}, got ${actual}`);
      }
    }
    await rename(temporary, options.output);
    return bytes;
  } catch (error) {
    await rm(temporary, { force: true });
    if (signal.aborted) throw createError(ErrorCodes.TIMEOUT, `download timed out after ${options.timeoutMs} ms`);
    throw error;
  }
}
