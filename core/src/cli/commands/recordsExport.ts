import { writeFileSync } from 'node:fs';
import { request } from 'node:http';

import { createError, ErrorCodes } from '../../common/errors.js';
import { parseRecords } from '../../scheduler/records/parseRecords.js';

/** `http://host:port/records` from `host:port`, `:port`, or a full URL. */
export function recordsUrl(scheduler: string): string {
  if (/^https?:\/\//i.test(scheduler)) return new URL(scheduler).pathname === '/' ? new URL('/records', scheduler).href : scheduler;
  const address = scheduler.startsWith(':') ? `127.0.0.1${scheduler}` : scheduler;
  return `http://${address}/records`;
}

function fetchText(url: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode === 200) resolve(body);
        else reject(createError(ErrorCodes.UNAVAILABLE, `${url} answered ${res.statusCode}${res.statusCode === 404 ? ': is scheduler.records.enable true and metrics.enable true?' : ''}`));
      });
    });
    req.on('timeout', () => req.destroy(createError(ErrorCodes.TIMEOUT, `${url}: no answer in ${timeoutMs} ms`)));
    req.on('error', (err) => reject(err.message.includes('D7Y') ? err : createError(ErrorCodes.UNAVAILABLE, `${url}: ${err.message}`, { cause: err })));
    req.end();
  });
}

/**
 * `d7y records export --scheduler HOST:METRICS_PORT [--out FILE]`: fetches a running scheduler's download
 * records (GET /records on its metrics port), checks them, and writes them to FILE (or stdout).
 */
export async function recordsExport(flags: { scheduler: string; out?: string; timeout?: string }): Promise<void> {
  const url = recordsUrl(flags.scheduler);
  const text = await fetchText(url, Number(flags.timeout ?? 30_000));
  const parsed = parseRecords(text, url);
  if (flags.out) writeFileSync(flags.out, text);
  else process.stdout.write(text);
  process.stderr.write(
    `exported ${parsed.decisions.length} decisions and ${parsed.pieces.length} piece records from ${url}${flags.out ? ` to ${flags.out}` : ''}` +
      ` (overwritten since start: ${parsed.header.dropped.decisions} decisions, ${parsed.header.dropped.pieces} pieces)\n`,
  );
}
