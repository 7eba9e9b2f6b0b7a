import { describe, expect, it } from 'vitest';

import { createEgressPolicy } from './EgressPolicyImpl.js';

function lookupAsync(policy: ReturnType<typeof createEgressPolicy>, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    policy.lookup(host, {}, (error, address) => (error ? reject(error) : resolve(String(address))));
  });
}

describe('egress policy', () => {
  it('denies metadata and link-local addresses by default, allows loopback and private ranges', () => {
    const policy = createEgressPolicy();
    for (const denied of ['169.254.169.254', '::ffff:169.254.169.254', '100.100.100.200', 'fe80::1', '0.0.0.0', '224.0.0.1']) {
      expect(policy.isAddressAllowed(denied), denied).toBe(false);
    }
    for (const allowed of ['127.0.0.1', '10.1.2.3', '192.168.1.1', '172.16.0.1', '::1', '8.8.8.8']) {
      expect(policy.isAddressAllowed(allowed), allowed).toBe(true);
    }
  });

  it('checks URLs before any lookup: scheme, literal addresses and host lists', () => {
    const policy = createEgressPolicy({ denyHosts: ['*.internal.example'], denyCIDRs: ['10.0.0.0/8'], allowCIDRs: ['10.9.0.0/16'] });
    expect(() => policy.checkUrl(new URL('http://169.254.169.254/latest/meta-data'))).toThrow(
      expect.objectContaining({ code: 'D7Y_ERR_EGRESS_DENIED' }),
    );
    expect(() => policy.checkUrl(new URL('file:///etc/passwd'))).toThrow(/scheme file/);
    expect(() => policy.checkUrl(new URL('https://a.internal.example/x'))).toThrow(/host a.internal.example/);
    expect(() => policy.checkUrl(new URL('http://10.1.1.1/'))).toThrow(/10.1.1.1/);
    expect(() => policy.checkUrl(new URL('http://10.9.1.1/'))).not.toThrow();
    expect(() => policy.checkUrl(new URL('http://[fe80::1]/'))).toThrow(/fe80::1/);
  });

  it('checks resolved addresses at connect time', async () => {
    const policy = createEgressPolicy({ denyCIDRs: ['127.0.0.0/8'] });
    await expect(lookupAsync(policy, 'localhost')).rejects.toMatchObject({ code: 'D7Y_ERR_EGRESS_DENIED' });
    const open = createEgressPolicy();
    await expect(lookupAsync(open, 'localhost')).resolves.toMatch(/^(127\.0\.0\.1|::1)$/);
  });

  it('rejects malformed CIDRs in config', () => {
    expect(() => createEgressPolicy({ denyCIDRs: ['10.0.0.0/33'] })).toThrow(/egress.denyCIDRs/);
    expect(() => createEgressPolicy({ allowCIDRs: ['nonsense'] })).toThrow(/egress.allowCIDRs/);
  });
});
