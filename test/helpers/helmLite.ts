/**
 * A renderer for the small subset of Helm templates the d7y chart uses, so the chart can be tested where no
 * helm binary runs: `{{ .Values.a.b }}`, `{{ .Release.Name }}`, `{{ .Chart.Name }}`, `{{ x | quote }}`,
 * `{{- toYaml x | nindent N }}`, with `{{-` trimming the whitespace before the action as Helm does.
 * Anything else throws, so the chart cannot start using a feature this renderer would get wrong.
 */
import { stringify } from 'yaml';

/** What templates can refer to. */
export interface HelmContext {
  Values: Record<string, unknown>;
  Release: { Name: string; Namespace: string };
  Chart: Record<string, unknown>;
}

function lookup(context: HelmContext, path: string): unknown {
  if (!path.startsWith('.')) throw new Error(`unsupported template expression ${JSON.stringify(path)}`);
  let value: unknown = context;
  for (const part of path.slice(1).split('.')) {
    if (value === null || typeof value !== 'object' || !(part in value)) throw new Error(`template refers to missing value ${path}`);
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Renders one template file. */
export function renderHelmTemplate(template: string, context: HelmContext): string {
  return template.replace(/(\s*)\{\{(-?)\s*(.*?)\s*(-?)\}\}/g, (_all, before: string, trimLeft: string, expression: string, trimRight: string) => {
    if (trimRight) throw new Error('`-}}` is not supported by helmLite');
    const lead = trimLeft ? '' : before;
    const toYaml = /^toYaml\s+(\S+)\s*\|\s*nindent\s+(\d+)$/.exec(expression);
    if (toYaml) {
      const indent = ' '.repeat(Number(toYaml[2]));
      const text = stringify(lookup(context, toYaml[1]!)).trimEnd();
      return lead + '\n' + text.split('\n').map((line) => indent + line).join('\n');
    }
    const quoted = /^(\S+)\s*\|\s*quote$/.exec(expression);
    if (quoted) return lead + JSON.stringify(String(lookup(context, quoted[1]!)));
    if (/^\.\S+$/.test(expression)) {
      const value = lookup(context, expression);
      if (value !== null && typeof value === 'object') throw new Error(`${expression} is a mapping; use toYaml`);
      return lead + String(value);
    }
    throw new Error(`unsupported template action {{ ${expression} }}`);
  });
}
