import { describe, expect, it } from 'vitest';

import { buildApplicationRequest, emptyApplicationForm } from './applicationForm';
import { formatDate, splitList, timeAgo } from './format';
import { can, isRoot } from './permissions';
import { buildTaskJobRequest, emptyTaskForm } from './taskJob';

describe('permissions', () => {
  it('follows the casbin rule: * allows read, read does not allow *', () => {
    const guest = [{ object: 'clusters', action: 'read' as const }];
    const admin = [{ object: 'clusters', action: '*' as const }];
    expect(can(guest, 'clusters', 'read')).toBe(true);
    expect(can(guest, 'clusters', '*')).toBe(false);
    expect(can(admin, 'clusters', 'read')).toBe(true);
    expect(can(admin, 'jobs', 'read')).toBe(false);
    expect(can(undefined, 'jobs', 'read')).toBe(false);
    expect(isRoot(['guest', 'root'])).toBe(true);
    expect(isRoot(['guest'])).toBe(false);
  });
});

describe('task jobs', () => {
  it('builds get_task and delete_task bodies from a URL or a task id', () => {
    expect(buildTaskJobRequest('get_task', { ...emptyTaskForm(), url: 'https://e.com/f', tag: 't', clusterIds: [2] })).toEqual({ ok: true, body: { type: 'get_task', args: { url: 'https://e.com/f', tag: 't' }, scheduler_cluster_ids: [2] } });
    expect(buildTaskJobRequest('delete_task', { ...emptyTaskForm(), taskId: 'abc' })).toEqual({ ok: true, body: { type: 'delete_task', args: { task_id: 'abc' } } });
    expect(buildTaskJobRequest('get_task', emptyTaskForm()).ok).toBe(false);
    expect(buildTaskJobRequest('get_task', { ...emptyTaskForm(), url: 'file:///etc/passwd' }).ok).toBe(false);
  });
});

describe('applications', () => {
  it('parses priority rules "<level> <regex>" and refuses bad levels', () => {
    expect(buildApplicationRequest({ ...emptyApplicationForm(), name: 'a', priority: '2', rules: '5 ^https://r\\.example/\n\n1 .*' })).toEqual({
      ok: true,
      body: { name: 'a', url: '', bio: '', priority: { value: 2, urls: [{ regex: '^https://r\\.example/', value: 5 }, { regex: '.*', value: 1 }] } },
    });
    const bad = buildApplicationRequest({ ...emptyApplicationForm(), name: '', priority: '7', rules: '9 x' });
    expect(!bad.ok && Object.keys(bad.errors).sort()).toEqual(['name', 'priority', 'rules']);
  });
});

describe('formatting', () => {
  it('splits lists, formats dates and ages', () => {
    expect(splitList(' a, b\n\nc ,')).toEqual(['a', 'b', 'c']);
    expect(formatDate(null)).toBe('—');
    expect(formatDate('0001-01-01T00:00:00Z')).toBe('—');
    expect(timeAgo(new Date(1_000_000 - 5_000).toISOString(), 1_000_000)).toBe('5 s ago');
    expect(timeAgo(new Date(1_000_000 - 7_200_000).toISOString(), 1_000_000)).toBe('2 h ago');
    expect(timeAgo(null)).toBe('never');
  });
});
