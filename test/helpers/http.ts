import { request } from 'node:http';

/** A complete HTTP answer. */
export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** True when the connection ended before the announced body was complete. */
  truncated: boolean;
}

/**
 * Sends one request to a loopback port (`target` may be a path or an absolute URL, as a proxy client sends) and
 * collects the whole answer. Header lines are sent as given, duplicates included.
 */
export function send(port: number, target: string, options: { method?: string; headers?: string[]; timeoutMs?: number } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const given = options.headers ?? [];
    const hasHost = given.some((value, i) => i % 2 === 0 && value.toLowerCase() === 'host');
    const headers = hasHost ? given : ['Host', `127.0.0.1:${port}`, ...given];
    const req = request({ host: '127.0.0.1', port, path: target, method: options.method ?? 'GET', headers: headers as unknown as Record<string, string>, agent: false });
    const timer = setTimeout(() => req.destroy(new Error('timed out')), options.timeoutMs ?? 60_000);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      const finish = (truncated: boolean) => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), truncated });
      };
      res.on('end', () => finish(false));
      res.on('error', () => finish(true));
      res.on('aborted', () => finish(true));
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end();
  });
}
