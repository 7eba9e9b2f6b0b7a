/**
 * Renders a `PluginReport` as plain text for `d7y plugins`: a table of loaded plugins, then the optional
 * built-ins that are not installed, the refused plugins with their reasons, and the ignored pluginDir entries.
 */
import { formatFailure } from './failures.js';
import type { PluginInfo, PluginReport } from './types.js';

const COLUMNS = ['KIND', 'NAME', 'VERSION', 'API', 'SCHEMES', 'ORIGIN', 'FROM', 'NOTES'] as const;

function row(info: PluginInfo): string[] {
  const notes = (info.replaced ?? []).map((r) => `overrides ${r.id} (${r.from})`).join('; ');
  return [
    info.kind,
    info.name,
    info.version ?? '-',
    info.apiVersion,
    info.schemes.length > 0 ? info.schemes.join(',') : '-',
    info.origin,
    info.from,
    notes,
  ];
}

/** Lays out rows as left-aligned columns separated by two spaces, without trailing blanks. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows].map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

/** The readable report: loaded plugins table plus "not installed", "refused" and "ignored" sections. */
export function formatPluginReport(report: PluginReport): string {
  const out: string[] = [`plugins for ${report.role}:`];
  out.push(report.loaded.length > 0 ? formatTable(COLUMNS, report.loaded.map(row)) : '  (none loaded)');
  if (report.notInstalled.length > 0) {
    out.push('', 'not installed (optional):');
    for (const p of report.notInstalled) out.push(`  ${p.specifier}${p.kind === undefined ? '' : ` (${p.kind})`}`);
  }
  if (report.refused.length > 0) {
    out.push('', `refused (${report.refused.length}):`);
    for (const failure of report.refused) out.push(`  ${formatFailure(failure)}`);
  }
  if (report.ignored.length > 0) {
    out.push('', 'ignored pluginDir entries:');
    for (const entry of report.ignored) out.push(`  ${entry.path}: ${entry.reason}`);
  }
  return out.join('\n');
}
