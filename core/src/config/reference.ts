/**
 * The operator's configuration reference, generated from the zod schemas of `manager.yaml`,
 * `scheduler.yaml` and `dfdaemon.yaml` (their keys, types, defaults and `.describe()` texts), so that the
 * documentation cannot drift from what the loader accepts. `npm run docs:config` writes it to
 * `docs/config-reference.md`; a test fails when the committed file is stale.
 */
import type { z } from 'zod';

import { formatDuration, formatSize } from '../common/units.js';
import { CONFIG_ROLES, CONFIG_SCHEMAS, type ConfigRole } from './roles.js';
import { UNIT_FIELDS } from './schema/fields.js';

/** One documented key. */
export interface ReferenceRow {
  /** Dotted path; list items appear as `key[]`. */
  readonly key: string;
  readonly type: string;
  /** The default as it would be written in YAML; empty when there is none. */
  readonly defaultText: string;
  readonly description: string;
  /** True for a section (mapping of further keys). */
  readonly section: boolean;
}

type Def = { type: string; innerType?: z.ZodType; defaultValue?: unknown; in?: z.ZodType; out?: z.ZodType; shape?: Record<string, z.ZodType>; element?: z.ZodType; entries?: Record<string, string>; options?: z.ZodType[]; valueType?: z.ZodType; format?: string };

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

interface Unwrapped {
  core: z.ZodType;
  description: string;
  hasDefault: boolean;
  defaultValue: unknown;
  optional: boolean;
  unit: 'duration' | 'size' | undefined;
}

/** Peels default/prefault/optional wrappers, collecting the outermost description and the default. */
function unwrap(schema: z.ZodType): Unwrapped {
  const out: Unwrapped = { core: schema, description: '', hasDefault: false, defaultValue: undefined, optional: false, unit: undefined };
  let current = schema;
  for (;;) {
    if (!out.description && current.description) out.description = current.description;
    const def = defOf(current);
    if (def.type === 'default' && !out.hasDefault) {
      out.hasDefault = true;
      out.defaultValue = def.defaultValue;
    } else if (def.type === 'optional') {
      out.optional = true;
    } else if (def.type !== 'prefault' && def.type !== 'default') {
      break;
    }
    current = def.innerType!;
  }
  if (UNIT_FIELDS.duration.has(current)) out.unit = 'duration';
  else if (UNIT_FIELDS.size.has(current)) out.unit = 'size';
  else if (defOf(current).type === 'pipe' && defOf(defOf(current).out!).type === 'object') current = defOf(current).out!; // z.preprocess(..., object)
  out.core = current;
  return out;
}

function typeName(schema: z.ZodType, unit: Unwrapped['unit']): string {
  if (unit) return unit;
  const def = defOf(schema);
  switch (def.type) {
    case 'string':
      return 'string';
    case 'number':
      return def.format === 'safeint' ? 'integer' : 'number';
    case 'boolean':
      return 'boolean';
    case 'enum':
      return Object.values(def.entries ?? {}).join(' \\| ');
    case 'object':
      return 'mapping';
    case 'record':
      return 'mapping';
    case 'array':
      return `list of ${typeName(unwrap(def.element!).core, unwrap(def.element!).unit)}`;
    case 'union':
      return (def.options ?? []).map((option) => typeName(option, undefined)).join(' or ');
    case 'pipe':
      return typeName(def.in!, undefined);
    default:
      return def.type;
  }
}

function formatDefault(value: unknown, unit: Unwrapped['unit']): string {
  if (value === undefined) return '';
  if (unit === 'duration' && typeof value === 'number') return formatDuration(value);
  if (unit === 'size' && typeof value === 'number') return formatSize(value);
  if (typeof value === 'string') return value === '' ? '""' : value;
  if (Array.isArray(value) && value.length === 0) return '[]';
  if (typeof value === 'object' && value !== null && Object.keys(value).length === 0) return '{}';
  return JSON.stringify(value);
}

/** Every key of a schema, depth first, in declaration order. */
export function referenceRows(schema: z.ZodType, prefix = ''): ReferenceRow[] {
  const rows: ReferenceRow[] = [];
  const shape = defOf(unwrap(schema).core).shape ?? {};
  for (const [name, field] of Object.entries(shape)) {
    const key = prefix ? `${prefix}.${name}` : name;
    const info = unwrap(field);
    const def = defOf(info.core);
    const section = def.type === 'object';
    const element = def.type === 'array' ? unwrap(def.element!) : undefined;
    const itemSection = element !== undefined && defOf(element.core).type === 'object';
    rows.push({
      key,
      type: section ? (info.optional ? 'mapping (optional)' : 'mapping') : itemSection ? 'list of mappings' : typeName(info.core, info.unit),
      defaultText: section ? '' : formatDefault(info.defaultValue, info.unit),
      description: info.description,
      section,
    });
    if (section) rows.push(...referenceRows(info.core, key));
    if (itemSection) rows.push(...referenceRows(element.core, `${key}[]`));
  }
  return rows;
}

const FILES: Readonly<Record<ConfigRole, string>> = { manager: 'manager.yaml', scheduler: 'scheduler.yaml', dfdaemon: 'dfdaemon.yaml' };

const escape = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The whole reference as Markdown. */
export function configReferenceMarkdown(): string {
  const lines = [
    '# Configuration reference',
    '',
    '<!-- Generated by `npm run docs:config` from core/src/config/schema/*.ts. Do not edit by hand. -->',
    '',
    'Every key each role reads, with its type, default and meaning, generated from the schemas the config',
    'loader validates with, so it always matches the code. Keys and defaults follow Dragonfly v2 (the Go',
    'manager and scheduler, the Rust client for `dfdaemon.yaml`); keys marked *d7y addition* are our own.',
    'Durations take units (`500ms`, `30s`, `5m`, `48h`); sizes take decimal or binary units (`50GB`, `4MiB`).',
    'Check a file with `d7y config check --role <role> --config <file>`; it prints the effective config.',
    '',
  ];
  for (const role of CONFIG_ROLES) {
    const schema = CONFIG_SCHEMAS[role] as unknown as z.ZodType;
    lines.push(`## ${FILES[role]}`, '', schema.description ?? '', '', '| Key | Type | Default | Description |', '|---|---|---|---|');
    for (const row of referenceRows(schema)) {
      const key = row.section ? `**\`${row.key}\`**` : `\`${row.key}\``;
      const defaultText = row.defaultText ? `\`${escape(row.defaultText)}\`` : '';
      lines.push(`| ${key} | ${row.type} | ${defaultText} | ${escape(row.description)} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
