import { describe, expect, it } from 'vitest';

import type { Cluster } from '../api/types';
import { buildClusterRequest, clusterToForm, emptyClusterForm } from './clusterForm';

describe('cluster form', () => {
  it('builds the /api/v1/clusters body with scopes and every config', () => {
    const result = buildClusterRequest({ ...emptyClusterForm(), name: ' idc-b ', idc: 'idc-b|idc-c', location: 'cn|hz', cidrs: '10.0.0.0/8\n192.168.1.0/24', hostnames: '^peer-.*$', peerConcurrentPieceCount: '16' });
    expect(result).toEqual({
      ok: true,
      body: {
        name: 'idc-b',
        bio: '',
        is_default: false,
        scopes: { idc: 'idc-b|idc-c', location: 'cn|hz', cidrs: ['10.0.0.0/8', '192.168.1.0/24'], hostnames: ['^peer-.*$'] },
        scheduler_cluster_config: { candidate_parent_limit: 3, filter_parent_limit: 15, job_rate_limit: 10 },
        peer_cluster_config: { load_limit: 200, concurrent_piece_count: 16 },
        seed_peer_cluster_config: { load_limit: 2000 },
      },
    });
  });

  it("refuses values outside the manager's limits and bad CIDRs or regexes", () => {
    const result = buildClusterRequest({ ...emptyClusterForm(), name: '', cidrs: 'ten.0.0.0/8', hostnames: '([', candidateParentLimit: '21', filterParentLimit: '9', jobRateLimit: '0', peerLoadLimit: 'x' });
    expect(result.ok).toBe(false);
    expect(!result.ok && Object.keys(result.errors).sort()).toEqual(['candidateParentLimit', 'cidrs', 'filterParentLimit', 'hostnames', 'jobRateLimit', 'name', 'peerLoadLimit']);
  });

  it('round-trips an existing cluster through the form', () => {
    const cluster = {
      id: 2,
      name: 'c',
      bio: 'b',
      is_default: true,
      scopes: { idc: 'x', cidrs: ['10.0.0.0/8'] },
      scheduler_cluster_config: { candidate_parent_limit: 5, filter_parent_limit: 40, job_rate_limit: 3 },
      peer_cluster_config: { load_limit: 100 },
      seed_peer_cluster_config: { load_limit: 900 },
    } as unknown as Cluster;
    const result = buildClusterRequest(clusterToForm(cluster));
    expect(result.ok && result.body).toMatchObject({ name: 'c', bio: 'b', is_default: true, scopes: { idc: 'x', cidrs: ['10.0.0.0/8'] }, scheduler_cluster_config: { candidate_parent_limit: 5, filter_parent_limit: 40, job_rate_limit: 3 }, peer_cluster_config: { load_limit: 100 }, seed_peer_cluster_config: { load_limit: 900 } });
  });

  it('keeps peer config keys it does not edit (a block list set through the API) when saved', () => {
    const blockList = { task: { download: { urls: ['\\.iso$'] } } };
    const cluster = { id: 3, name: 'c', is_default: false, scopes: {}, scheduler_cluster_config: {}, seed_peer_cluster_config: {}, peer_cluster_config: { load_limit: 100, block_list: blockList } } as unknown as Cluster;
    const result = buildClusterRequest({ ...clusterToForm(cluster), peerLoadLimit: '150' });
    expect(result.ok && result.body.peer_cluster_config).toEqual({ load_limit: 150, block_list: blockList });
  });
});
