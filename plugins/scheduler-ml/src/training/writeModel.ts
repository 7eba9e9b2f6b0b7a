import { renameSync, writeFileSync } from 'node:fs';

import { metadataPathFor, type ModelMetadata } from '../model/metadata.js';
import type { MlpParameters } from '../model/Mlp.js';
import { encodeMlp } from '../onnx/encodeMlp.js';

/** Writes `data` to `path` through a temporary file and a rename, so a watcher never sees half a file. */
function writeAtomically(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/**
 * Writes the model to `modelPath` as ONNX and its metadata to `metadataPathFor(modelPath)`: metadata first,
 * then the model, each atomically, so a scheduler reloading on the model's change reads a matching pair.
 * Returns the paths and the model bytes.
 */
export function writeModelFiles(modelPath: string, parameters: MlpParameters, metadata: ModelMetadata): { modelPath: string; metadataPath: string; bytes: Uint8Array } {
  const metadataPath = metadataPathFor(modelPath);
  const bytes = encodeMlp(parameters, `d7y parent scorer; features v${metadata.featuresVersion}; target ${metadata.target}`);
  writeAtomically(metadataPath, `${JSON.stringify(metadata, null, 2)}\n`);
  writeAtomically(modelPath, bytes);
  return { modelPath, metadataPath, bytes };
}
