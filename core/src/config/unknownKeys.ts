/**
 * Unknown keys are warned about, not fatal (Dragonfly ignores them too), but never silently: each warning
 * names the full key path and, when a known key is close, suggests it, so that a misspelt security setting
 * is noticed.
 */
import type { z } from 'zod';

import { formatPath } from './errors.js';

type Def = {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  options?: readonly z.ZodType[];
};

/** What a schema describes, seen through its wrappers: a mapping with known keys, a list, or anything else. */
export type SchemaNode = { kind: 'object'; shape: Record<string, z.ZodType> } | { kind: 'array'; element: z.ZodType } | { kind: 'open' };

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** Looks through wrappers (default, optional, pipes, ...) to the object or array a schema describes. */
export function schemaNode(schema: z.ZodType, depth = 0): SchemaNode {
  if (depth > 20) return { kind: 'open' };
  const def = defOf(schema);
  switch (def.type) {
    case 'object':
      return { kind: 'object', shape: def.shape ?? {} };
    case 'array':
      return def.element ? { kind: 'array', element: def.element } : { kind: 'open' };
    case 'default':
    case 'prefault':
    case 'optional':
    case 'nullable':
    case 'readonly':
    case 'catch':
      return def.innerType ? schemaNode(def.innerType, depth + 1) : { kind: 'open' };
    case 'pipe': {
      const inner = def.in ? schemaNode(def.in, depth + 1) : { kind: 'open' as const };
      return inner.kind === 'open' && def.out ? schemaNode(def.out, depth + 1) : inner;
    }
    default:
      return { kind: 'open' };
  }
}

/** Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const rows: number[][] = Array.from({ length: s.length + 1 }, (_, i) => [i, ...Array<number>(t.length).fill(0)]);
  for (let j = 1; j <= t.length; j += 1) rows[0]![j] = j;
  for (let i = 1; i <= s.length; i += 1) {
    for (let j = 1; j <= t.length; j += 1) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[s.length]![t.length]!;
}

/** The known key closest to `key`, if it is close enough to be a likely typo. */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(key, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const limit = Math.max(1, Math.floor(Math.max(key.length, 3) / 3));
  return bestDistance <= limit ? best : undefined;
}

/**
 * Walks a raw config against its schema and returns one warning per key the schema does not know, e.g.
 * `manager.yaml: security.autoIssueCrt: unknown key, ignored (did you mean "autoIssueCert"?)`. Free-form
 * sections (records such as `plugins.<kind>`, header maps) are not inspected.
 */
export function findUnknownKeys(schema: z.ZodType, value: unknown, source: string): string[] {
  const warnings: string[] = [];
  const visit = (node: z.ZodType, current: unknown, path: PropertyKey[]): void => {
    const shapeNode = schemaNode(node);
    if (shapeNode.kind === 'array' && Array.isArray(current)) {
      current.forEach((item, index) => visit(shapeNode.element, item, [...path, index]));
      return;
    }
    if (shapeNode.kind !== 'object' || current === null || typeof current !== 'object' || Array.isArray(current)) return;
    const known = Object.keys(shapeNode.shape);
    for (const key of Object.keys(current)) {
      const child = Object.hasOwn(shapeNode.shape, key) ? shapeNode.shape[key] : undefined;
      if (child) {
        visit(child, (current as Record<string, unknown>)[key], [...path, key]);
        continue;
      }
      const suggestion = suggestKey(key, known);
      const hint = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
      warnings.push(`${source}: ${formatPath([...path, key])}: unknown key, ignored${hint}`);
    }
  };
  visit(schema, value, []);
  return warnings;
}
