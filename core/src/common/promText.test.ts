import { describe, expect, it } from 'vitest';

import { metricValue } from './promText.js';

const TEXT = `# HELP dragonfly_client_download_traffic Bytes downloaded.
# TYPE dragonfly_client_download_traffic counter
dragonfly_client_download_traffic{type="back_to_source",task_type="standard"} 100
dragonfly_client_download_traffic{type="remote_peer",task_type="standard"} 250
dragonfly_client_version{git_version="0.1.0",platform="linux-x64"} 1
process_cpu_user_seconds_total 0.5
`;

describe('metricValue', () => {
  it('sums the samples whose labels match, and tells a missing metric from a zero one', () => {
    expect(metricValue(TEXT, 'dragonfly_client_download_traffic')).toBe(350);
    expect(metricValue(TEXT, 'dragonfly_client_download_traffic', { type: 'remote_peer' })).toBe(250);
    expect(metricValue(TEXT, 'dragonfly_client_download_traffic', { type: 'local_peer' })).toBeUndefined();
    expect(metricValue(TEXT, 'process_cpu_user_seconds_total')).toBe(0.5);
    expect(metricValue(TEXT, 'dragonfly_client_download')).toBeUndefined();
    expect(metricValue('', 'x')).toBeUndefined();
  });
});
