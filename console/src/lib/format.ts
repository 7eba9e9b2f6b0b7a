/** Formatting helpers for tables and detail pages. */

/** A date as local `YYYY-MM-DD HH:MM:SS`, or `—` when absent or invalid. */
export function formatDate(value: string | null | undefined): string {
  if (!value) return '—';
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || date.getTime() <= 0) return '—';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** "3 s ago", "5 min ago", "2 h ago", "4 d ago" relative to `now`. */
export function timeAgo(value: string | null | undefined, now = Date.now()): string {
  if (!value) return 'never';
  const ms = now - new Date(value).getTime();
  if (Number.isNaN(ms)) return 'never';
  if (ms < 0) return 'just now';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

/** Splits a comma- or newline-separated list, trimming and dropping empty entries. */
export function splitList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}
