import { describe, expect, it } from 'vitest';

import { parseClusterLimits } from './clusterLimits.js';

const current = { candidateParentLimit: 3, filterParentLimit: 15 };
const bytes = (text: string) => Buffer.from(text);

describe('parseClusterLimits', () => {
  it.each([
    ['{"candidate_parent_limit":5,"filter_parent_limit":40}', { candidateParentLimit: 5, filterParentLimit: 40 }],
    ['{"candidate_parent_limit":5}', { candidateParentLimit: 5, filterParentLimit: 15 }],
    ['{"candidate_parent_limit":0,"filter_parent_limit":5000}', current],
    ['{"candidate_parent_limit":"7"}', current],
    ['not json', current],
    ['[1,2]', current],
    ['', current],
  ])('%s', (text, expected) => {
    expect(parseClusterLimits(bytes(text), current)).toEqual(expected);
  });
});
