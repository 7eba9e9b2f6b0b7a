/** A small unified diff (whole-file hunk with changed lines marked) for `d7y init --dry-run`. */

/** Longest-common-subsequence line diff of two texts; each line prefixed with ' ', '-' or '+'. */
export function lineDiff(before: string, after: string): string[] {
  const a = before === '' ? [] : before.replace(/\n$/, '').split('\n');
  const b = after === '' ? [] : after.replace(/\n$/, '').split('\n');
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push(` ${a[i]}`);
      i++;
      j++;
    } else if (i < a.length && (j === b.length || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      out.push(`-${a[i]}`);
      i++;
    } else {
      out.push(`+${b[j]}`);
      j++;
    }
  }
  return out;
}

/** `--- path` / `+++ path` headers and the line diff; `before` undefined means the file does not exist yet. */
export function unifiedDiff(path: string, before: string | undefined, after: string): string {
  const lines = lineDiff(before ?? '', after);
  return [`--- ${before === undefined ? '/dev/null' : path}`, `+++ ${path}`, ...lines].join('\n') + '\n';
}
