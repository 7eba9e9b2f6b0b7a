import cliProgress from 'cli-progress';

/** Reports download progress; a bar on a terminal, nothing otherwise. */
export interface Progress {
  start(total: number): void;
  advance(bytes: number): void;
  stop(): void;
}

/** A progress bar on stderr when it is a terminal and progress is wanted; a no-op otherwise. */
export function createProgress(enabled: boolean, label: string): Progress {
  if (!enabled || !process.stderr.isTTY) return { start() {}, advance() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {done}/{size} | {speed} | ETA {eta_formatted}`,
      stream: process.stderr,
      hideCursor: true,
      formatValue: (value, _options, type) => (type === 'value' || type === 'total' ? formatBytes(value) : String(value)),
    },
    cliProgress.Presets.shades_classic,
  );
  let done = 0;
  let startedAt = 0;
  let total = 0;
  const payload = () => {
    const seconds = Math.max(0.001, (performance.now() - startedAt) / 1000);
    return { done: formatBytes(done), size: formatBytes(total), speed: `${formatBytes(done / seconds)}/s` };
  };
  return {
    start(size) {
      total = size;
      startedAt = performance.now();
      bar.start(Math.max(1, size), 0, payload());
    },
    advance(bytes) {
      done += bytes;
      bar.update(done, payload());
    },
    stop() {
      bar.stop();
    },
  };
}

/** `1536` -> `1.5 KiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
