import type { commonV2 } from '@d7y/proto';

/**
 * The Download a seed peer is triggered with: the registering peer's download with `need_back_to_source`
 * set, and everything that only makes sense on the requester's own host removed (output path, hard link,
 * overwrite, piece content, metadata-only). The range is dropped too, so that the seed fetches the whole
 * task once for every child (the task id does not depend on the range).
 */
export function seedDownload(download: commonV2.Download__Output): commonV2.Download {
  const copy: commonV2.Download = { ...(download as unknown as commonV2.Download) };
  copy.needBackToSource = true;
  delete copy.outputPath;
  delete copy.range;
  copy.forceHardLink = false;
  copy.overwrite = false;
  copy.needPieceContent = false;
  copy.metadataOnly = false;
  copy.prefetch = false;
  copy.isPrefetch = false;
  return copy;
}
