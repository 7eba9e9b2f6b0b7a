import { describe, expect, it } from 'vitest';

import { clusterIdField, featuresField, hostnameField, ipField, jsonObjectField, portField, seedPeerTypeField, sourceTypeField, textField } from './validateRequest.js';

const fails = (fn: () => unknown, message: RegExp) => expect(fn).toThrow(expect.objectContaining({ code: 'D7Y_ERR_INVALID_ARGUMENT', message: expect.stringMatching(message) }));

describe('manager request validation', () => {
  it('accepts good values', () => {
    expect(hostnameField('node-1')).toBe('node-1');
    expect(ipField('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(ipField('fd00::1')).toBe('fd00::1');
    expect(textField(undefined, 'idc', 10)).toBe('');
    expect(portField(0, 'download_port', true)).toBe(0);
    expect(clusterIdField(0, 'scheduler_cluster_id', true)).toBe(0);
    expect(featuresField(['schedule', 'preheat'])).toEqual(['schedule', 'preheat']);
    expect(jsonObjectField(Buffer.alloc(0), 'config')).toEqual({});
    expect(jsonObjectField(Buffer.from('{"a":1}'), 'config')).toEqual({ a: 1 });
    expect(seedPeerTypeField('')).toBe('super');
  });

  it.each([
    [() => hostnameField(''), /^hostname: required/],
    [() => hostnameField('a b'), /^hostname: must not contain whitespace/],
    [() => hostnameField('a\u0000'), /^hostname: must not contain/],
    [() => ipField('999.1.1.1'), /^ip: expected an IPv4 or IPv6/],
    [() => ipField(''), /^ip: required/],
    [() => textField('x'.repeat(11), 'idc', 10), /^idc: at most 10/],
    [() => textField('a\nb', 'location', 10), /^location: must not contain control/],
    [() => portField(65536, 'port'), /^port: expected 1\.\.65535/],
    [() => portField(0, 'port'), /^port: expected 1\.\.65535/],
    [() => clusterIdField(0, 'cluster_id', false), /^cluster_id: required/],
    [() => clusterIdField(-1, 'scheduler_cluster_id', true), /^scheduler_cluster_id: expected a cluster id or 0/],
    [() => sourceTypeField('PEER_SOURCE', ['SCHEDULER_SOURCE']), /^source_type: expected SCHEDULER_SOURCE/],
    [() => featuresField(Array.from({ length: 33 }, () => 'x')), /^features: at most 32/],
    [() => featuresField(['Schedule!']), /^features\[0\]: expected a feature name/],
    [() => jsonObjectField(Buffer.from('{'), 'config'), /^config: expected a JSON object/],
    [() => jsonObjectField(Buffer.from('"s"'), 'config'), /^config: expected a JSON object/],
    [() => jsonObjectField(Buffer.alloc(70_000, 32), 'config'), /^config: at most 65536 bytes/],
    [() => seedPeerTypeField('normal'), /^type: expected super, strong or weak/],
  ])('rejects %#', (fn, message) => fails(fn, message));
});
