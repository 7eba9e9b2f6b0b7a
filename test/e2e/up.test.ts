import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { BIN, runNode, tempDir } from '../helpers/processes.js';

describe('d7y up (what npm start runs)', () => {
  it('starts a scheduler, a seed peer and two peers, downloads the demo file through both peers, and stops cleanly', async () => {
    const dataDir = join(tempDir('up'), 'cluster');
    const result = await runNode(BIN.d7y, ['up', '--data-dir', dataDir, '--demo-size', '24MiB', '--exit'], { timeoutMs: 120_000 });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/scheduler\s+127\.0\.0\.1:\d+/);
    expect(result.stdout).toMatch(/seed-peer\s+socket/);
    const downloads = result.stdout.split('\n').filter((line) => /^\s+ok\s+via peer-/.test(line));
    expect(downloads).toHaveLength(2);
    expect(result.stdout).toMatch(/remote_peer/);
    expect(result.stdout).toMatch(/origin sent 24\.0 MiB in total for 2 downloads/);
    expect(result.stdout).toMatch(/try it:\s+node core\/dist\/cli\/dfget\.js http:\/\/127\.0\.0\.1:\d+\/demo\.bin/);
  });
});
