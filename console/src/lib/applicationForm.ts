/**
 * The application form: name, URL, description and priority (Dragonfly's `{value, urls: [{regex, value}]}`,
 * levels 0–6; the first matching URL rule wins over the default level).
 */
import type { Application } from '../api/types';

/** The form, as typed; rules are lines `<level> <regex>`. */
export interface ApplicationForm {
  name: string;
  url: string;
  bio: string;
  priority: string;
  rules: string;
}

/** An empty application form (priority level 0). */
export function emptyApplicationForm(): ApplicationForm {
  return { name: '', url: '', bio: '', priority: '0', rules: '' };
}

/** The form of an existing application. */
export function applicationToForm(app: Application): ApplicationForm {
  return {
    name: app.name,
    url: app.url ?? '',
    bio: app.bio ?? '',
    priority: String(app.priority?.value ?? 0),
    rules: (app.priority?.urls ?? []).map((r) => `${r.value} ${r.regex}`).join('\n'),
  };
}

export type ApplicationRequest = { ok: true; body: Record<string, unknown> } | { ok: false; errors: Partial<Record<keyof ApplicationForm, string>> };

const LEVEL = /^[0-6]$/;

/** The request body, or the problems keyed by field. */
export function buildApplicationRequest(form: ApplicationForm): ApplicationRequest {
  const errors: Partial<Record<keyof ApplicationForm, string>> = {};
  if (form.name.trim() === '') errors.name = 'required';
  if (!LEVEL.test(form.priority.trim())) errors.priority = 'a level from 0 to 6';
  const urls: Array<{ regex: string; value: number }> = [];
  form.rules.split('\n').forEach((line, i) => {
    if (line.trim() === '' || errors.rules) return;
    const match = /^\s*(\d+)\s+(\S.*?)\s*$/.exec(line);
    if (!match || !LEVEL.test(match[1])) {
      errors.rules = `line ${i + 1}: expected "<level 0-6> <regex>"`;
      return;
    }
    try {
      new RegExp(match[2]);
    } catch {
      errors.rules = `line ${i + 1}: not a regular expression`;
      return;
    }
    urls.push({ regex: match[2], value: Number(match[1]) });
  });
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, body: { name: form.name.trim(), url: form.url.trim(), bio: form.bio.trim(), priority: { value: Number(form.priority.trim()), ...(urls.length ? { urls } : {}) } } };
}
