import { describe, expect, it } from 'vitest';

import { formatDuration, formatSize, parseDuration, parseSize } from './units.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('parseDuration', () => {
  it.each([
    ['400ms', 400],
    ['500ms', 500],
    ['1s', 1000],
    ['900s', 900_000],
    ['1m', 60_000],
    ['1m0s', 60_000],
    ['48h', 48 * HOUR],
    ['1h30m', 1.5 * HOUR],
    ['1h 30m', 1.5 * HOUR],
    ['1.5h', 1.5 * HOUR],
    ['.5s', 500],
    ['30d', 30 * DAY],
    ['1w', 7 * DAY],
    ['720h', 30 * DAY],
    ['87600h', 3650 * DAY],
    ['1500us', 1.5],
    ['1500µs', 1.5],
    ['250ns', 0.00025],
    ['0', 0],
    ['0s', 0],
    ['+2s', 2000],
    ['  10s  ', 10_000],
  ])('%s -> %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ['', /expected a duration/],
    ['abc', /expected a duration/],
    ['10', /a unit is required/],
    ['1.5', /a unit is required/],
    ['1h30', /expected a duration/],
    ['5 parsecs', /expected a duration/],
    ['10S', /expected a duration/],
    ['-1s', /must not be negative/],
    ['-0s', /must not be negative/],
    ['99999999999999999d', /too large/],
  ])('rejects %j', (text, message) => {
    expect(() => parseDuration(text)).toThrow(message);
    expect(() => parseDuration(text)).toThrow(expect.objectContaining({ code: 'D7Y_ERR_INVALID_ARGUMENT' }));
  });

  it('names the bad value in the error', () => {
    expect(() => parseDuration('-5m')).toThrow('invalid duration "-5m"');
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [400, '400ms'],
    [1000, '1s'],
    [60_000, '1m'],
    [1.5 * HOUR, '1h30m'],
    [30 * DAY, '30d'],
    [DAY + HOUR + 60_000 + 1000 + 1, '1d1h1m1s1ms'],
    [1.5, '1ms500us'],
  ])('%d ms -> %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });

  it('rejects negative input', () => {
    expect(() => formatDuration(-1)).toThrow(expect.objectContaining({ code: 'D7Y_ERR_INVALID_ARGUMENT' }));
  });
});

describe('parseSize', () => {
  it.each<[string | number, number]>([
    [131072, 131072],
    ['131072', 131072],
    ['0', 0],
    ['10GiB', 10 * GiB],
    ['10gib', 10 * GiB],
    ['4mib', 4 * MiB],
    ['4MiB', 4 * MiB],
    ['4Mi', 4 * MiB],
    ['512KiB', 512 * KiB],
    ['50GB', 50e9],
    ['50gb', 50e9],
    ['10G', 10e9],
    ['1KB', 1000],
    ['1kb', 1000],
    ['2TB', 2e12],
    ['1TiB', 2 ** 40],
    ['1.5KiB', 1536],
    ['10 MiB', 10 * MiB],
    ['100B', 100],
  ])('%j -> %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each<[string | number, RegExp]>([
    ['', /expected a size/],
    ['ten', /expected a size/],
    ['10XB', /expected a size/],
    ['10 GiB/s', /expected a size/],
    ['-1GiB', /must not be negative/],
    [-5, /must be finite and not negative/],
    [1.5, /whole number/],
    ['99999999PiB', /too large/],
  ])('rejects %j', (value, message) => {
    expect(() => parseSize(value)).toThrow(message);
    expect(() => parseSize(value)).toThrow(expect.objectContaining({ code: 'D7Y_ERR_INVALID_ARGUMENT' }));
  });
});

describe('formatSize', () => {
  it.each([
    [0, '0B'],
    [4 * MiB, '4MiB'],
    [10 * GiB, '10GiB'],
    [50e9, '50GB'],
    [1000, '1KB'],
    [1024, '1KiB'],
    [131073, '131073B'],
  ])('%d -> %s', (bytes, text) => {
    expect(formatSize(bytes)).toBe(text);
    expect(parseSize(text)).toBe(bytes);
  });

  it('rejects fractions', () => {
    expect(() => formatSize(1.5)).toThrow(expect.objectContaining({ code: 'D7Y_ERR_INVALID_ARGUMENT' }));
  });
});
