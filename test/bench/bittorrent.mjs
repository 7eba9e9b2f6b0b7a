// Scenario C (reference/performance.md 6.4): the BitTorrent reference with Debian's aria2c + opentracker on the same
// topology, F, N and U as the d7y swarm. Tracker on the bridge address in the root namespace (whitelist mode:
// the info-hash must be listed; opentracker chroots to -d, so the whitelist path is relative to it), seed in ns0
// (the origin site, egress capped at B0), leechers in ns1..nsN. Leechers keep seeding until the last one is done.
// T_i comes from an --on-bt-download-complete hook writing a timestamp; E from the tbf counters of ns0's veth.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, createReadStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { basename, dirname, join } from 'node:path';

import { MiB } from './lib.mjs';
import { egressBetween, spawnTracked, stopProcess, waitPort } from './netns.mjs';
import { cpuSampler } from './procstat.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const run = (cmd, args) =>
  new Promise((resolve, reject) => execFile(cmd, args, { maxBuffer: 1 << 24 }, (error, stdout, stderr) => (error ? reject(new Error(`${cmd}: ${stderr || error.message}`)) : resolve(stdout))));

const COMMON = [
  '--enable-dht=false',
  '--enable-dht6=false',
  '--bt-enable-lpd=false',
  '--enable-peer-exchange=false',
  '--disable-ipv6=true',
  '--console-log-level=notice',
  '--summary-interval=0',
  '--show-console-readout=false',
  '--bt-tracker-interval=1',
  '--seed-ratio=0.0',
  '--file-allocation=falloc',
];

export async function bittorrentAvailable() {
  const missing = [];
  for (const [cmd, arg] of [['aria2c', '--version'], ['opentracker', '-h'], ['transmission-create', '--help']]) {
    await run(cmd, [arg]).catch((error) => {
      if (/ENOENT/.test(error.message)) missing.push(cmd);
    });
  }
  return missing.length ? { ok: false, reason: `${missing.join(', ')} not installed (apt-get install aria2 opentracker transmission-cli)` } : { ok: true };
}

/** Piece size: F/256 rounded to a power of two, clamped to [256 KiB, 4 MiB] (256 KiB at 64 MiB, 1 MiB at 256 MiB). */
const pieceKiBFor = (size) => Math.min(4096, Math.max(256, 2 ** Math.round(Math.log2(size / 256 / 1024))));

