/**
 * The priority a registration is scheduled with (Dragonfly's `CalculatePriority`). A download that names a
 * priority other than LEVEL0 keeps it. A LEVEL0 download takes the priority of the manager application its
 * task names: the first of the application's URL rules whose regex matches the task URL, else the
 * application's own value. No application, no priority on it, or no manager: LEVEL0 (scheduled like LEVEL6).
 */
import type { managerV2 } from '@d7y/proto';

import type { Priority } from '../resource/Peer.js';

/** The applications the manager listed (empty without a manager). */
export type Applications = readonly managerV2.Application__Output[];

const LEVELS = new Set<string>(['LEVEL0', 'LEVEL1', 'LEVEL2', 'LEVEL3', 'LEVEL4', 'LEVEL5', 'LEVEL6']);
const compiled = new Map<string, RegExp | null>();
const MAX_COMPILED = 1024;

/** The priority to schedule `requested` with, for a task of `application` at `url`. */
export function effectivePriority(requested: Priority, task: { readonly application?: string; readonly url: string }, applications: Applications): Priority {
  if (requested !== 'LEVEL0' || !task.application) return requested;
  const application = applications.find((candidate) => candidate.name === task.application);
  const rules = application?.priority;
  if (!rules) return 'LEVEL0';
  for (const rule of rules.urls ?? []) {
    if (regex(rule.regex)?.test(task.url)) return level(rule.value);
  }
  return level(rules.value);
}

function level(value: unknown): Priority {
  return typeof value === 'string' && LEVELS.has(value) ? (value as Priority) : 'LEVEL0';
}

/** A rule's regex, compiled once; an invalid one matches nothing (the manager validates them on write). */
function regex(source: string): RegExp | null {
  let pattern = compiled.get(source);
  if (pattern === undefined) {
    try {
      pattern = new RegExp(source);
    } catch {
      pattern = null;
    }
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(source, pattern);
  }
  return pattern;
}
