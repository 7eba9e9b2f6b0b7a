import { describe, expect, it } from 'vitest';

import { DEFAULT_CLUSTER_LIMITS, parseClusterLimits } from './clusterLimits.js';

const current = { ...DEFAULT_CLUSTER_LIMITS };
const bytes = (text: string) => Buffer.from(text);

describe('parseClusterLimits', () => {
  it.each([
    ['{"candidate_parent_limit":5,"filter_parent_limit":40}', { candidateParentLimit: 5, filterParentLimit: 40 }],
    ['{"candidate_parent_limit":5}', { candidateParentLimit: 5, filterParentLimit: 15 }],
    ['{"candidate_parent_limit":0,"filter_parent_limit":5000}', {}],
    ['{"candidate_parent_limit":"7"}', {}],
    ['not json', {}],
    ['[1,2]', {}],
    ['', {}],
  ])('scheduler cluster config %s', (text, changed) => {
    expect(parseClusterLimits({ config: bytes(text) }, current)).toEqual({ ...current, ...changed });
  });

  it.each([
    [{ clientConfig: '{"load_limit":50}' }, { peerLoadLimit: 50 }],
    [{ seedPeerClusterConfig: '{"load_limit":3000}' }, { seedLoadLimit: 3000 }],
    [{ clientConfig: '{"load_limit":50}', seedPeerClusterConfig: '{"load_limit":10}' }, { peerLoadLimit: 50, seedLoadLimit: 10 }],
    [{ clientConfig: '{"load_limit":0}', seedPeerClusterConfig: '{"load_limit":50001}' }, {}],
    [{ clientConfig: '{"load_limit":2.5}', seedPeerClusterConfig: 'oops' }, {}],
  ])('load limits from client_config and the seed peer cluster config: %j', (documents, changed) => {
    const parsed = parseClusterLimits(
      { clientConfig: documents.clientConfig && bytes(documents.clientConfig), seedPeerClusterConfig: documents.seedPeerClusterConfig && bytes(documents.seedPeerClusterConfig) },
      current,
    );
    expect(parsed).toEqual({ ...current, ...changed });
  });
});
