// /proc readers for the benchmarks: host CPU busy (/proc/stat), per-process CPU seconds and RSS / peak RSS.
import { readFileSync, writeFileSync } from 'node:fs';

const KiB = 1024;

/** Aggregate CPU jiffies: {busy, total}. iowait counts as idle. */
export function hostCpu() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = f;
  const total = user + nice + system + idle + iowait + irq + softirq + (steal ?? 0);
  return { busy: total - idle - iowait, total };
}

/** Busy percentage of all cores between two hostCpu() snapshots. */
export const busyPercent = (a, b) => (b.total > a.total ? ((b.busy - a.busy) / (b.total - a.total)) * 100 : NaN);

/** Samples host CPU every `ms`; stop() returns {avg, peak} busy % over the period. */
export function cpuSampler(ms = 1000) {
  const first = hostCpu();
  let last = first;
  let peak = 0;
  const timer = setInterval(() => {
    const now = hostCpu();
    peak = Math.max(peak, busyPercent(last, now));
    last = now;
  }, ms);
  return {
    stop() {
      clearInterval(timer);
      const end = hostCpu();
      const tailBusy = busyPercent(last, end);
      if (Number.isFinite(tailBusy) && end.total - last.total > 50) peak = Math.max(peak, tailBusy);
      return { avg: busyPercent(first, end), peak };
    },
  };
}

/** Busy % of the whole host over the next `ms` (background load before a run). */
export async function busyOver(ms = 1000) {
  const a = hostCpu();
  await new Promise((r) => setTimeout(r, ms));
  return busyPercent(a, hostCpu());
}

/** CPU seconds (user + system) of a process, or NaN when it is gone. */
export function cpuOf(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

/** {rss, hwm} in bytes from /proc/<pid>/status (NaN when gone). */
export function rss(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) * KiB;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return { rss: NaN, hwm: NaN };
  }
}

/** Resets the VmHWM peak (clear_refs 5) so that a later read is the peak of the next phase. */
export function resetPeak(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}
