/** Reading the Prometheus text exposition format (what every role's `/metrics` serves). */

/**
 * Sum of the samples of `name` whose labels include every pair of `labels` (exact values). A sample line is
 * `name{a="x",b="y"} value` or `name value`; HELP/TYPE lines are skipped. Returns undefined when no sample
 * of that name exists at all, so a missing metric and a zero one read differently.
 */
export function metricValue(text: string, name: string, labels: Readonly<Record<string, string>> = {}): number | undefined {
  let found = false;
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const sample: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) sample[pair[1]!] = pair[2]!;
    if (Object.entries(labels).some(([key, value]) => sample[key] !== value)) continue;
    found = true;
    sum += Number(match[3]);
  }
  return found ? sum : undefined;
}
