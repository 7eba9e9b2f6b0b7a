import type { SchedulingObserver } from '../scheduling/Scheduling.js';
import type { DownloadRecorder } from './DownloadRecorder.js';

/** Feeds every scheduling decision into `recorder`, keyed by the child peer object. */
export function recordingObserver(recorder: DownloadRecorder): SchedulingObserver {
  return {
    decided(peer, child, ranked, chosen) {
      recorder.decided(peer, peer.task.id, child, ranked, chosen, peer.task.pieceCount);
    },
  };
}
