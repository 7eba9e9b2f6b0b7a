import { readFileSync, statSync, type Stats } from 'node:fs';

import { createError, ErrorCodes } from '@d7y/core/plugin-api';

import { assertModelSignature, inspectModel } from '../onnx/inspectModel.js';
import { metadataPathFor, readModelMetadata, type ModelMetadata } from './metadata.js';

/** What identifies one version of a file: a rewrite or a rename over it changes at least one of these. */
export interface FileIdentity {
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

/** The identity of `stats`. */
export const identityOf = (stats: Stats): FileIdentity => ({ ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs });

/** True when both identities name the same file version. */
export const sameIdentity = (a: FileIdentity | undefined, b: FileIdentity | undefined): boolean =>
  a !== undefined && b !== undefined && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;

/** A model file and its metadata, read and checked, not yet handed to onnxruntime. */
export interface ModelFiles {
  /** The model file's identity, taken before it was read (a change after that is seen as a change). */
  readonly identity: FileIdentity;
  readonly modelPath: string;
  readonly metadataPath: string;
  readonly bytes: Uint8Array;
  readonly metadata: ModelMetadata;
}

/**
 * Reads `modelPath` and its metadata (`metadataPath`, else `metadataPathFor(modelPath)`) synchronously and
 * checks that they fit together and fit this scheduler: the metadata's features are the scheduler's, and the
 * ONNX graph takes `[N, features]` floats and returns `[N, 1]`. Every failure is a coded error naming the
 * file: missing (`D7Y_ERR_PLUGIN_CONFIG`), corrupt (`D7Y_ERR_DATA_CORRUPTED`) or mismatched (`D7Y_ERR_PLUGIN_CONFIG`).
 */
export function loadModelFiles(modelPath: string, metadataPath: string = metadataPathFor(modelPath)): ModelFiles {
  let bytes: Uint8Array;
  let identity: FileIdentity;
  try {
    identity = identityOf(statSync(modelPath));
    bytes = readFileSync(modelPath);
  } catch (err) {
    throw createError(ErrorCodes.PLUGIN_CONFIG, `ml evaluator model ${modelPath} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); train one with d7y train`, { cause: err });
  }
  const metadata = readModelMetadata(metadataPath);
  assertModelSignature(inspectModel(bytes, modelPath), modelPath, metadata.input, metadata.output, metadata.features.length);
  return { identity, modelPath, metadataPath, bytes, metadata };
}
