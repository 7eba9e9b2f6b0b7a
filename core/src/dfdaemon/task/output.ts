import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, link, lstat, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join, basename } from 'node:path';

import { createError, ErrorCodes } from '../../common/errors.js';

export interface OutputOptions {
  overwrite?: boolean;
  forceHardLink?: boolean;
}

/**
 * Places a finished task's content file at `output`: hard link when possible (same filesystem, as Dragonfly
 * does), else a copy (a reflink where the filesystem supports it). The file appears atomically: it is linked or
 * copied to a temporary name beside the target and renamed over it, so a failed or interrupted download never
 * leaves a partial output file. An existing file is replaced only with `overwrite`.
 */
export async function placeOutput(contentPath: string, output: string, options: OutputOptions = {}): Promise<'hardlink' | 'copy'> {
  if (!isAbsolute(output)) throw createError(ErrorCodes.INVALID_ARGUMENT, `output path must be absolute, got ${output}`);
  const existing = await lstat(output).catch(() => undefined);
  if (existing?.isDirectory()) throw createError(ErrorCodes.INVALID_ARGUMENT, `output path ${output} is a directory`);
  if (existing && !options.overwrite) {
    throw createError(ErrorCodes.ALREADY_EXISTS, `output file ${output} exists; pass --overwrite to replace it`);
  }
  await mkdir(dirname(output), { recursive: true });
  const temporary = join(dirname(output), `.${basename(output)}.d7y-${randomBytes(6).toString('hex')}`);
  let method: 'hardlink' | 'copy' = 'hardlink';
  try {
    try {
      await link(contentPath, temporary);
    } catch (error) {
      if (options.forceHardLink) {
        throw createError(ErrorCodes.FAILED_PRECONDITION, `cannot hard-link to ${output}: ${(error as Error).message}`);
      }
      method = 'copy';
      await copyFile(contentPath, temporary, constants.COPYFILE_FICLONE);
    }
    await rename(temporary, output);
    return method;
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
