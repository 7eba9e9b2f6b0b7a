/**
 * The preheat form: image or file, URL(s), scope and host selection (IPs, count or percentage), target
 * clusters, and the advanced options (piece length, tag, application, filtered query params, headers,
 * registry credentials, platform, concurrency, timeout). Submitting creates the job and opens its page.
 */
import { type FormEvent, useState } from 'react';

import { api } from '../api/client';
import type { Job } from '../api/types';
import { ClusterPicker } from '../components/ClusterPicker';
import { ErrorBox } from '../components/DataState';
import { SelectField, TextField } from '../components/Field';
import { PageHeader } from '../components/PageHeader';
import { buildPreheatRequest, emptyPreheatForm, type PreheatForm, type PreheatScope, type PreheatTarget } from '../lib/preheat';
import { navigate } from '../lib/router';

/** `/jobs/new`. */
export function PreheatCreate() {
  const [form, setForm] = useState<PreheatForm>(emptyPreheatForm);
  const [errors, setErrors] = useState<Partial<Record<keyof PreheatForm, string>>>({});
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const set = (key: keyof PreheatForm) => (value: string) => setForm({ ...form, [key]: value });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const request = buildPreheatRequest(form);
    if (!request.ok) {
      setErrors(request.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    setError(undefined);
    try {
      const job = await api<Job>('POST', '/api/v1/jobs', request.body);
      navigate(`/jobs/${job.id}`);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const image = form.type === 'image';
  return (
    <>
      <PageHeader title="Create preheat" />
      <form className="stack" onSubmit={submit} noValidate>
        {error && <ErrorBox message={error} />}
        <section className="card">
          <h2>What to preheat</h2>
          <SelectField<'image' | 'file'> label="Type" name="type" value={form.type} onChange={(type) => setForm({ ...form, type })} options={[['image', 'Image (all layers of a manifest)'], ['file', 'File (URLs)']]} />
          <TextField
            label={image ? 'Manifest URL' : 'URL'}
            name="url"
            value={form.url}
            onChange={set('url')}
            error={errors.url}
            placeholder={image ? 'https://registry.example.com/v2/library/alpine/manifests/3.19' : 'https://example.com/file.tar.gz'}
          />
          {!image && <TextField label="More URLs" name="urls" value={form.urls} onChange={set('urls')} error={errors.urls} multiline hint="One per line (optional)" />}
          {image && <TextField label="Platform" name="platform" value={form.platform} onChange={set('platform')} error={errors.platform} placeholder="linux/amd64" hint="os/arch of a multi-platform image; default the manager's" />}
          <TextField label="Description" name="bio" value={form.bio} onChange={set('bio')} />
        </section>
        <section className="card">
          <h2>Where</h2>
          <SelectField<PreheatScope>
            label="Scope"
            name="scope"
            value={form.scope}
            onChange={(scope) => setForm({ ...form, scope })}
            options={[
              ['single_seed_peer', 'One seed peer per cluster'],
              ['all_seed_peers', 'All seed peers'],
              ['all_peers', 'All peers'],
            ]}
          />
          {form.scope !== 'single_seed_peer' && (
            <>
              <SelectField<PreheatTarget>
                label="Hosts"
                name="target"
                value={form.target}
                onChange={(target) => setForm({ ...form, target })}
                options={[
                  ['all', 'Every host in scope'],
                  ['ips', 'These IP addresses'],
                  ['count', 'A number of hosts'],
                  ['percentage', 'A percentage of hosts'],
                ]}
              />
              {form.target === 'ips' && <TextField label="IP addresses" name="ips" value={form.ips} onChange={set('ips')} error={errors.ips} multiline hint="1 to 100, one per line" />}
              {form.target === 'count' && <TextField label="Count" name="count" value={form.count} onChange={set('count')} error={errors.count} hint="1 to 200 hosts" />}
              {form.target === 'percentage' && <TextField label="Percentage" name="percentage" value={form.percentage} onChange={set('percentage')} error={errors.percentage} hint="1 to 100; at least one host" />}
            </>
          )}
          <ClusterPicker value={form.clusterIds} onChange={(clusterIds) => setForm({ ...form, clusterIds })} />
        </section>
        <details className="card">
          <summary>Advanced options</summary>
          <div className="grid-2">
            <TextField label="Registry username" name="username" value={form.username} onChange={set('username')} autoComplete="off" />
            <TextField label="Registry password" name="password" type="password" value={form.password} onChange={set('password')} autoComplete="new-password" />
            <TextField label="Headers" name="headers" value={form.headers} onChange={set('headers')} error={errors.headers} multiline hint='One "Name: value" per line; an Authorization header is used as is' />
            <TextField label="Piece length (MiB)" name="piece_length" value={form.pieceLengthMiB} onChange={set('pieceLengthMiB')} error={errors.pieceLengthMiB} hint="4 to 64; empty for the daemon's choice" />
            <TextField label="Tag" name="tag" value={form.tag} onChange={set('tag')} hint="Part of the task id" />
            <TextField label="Application" name="application" value={form.application} onChange={set('application')} hint="Part of the task id" />
            <TextField label="Filtered query params" name="filtered_query_params" value={form.filteredQueryParams} onChange={set('filteredQueryParams')} hint='Names separated by "&", left out of the task id' />
            <TextField label="Concurrent tasks" name="concurrent_task_count" value={form.concurrentTaskCount} onChange={set('concurrentTaskCount')} error={errors.concurrentTaskCount} hint="Default 8, at most 100" />
            <TextField label="Concurrent peers" name="concurrent_peer_count" value={form.concurrentPeerCount} onChange={set('concurrentPeerCount')} error={errors.concurrentPeerCount} hint="Default 500, at most 1000" />
            <TextField label="Timeout (minutes)" name="timeout" value={form.timeoutMinutes} onChange={set('timeoutMinutes')} error={errors.timeoutMinutes} hint="Default 60" />
          </div>
        </details>
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create preheat'}
          </button>
        </div>
      </form>
    </>
  );
}