export async function bittorrentRun(net, { dir, file, size, digest }) {
  const pieceKiB = pieceKiBFor(size);
  const work = join(dir, `bt-${size}`);
  mkdirSync(work, { recursive: true });
  chmodSync(dir, 0o755);
  chmodSync(work, 0o755);
  const port = await net.freePortOnHost();
  const announce = `http://${net.hostIp}:${port}/announce`;
  const torrent = join(work, 'x.torrent');
  await run('transmission-create', ['-p', '-s', String(pieceKiB), '-t', announce, '-o', torrent, file]);
  const infoHash = /Info Hash:\s*([0-9a-f]{40})/i.exec(await run('aria2c', ['-S', torrent]))?.[1];
  if (!infoHash) throw new Error('could not read the info hash with aria2c -S');
  writeFileSync(join(work, 'whitelist.txt'), `${infoHash}\n`, { mode: 0o644 });
  const procs = [];
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const tracker = spawnTracked('opentracker', ['-i', net.hostIp, '-p', String(port), '-P', String(port), '-d', work, ...(root ? ['-u', 'nobody'] : []), '-w', '/whitelist.txt']);
  procs.push(tracker);
  let trackerOut = '';
  tracker.stdout.on('data', (c) => (trackerOut += c));
  tracker.stderr.on('data', (c) => (trackerOut += c));
  try {
    await waitPort(net.hostIp, port, 10_000).catch(() => {
      throw new Error(`opentracker did not listen: ${trackerOut.trim()}`);
    });
    const limit = (i) => (net.uploadLimit(i) ? [`--max-upload-limit=${net.uploadLimit(i)}`] : []);
    // seed in the origin site
    const seed = net.spawnIn(0, 'aria2c', [...COMMON, '-V', '--bt-seed-unverified=true', `--listen-port=${6881}`, `--dir=${dirname(file)}`, ...limit(0), torrent], { stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(seed);
    let seedOut = '';
    seed.stdout.on('data', (c) => (seedOut += c));
    seed.stderr.on('data', (c) => (seedOut += c));
    const deadline = Date.now() + 60_000;
    while ((await scrapeComplete(net.hostIp, port, infoHash)) < 1) {
      if (seed.exitCode !== null) throw new Error(`aria2 seed exited ${seed.exitCode}: ${seedOut.trim().slice(-300)}`);
      if (Date.now() > deadline) throw new Error(`aria2 seed never announced as complete: ${seedOut.trim().slice(-300)}; tracker: ${trackerOut.trim().slice(-200)}`);
      await sleep(100);
    }

    const leechDirs = [];
    const sentBefore = await net.originSent();
    const sampler = cpuSampler(1000);
    const t0Wall = Date.now();
    const peers = net.nodes - 1;
    for (let i = 1; i <= peers; i++) {
      const leech = join(work, `leech-${i}`);
      mkdirSync(leech, { recursive: true });
      const hook = join(work, `hook-${i}.sh`);
      writeFileSync(hook, `#!/bin/sh\ndate +%s%N > ${join(leech, '.done')}\n`, { mode: 0o755 });
      leechDirs.push(leech);
      const child = net.spawnIn(i, 'aria2c', [...COMMON, `--listen-port=${6881 + i}`, `--dir=${leech}`, `--on-bt-download-complete=${hook}`, ...limit(i), torrent], { stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr.resume();
      procs.push(child);
    }
    const timeoutMs = Math.max(180_000, 10 * ((size * 8) / (net.b0Mbit * 1e6)) * 1000);
    const doneAt = new Array(peers).fill(undefined);
    while (doneAt.some((x) => x === undefined)) {
      if (Date.now() - t0Wall > timeoutMs) throw new Error(`aria2 leechers not done after ${timeoutMs / 1000} s (${doneAt.filter((x) => x !== undefined).length}/${peers} done)`);
      for (let k = 0; k < peers; k++) {
        if (doneAt[k] !== undefined) continue;
        const marker = join(leechDirs[k], '.done');
        if (existsSync(marker)) {
          const text = readFileSync(marker, 'utf8').trim();
          if (text) doneAt[k] = Number(BigInt(text) / 1000n) / 1000 - t0Wall; // ms since start
        }
      }
      await sleep(50);
    }
    const sentAfter = await net.originSent();
    const cpu = sampler.stop();
    // stop everything; the seed prints its upload total on a graceful shutdown (used in the loopback fallback)
    for (const p of procs.slice(2)) await stopProcess(p, 2000);
    await stopProcess(seed, 3000);
    for (const [k, leech] of leechDirs.entries()) {
      const got = await sha256File(join(leech, basename(file)));
      if (got !== digest) throw new Error(`aria2 leecher ${k + 1} output differs from the origin file`);
    }
    const times = doneAt.map((ms) => ms / 1000).sort((a, b) => a - b);
    const egress = egressBetween(sentBefore, sentAfter);
    let E = egress.payload / size;
    let eNote = `tbf Sent on the seed veth (ns0) minus 66 B headers per packet; wire bytes incl. headers ${(egress.wire / size).toFixed(3)}`;
    if (!Number.isFinite(E)) {
      E = parseAriaBytes(/uploaded\/downloaded=([0-9.]+[KMG]?i?B)/.exec(seedOut)?.[1]) / size;
      eNote = 'FALLBACK: seed upload total printed by aria2 at shutdown';
    }
    console.log(`  aria2 F=${size / MiB} MiB (piece ${pieceKiB} KiB): T_first ${times[0].toFixed(2)} s, T_last ${times.at(-1).toFixed(2)} s, E ${E.toFixed(3)}`);
    return { tFirst: times[0], tP50: times[Math.floor((times.length - 1) / 2)], tLast: times.at(-1), times, E, eNote, cpu, pieceKiB };
  } finally {
    for (const p of procs.reverse()) await stopProcess(p, 1000);
    rmSync(work, { recursive: true, force: true });
  }
}

function parseAriaBytes(text) {
  const m = /^([0-9.]+)([KMG]?)i?B$/.exec(text ?? '');
  if (!m) return NaN;
  return Number(m[1]) * { '': 1, K: 1024, M: MiB, G: 1024 * MiB }[m[2]];
}

/** Seeders ("complete") the tracker knows for an info hash, from /scrape. */
function scrapeComplete(host, port, infoHash) {
  const encoded = infoHash.replace(/../g, '%$&');
  return new Promise((resolve) => {
    const req = request({ host, port, path: `/scrape?info_hash=${encoded}`, timeout: 1000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve(Number(/8:completei(\d+)e/.exec(Buffer.concat(chunks).toString('latin1'))?.[1] ?? 0)));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

/** sha256 hex of a file. */
export function sha256File(path) {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path, { highWaterMark: 4 * MiB })
      .on('data', (c) => hash.update(c))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}
