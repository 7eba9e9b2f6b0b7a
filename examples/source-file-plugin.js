// @ts-check
/**
 * An example d7y source plugin: serves `file:///path` URLs from one local directory, so that files already on
 * a node's disk (an NFS mount, a build output folder) can be shared through the P2P network.
 *
 * Install: copy this file into `<server.pluginDir>/backend/` of dfdaemon and set the root it may read from:
 *
 *   server:
 *     pluginDir: /usr/local/lib/d7y/plugins
 *   plugins:
 *     source:
 *       file:
 *         root: /srv/shared
 *
 * Then `dfget file:///srv/shared/model.bin -O /tmp/model.bin`, or `dfget -r file:///srv/shared/set/ -O /tmp/set`.
 *
 * It is written only against the public plugin API (`@d7y/core/plugin-api`), used here for types alone
 * (JSDoc), so the file runs from any folder without `node_modules`: the plugin object carries the brand
 * (`$$type`, `version`) that `definePlugin()` would add, the container token is the global symbol behind
 * `TOKENS.SourceClient`, and errors are plain `Error`s with a `code` from `ErrorCodes`, which the kernel
 * recognises structurally. See docs/write-a-source-plugin.md.
 *
 * Security: a scheduler may ask a seed peer to download any URL a peer registered, so the plugin must never
 * read outside `root`. Paths are resolved, symbolic links followed (realpath), and anything outside `root`
 * is refused with D7Y_ERR_PERMISSION_DENIED.
 */
import { createReadStream } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** @typedef {import('@d7y/core/plugin-api').SourceClient} SourceClient */
/** @typedef {import('@d7y/core/plugin-api').SourceRequest} SourceRequest */
/** @typedef {import('@d7y/core/plugin-api').SourceStat} SourceStat */
/** @typedef {import('@d7y/core/plugin-api').SourceBody} SourceBody */
/** @typedef {import('@d7y/core/plugin-api').SourceEntry} SourceEntry */
/** @typedef {import('@d7y/core/plugin-api').ByteRange} ByteRange */
/** @typedef {import('@d7y/core/plugin-api').Logger} Logger */
/** @typedef {{ root: string, maxListEntries: number }} FileSourceConfig */

/** `TOKENS.SourceClient` of the plugin API: a global symbol, the same in every copy of the API. */
const SOURCE_CLIENT = Symbol.for('d7y.plugin-api.v1.SourceClient');

/**
 * A coded error as the kernel expects them (`isD7yError` checks the `D7Y_ERR_` code, never the class).
 * @param {string} code one of the plugin API's `ErrorCodes`
 * @param {string} message what was wrong, naming the URL
 */
function codedError(code, message) {
  return Object.assign(new Error(message), { code, details: {} });
}

/**
 * Serves files below `root`.
 * @implements {SourceClient}
 */
class FileSourceClient {
  /**
   * @param {FileSourceConfig} config
   * @param {Logger} logger
   */
  constructor(config, logger) {
    this.config = config;
    this.logger = logger;
    /** @type {Promise<string>} the root with symbolic links resolved */
    this.root = realpath(config.root);
  }

  /** @returns {readonly string[]} */
  schemes() {
    return ['file'];
  }

  /**
   * The local path of a `file://` URL, refused unless it is inside `root` once links are followed.
   * @param {URL} url
   * @returns {Promise<string>}
   */
  async pathOf(url) {
    if (url.protocol !== 'file:') throw codedError('D7Y_ERR_UNSUPPORTED_SCHEME', `source/file cannot fetch ${url.protocol} URLs`);
    if (url.hostname !== '' && url.hostname !== 'localhost') throw codedError('D7Y_ERR_INVALID_ARGUMENT', `${url.href} names a remote host; file URLs must be file:///path`);
    const root = await this.root;
    let real;
    try {
      real = await realpath(fileURLToPath(url));
    } catch (error) {
      const code = /** @type {{code?: string}} */ (error).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') throw codedError('D7Y_ERR_NOT_FOUND', `file not found: ${url.href}`);
      throw codedError('D7Y_ERR_SOURCE_ERROR', `cannot read ${url.href}: ${code ?? error}`);
    }
    const rel = relative(root, real);
    if (rel.startsWith('..') || isAbsolute(rel)) throw codedError('D7Y_ERR_PERMISSION_DENIED', `${url.href} is outside the served root (plugins.source.file.root)`);
    return real;
  }

