import type { schedulerV2 } from '@d7y/proto';

import type { Peer } from '../resource/Peer.js';
import {
  handleDownloadPeerBackToSourceStarted,
  handleDownloadPeerFailed,
  handleDownloadPeerFinished,
  handleDownloadPeerStarted,
  handleReschedulePeer,
  type EventOutcome,
} from './peerEvents.js';
import type { PeerStream } from './PeerStream.js';
import {
  handleDownloadPieceBackToSourceFailed,
  handleDownloadPieceBackToSourceFinished,
  handleDownloadPieceFailed,
  handleDownloadPieceFinished,
} from './pieceEvents.js';
import type { ServiceContext } from './ServiceContext.js';
import { invalid } from './validateCommon.js';

/** Routes one AnnouncePeer message (other than register) of a bound stream to its handler. */
export async function dispatchPeerEvent(
  ctx: ServiceContext,
  stream: PeerStream,
  peer: Peer,
  message: schedulerV2.AnnouncePeerRequest__Output,
): Promise<EventOutcome> {
  switch (message.request) {
    case 'downloadPeerStartedRequest':
      return handleDownloadPeerStarted(ctx, peer);
    case 'downloadPeerBackToSourceStartedRequest':
      return handleDownloadPeerBackToSourceStarted(ctx, peer);
    case 'reschedulePeerRequest':
      return handleReschedulePeer(ctx, stream, peer, message.reschedulePeerRequest);
    case 'downloadPeerFinishedRequest':
      return handleDownloadPeerFinished(ctx, peer, false);
    case 'downloadPeerBackToSourceFinishedRequest':
      return handleDownloadPeerFinished(ctx, peer, true);
    case 'downloadPeerFailedRequest':
      return handleDownloadPeerFailed(ctx, peer, false, message.downloadPeerFailedRequest?.description ?? undefined);
    case 'downloadPeerBackToSourceFailedRequest':
      return handleDownloadPeerFailed(ctx, peer, true, message.downloadPeerBackToSourceFailedRequest?.description ?? undefined);
    case 'downloadPieceFinishedRequest':
      return handleDownloadPieceFinished(ctx, peer, message.downloadPieceFinishedRequest);
    case 'downloadPieceBackToSourceFinishedRequest':
      return handleDownloadPieceBackToSourceFinished(ctx, peer, message.downloadPieceBackToSourceFinishedRequest);
    case 'downloadPieceFailedRequest':
      return handleDownloadPieceFailed(ctx, peer, message.downloadPieceFailedRequest);
    case 'downloadPieceBackToSourceFailedRequest':
      return handleDownloadPieceBackToSourceFailed(ctx, peer, message.downloadPieceBackToSourceFailedRequest);
    default:
      return invalid(`unknown AnnouncePeer request ${String(message.request)}`);
  }
}
