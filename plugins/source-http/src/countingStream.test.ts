import { describe, expect, it, vi } from 'vitest';

import { createError, ErrorCodes } from '@d7y/core/plugin-api';

import { readAll, rejectionOf } from '../test/servers.js';
import { CountingBody, DISCARD_LIMIT, type BodyErrors } from './countingStream.js';

const errors: BodyErrors = {
  truncated: (r, e) => createError(ErrorCodes.SOURCE_ERROR, `truncated ${r}/${e}`),
  tooLong: (r, e) => createError(ErrorCodes.SOURCE_ERROR, `too long ${r}/${e}`),
  failed: (error, r) => createError(ErrorCodes.SOURCE_ERROR, `failed at ${r}: ${(error as Error).message}`),
};
const flow = () => ({ pause: vi.fn(), resume: vi.fn(), abort: vi.fn() });

describe('CountingBody', () => {
  it('passes chunks through untouched', async () => {
    const body = new CountingBody(flow(), 6, errors);
    const a = Buffer.from('abc');
    body.write(a);
    body.write(Buffer.from('def'));
    body.end();
    const chunks: Buffer[] = [];
    body.on('data', (chunk: Buffer) => chunks.push(chunk));
    await new Promise((resolve) => body.once('end', resolve));
    expect(chunks[0]).toBe(a); // flowing mode hands out the very same buffer: no copy
    expect(Buffer.concat(chunks).toString()).toBe('abcdef');
  });

  it('fails and aborts the response when more than expected arrives', async () => {
    const f = flow();
    const body = new CountingBody(f, 4, errors);
    body.write(Buffer.from('abcde'));
    expect((await rejectionOf(readAll(body))).message).toBe('too long 5/4');
    expect(f.abort).toHaveBeenCalledOnce();
  });

  it('fails when the body ends short, without aborting the finished response', async () => {
    const f = flow();
    const body = new CountingBody(f, 10, errors);
    body.write(Buffer.from('abc'));
    body.end();
    expect((await rejectionOf(readAll(body))).message).toBe('truncated 3/10');
    expect(f.abort).not.toHaveBeenCalled();
  });

  it('re-checks a body that arrived completely before expect()', async () => {
    const long = new CountingBody(flow(), -1, errors);
    long.write(Buffer.from('abcdef'));
    long.end();
    expect((await rejectionOf(readAll(long.expect(4)))).message).toBe('too long 6/4');
    const short = new CountingBody(flow(), -1, errors);
    short.write(Buffer.from('ab'));
    short.end();
    expect((await rejectionOf(readAll(short.expect(4)))).message).toBe('truncated 2/4');
  });

  it('maps producer failures, keeping coded errors as they are', async () => {
    const body = new CountingBody(flow(), -1, errors);
    body.write(Buffer.from('ab'));
    body.fail(new Error('other side closed'));
    expect((await rejectionOf(readAll(body))).message).toBe('failed at 2: other side closed');
    const coded = new CountingBody(flow(), -1, errors);
    coded.fail(createError(ErrorCodes.TIMEOUT, 'slow'));
    expect((await rejectionOf(readAll(coded))).message).toBe('slow');
  });

  it('pauses the response under backpressure and resumes on read', () => {
    const f = flow();
    const body = new CountingBody(f, -1, errors, 4);
    body.write(Buffer.from('abcdef'));
    expect(f.pause).toHaveBeenCalledOnce();
    body.read();
    expect(f.resume).toHaveBeenCalled();
  });

  it('aborts the response when the consumer destroys the stream', () => {
    const f = flow();
    const body = new CountingBody(f, 100, errors);
    body.destroy();
    expect(f.abort).toHaveBeenCalledOnce();
  });

  it('drains a small remainder on discard and cuts a large one', () => {
    const small = flow();
    const a = new CountingBody(small, 1000, errors);
    a.discard();
    expect(small.abort).not.toHaveBeenCalled();
    a.write(Buffer.alloc(1000));
    a.end();
    expect(a.destroyed).toBe(true);
    expect(small.abort).not.toHaveBeenCalled();
    const large = flow();
    new CountingBody(large, DISCARD_LIMIT + 1, errors).discard();
    expect(large.abort).toHaveBeenCalledOnce();
  });
});
