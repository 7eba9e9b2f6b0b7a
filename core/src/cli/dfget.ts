#!/usr/bin/env node
import { Command, Option } from 'commander';

import { coreVersion } from '../dfdaemon/version.js';
import { parseDfgetOptions, DEFAULT_DFDAEMON_SOCKET } from '../dfget/options.js';
import { runDfget } from '../dfget/run.js';
import { exitWithError } from './fatal.js';
import { runProgram } from './runProgram.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

const program = new Command('dfget')
  .description('download a file through the local dfdaemon (P2P), or straight from the source when no daemon runs')
  .argument('<url>', 'URL to download (http, https, s3, oss, hdfs, or a scheme added by a source plugin)')
  .option('-O, --output <path>', 'file to write (with -r: the directory to fill)')
  .option('-r, --recursive', 'download a directory (s3, oss, hdfs): every file below the URL, each its own task')
  .option('-I, --include-files <glob>', 'with -r: only files whose relative path matches (repeatable; * within a segment, ** across)', collect)
  .option('--max-files <n>', 'with -r: fail rather than download more files than this', '100')
  .option('--max-concurrent-requests <n>', 'with -r: files downloaded at once', '5')
  .addOption(new Option('--storage-region <region>', 'object storage region (s3; oss uses it for the Host of IP endpoints)').env('DFGET_STORAGE_REGION'))
  .addOption(new Option('--storage-endpoint <url>', 'object storage endpoint, e.g. https://oss-cn-hangzhou.aliyuncs.com (required for oss)').env('DFGET_STORAGE_ENDPOINT'))
  .addOption(new Option('--storage-access-key-id <id>', 'object storage access key id').env('DFGET_STORAGE_ACCESS_KEY_ID'))
  .addOption(new Option('--storage-access-key-secret <secret>', 'object storage secret (prefer the env var: flags show in ps)').env('DFGET_STORAGE_ACCESS_KEY_SECRET'))
  .addOption(new Option('--storage-session-token <token>', 'S3 session token (temporary credentials)').env('DFGET_STORAGE_SESSION_TOKEN'))
  .addOption(new Option('--storage-security-token <token>', 'OSS STS security token').env('DFGET_STORAGE_SECURITY_TOKEN'))
  .option('--storage-insecure-skip-verify', 'do not verify the object storage endpoint TLS certificate')
  .addOption(new Option('--hdfs-delegation-token <token>', 'HDFS delegation token for WebHDFS').env('DFGET_HDFS_DELEGATION_TOKEN'))
  .option('--digest <algo:hex>', 'expected digest of the whole file: sha256:..., sha512:... or crc32:...')
  .option('--tag <tag>', 'tag that separates tasks of the same URL')
  .option('--application <name>', 'application name (also separates tasks)')
  .option('--piece-length <size>', 'fixed piece length, 4MiB to 64MiB (changes the task id)')
  .option('--filtered-query-param <name>', 'query parameter left out of the task id (repeatable; default: signature params of S3, GCS, OSS, OBS, COS)', collect)
  .option('-H, --header <header>', "request header for the origin, 'Name: value' (repeatable)", collect)
  .option('--timeout <duration>', 'give up after this long (e.g. 30m, 2h)', '2h')
  .option('-p, --priority <0-6>', 'task priority', '6')
  .option('--disable-back-to-source', 'never download from the source; fail if no peer has it')
  .option('--content-for-calculating-task-id <text>', 'compute the task id from this text instead of the URL')
  .option('-e, --endpoint <path>', 'Unix socket of dfdaemon', DEFAULT_DFDAEMON_SOCKET)
  .option('--no-progress', 'do not show a progress bar')
  .option('-l, --log-level <level>', 'trace, debug, info, warn or error', 'info')
  .option('--console', 'print a summary of where the bytes came from')
  .option('--overwrite', 'replace the output file if it exists')
  .option('--transfer-from-dfdaemon', 'have the daemon stream the bytes over its socket and write the file here (dfget in another container, or another user)')
  .option('--force-hard-link', 'fail unless the output can be a hard link to the cache')
  .version(coreVersion(), '-V, --version')
  .showHelpAfterError()
  .exitOverride()
  .action(async (url: string, flags) => {
    try {
      await runDfget(parseDfgetOptions(url, flags));
    } catch (error) {
      exitWithError('dfget', error);
    }
  });

await runProgram(program, process.argv);
