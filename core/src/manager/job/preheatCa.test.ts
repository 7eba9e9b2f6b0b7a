import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { preheatCa } from './index.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('preheatCa (job.preheat.tls.caCert)', () => {
  it('is undefined when unset or empty, so the system roots apply', () => {
    expect(preheatCa(undefined)).toBeUndefined();
    expect(preheatCa('')).toBeUndefined();
  });

  it('takes inline PEM as is and reads a file path', () => {
    expect(preheatCa(PEM)).toBe(PEM);
    const path = join(mkdtempSync(join(tmpdir(), 'd7y-ca-')), 'ca.pem');
    writeFileSync(path, PEM);
    expect(preheatCa(path)).toBe(PEM);
  });

  it('refuses a path that cannot be read, naming the key and the path', () => {
    expect(() => preheatCa('/nonexistent/ca.pem')).toThrow(
      expect.objectContaining({ code: 'D7Y_ERR_INVALID_CONFIG', message: 'job.preheat.tls.caCert: cannot read /nonexistent/ca.pem: ENOENT' }),
    );
  });
});
