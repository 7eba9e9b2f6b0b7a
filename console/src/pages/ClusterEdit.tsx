/**
 * Create or edit a cluster: name, description, default flag, scopes (IDC, location, CIDRs, hostname regexes)
 * and the scheduler, peer and seed peer configuration handed out through dynconfig.
 */
import { type FormEvent, useEffect, useState } from 'react';

import { api } from '../api/client';
import type { Cluster } from '../api/types';
import { DataState, ErrorBox } from '../components/DataState';
import { Field, TextField } from '../components/Field';
import { PageHeader } from '../components/PageHeader';
import { buildClusterRequest, type ClusterForm, clusterToForm, emptyClusterForm } from '../lib/clusterForm';
import { navigate } from '../lib/router';
import { useResource } from '../lib/useResource';

function Form({ initial, id }: { initial: ClusterForm; id?: number }) {
  const [form, setForm] = useState(initial);
  const [errors, setErrors] = useState<Partial<Record<keyof ClusterForm, string>>>({});
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  useEffect(() => setForm(initial), [initial]);
  const set = (key: keyof ClusterForm) => (value: string) => setForm({ ...form, [key]: value });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const request = buildClusterRequest(form);
    if (!request.ok) {
      setErrors(request.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    setError(undefined);
    try {
      const saved = await api<Cluster>(id === undefined ? 'POST' : 'PATCH', id === undefined ? '/api/v1/clusters' : `/api/v1/clusters/${id}`, request.body);
      navigate(`/clusters/${saved.id}`);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="stack" onSubmit={submit} noValidate>
      {error && <ErrorBox message={error} />}
      <section className="card">
        <h2>Cluster</h2>
        <TextField label="Name" name="name" value={form.name} onChange={set('name')} error={errors.name} />
        <TextField label="Description" name="bio" value={form.bio} onChange={set('bio')} multiline />
        <Field label="Default cluster" hint="Clients that match no cluster's scopes go to the default cluster.">
          {(fieldId) => <input id={fieldId} name="is_default" type="checkbox" checked={form.isDefault} onChange={(e) => setForm({ ...form, isDefault: e.target.checked })} />}
        </Field>
      </section>
      <section className="card">
        <h2>Scopes</h2>
        <p className="muted">Which clients this cluster serves; the manager scores CIDR and hostname matches highest, then IDC, then location.</p>
        <div className="grid-2">
          <TextField label="IDC" name="idc" value={form.idc} onChange={set('idc')} hint='Several IDCs separated by "|"' />
          <TextField label="Location" name="location" value={form.location} onChange={set('location')} hint='Levels separated by "|", for example cn|hz' />
          <TextField label="CIDRs" name="cidrs" value={form.cidrs} onChange={set('cidrs')} error={errors.cidrs} multiline hint="One per line, for example 10.0.0.0/8" />
          <TextField label="Hostnames" name="hostnames" value={form.hostnames} onChange={set('hostnames')} error={errors.hostnames} multiline hint="Regular expressions, one per line" />
        </div>
      </section>
      <section className="card">
        <h2>Scheduler configuration</h2>
        <div className="grid-3">
          <TextField label="Candidate parent limit" name="candidate_parent_limit" value={form.candidateParentLimit} onChange={set('candidateParentLimit')} error={errors.candidateParentLimit} hint="1–20 parents per download" />
          <TextField label="Filter parent limit" name="filter_parent_limit" value={form.filterParentLimit} onChange={set('filterParentLimit')} error={errors.filterParentLimit} hint="10–1000 candidates considered" />
          <TextField label="Job rate limit" name="job_rate_limit" value={form.jobRateLimit} onChange={set('jobRateLimit')} error={errors.jobRateLimit} hint="Jobs per second for this cluster" />
        </div>
      </section>
      <section className="card">
        <h2>Peer and seed peer configuration</h2>
        <div className="grid-3">
          <TextField label="Peer load limit" name="peer_load_limit" value={form.peerLoadLimit} onChange={set('peerLoadLimit')} error={errors.peerLoadLimit} hint="Concurrent uploads per peer (1–50000)" />
          <TextField label="Peer concurrent piece count" name="peer_concurrent_piece_count" value={form.peerConcurrentPieceCount} onChange={set('peerConcurrentPieceCount')} error={errors.peerConcurrentPieceCount} hint="1–50; empty for the default" />
          <TextField label="Seed peer load limit" name="seed_peer_load_limit" value={form.seedPeerLoadLimit} onChange={set('seedPeerLoadLimit')} error={errors.seedPeerLoadLimit} hint="Concurrent uploads per seed peer" />
        </div>
      </section>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Saving…' : id === undefined ? 'Create cluster' : 'Save changes'}
        </button>
        <button type="button" onClick={() => history.back()}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** `/clusters/new`. */
export function ClusterCreate() {
  const [initial] = useState(emptyClusterForm);
  return (
    <>
      <PageHeader title="Create cluster" />
      <Form initial={initial} />
    </>
  );
}

/** `/clusters/:id/edit`. */
export function ClusterEdit({ id }: { id: number }) {
  const cluster = useResource(() => api<Cluster>('GET', `/api/v1/clusters/${id}`), [id]);
  return (
    <>
      <PageHeader title={cluster.data ? `Edit ${cluster.data.name}` : 'Edit cluster'} />
      <DataState resource={cluster}>{(c) => <Form initial={clusterToForm(c)} id={c.id} />}</DataState>
    </>
  );
}