  /**
   * Size of a file; a directory lists every regular file below it.
   * @param {SourceRequest} request
   * @returns {Promise<SourceStat>}
   */
  async stat(request) {
    const path = await this.pathOf(request.url);
    const info = await stat(path);
    if (info.isDirectory()) return { contentLength: 0, headers: {}, isDir: true, entries: await this.walk(path) };
    if (!info.isFile()) throw codedError('D7Y_ERR_INVALID_ARGUMENT', `${request.url.href} is not a regular file`);
    return { contentLength: info.size, headers: { 'last-modified': info.mtime.toUTCString() }, acceptRanges: true };
  }

  /**
   * The file, or exactly `range` of it.
   * @param {SourceRequest & { range?: ByteRange }} request
   * @returns {Promise<SourceBody>}
   */
  async get(request) {
    const path = await this.pathOf(request.url);
    const info = await stat(path);
    if (!info.isFile()) throw codedError('D7Y_ERR_INVALID_ARGUMENT', `${request.url.href} is not a regular file`);
    const { range } = request;
    if (range && range.start + range.length > info.size) {
      throw codedError('D7Y_ERR_INVALID_ARGUMENT', `range ${range.start}+${range.length} is past the end (${info.size} bytes) of ${request.url.href}`);
    }
    const options = range ? { start: range.start, end: range.start + range.length - 1 } : {};
    const stream = createReadStream(path, { ...options, signal: request.signal });
    return { stream, headers: {}, contentLength: range ? range.length : info.size };
  }

  /**
   * @param {SourceRequest} request
   * @returns {Promise<boolean>}
   */
  async exists(request) {
    try {
      await this.stat(request);
      return true;
    } catch (error) {
      if (/** @type {{code?: string}} */ (error).code === 'D7Y_ERR_NOT_FOUND') return false;
      throw error;
    }
  }

  /**
   * Regular files below `dir`, breadth first; links and special files are skipped.
   * @param {string} dir
   * @returns {Promise<SourceEntry[]>}
   */
  async walk(dir) {
    /** @type {SourceEntry[]} */
    const entries = [];
    const queue = [dir];
    while (queue.length > 0) {
      const current = /** @type {string} */ (queue.shift());
      for (const item of await readdir(current, { withFileTypes: true })) {
        const path = join(current, item.name);
        if (item.isDirectory()) queue.push(path);
        else if (item.isFile()) entries.push({ url: pathToFileURL(path).href, contentLength: (await stat(path)).size, isDir: false });
        if (entries.length > this.config.maxListEntries) throw codedError('D7Y_ERR_RESOURCE_EXHAUSTED', `${dir} holds more than ${this.config.maxListEntries} files`);
      }
    }
    this.logger.debug({ dir, files: entries.length }, 'listed directory');
    return entries;
  }
}

/** @type {import('@d7y/core/plugin-api').PluginConfigSchema<FileSourceConfig>} */
const configSchema = {
  safeParse(input) {
    const raw = /** @type {Record<string, unknown>} */ (input ?? {});
    /** @type {{ path: PropertyKey[], message: string }[]} */
    const issues = [];
    for (const key of Object.keys(raw)) if (key !== 'root' && key !== 'maxListEntries') issues.push({ path: [key], message: 'unknown option' });
    const root = raw.root;
    if (typeof root !== 'string' || !isAbsolute(root)) issues.push({ path: ['root'], message: 'required: the absolute path of the directory to serve' });
    const max = raw.maxListEntries ?? 10000;
    if (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 1) issues.push({ path: ['maxListEntries'], message: 'expected a positive integer' });
    if (issues.length > 0) return { success: false, error: { issues } };
    return { success: true, data: { root: /** @type {string} */ (root).replace(new RegExp(`\\${sep}+$`), '') || sep, maxListEntries: /** @type {number} */ (max) } };
  },
};

/** @type {import('@d7y/core/plugin-api').Plugin<FileSourceConfig>} */
export default {
  $$type: '@d7y/Plugin',
  version: 'v1',
  kind: 'source',
  name: 'file',
  apiVersion: '1.0',
  schemes: ['file'],
  configSchema,
  register(ctx) {
    ctx.container.register(SOURCE_CLIENT, { useFactory: () => new FileSourceClient(ctx.config, ctx.logger) });
    ctx.logger.info({ root: ctx.config.root }, 'serving file:// URLs');
  },
};
