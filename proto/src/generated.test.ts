import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

import * as protoLoader from '@grpc/proto-loader';

import { DEFAULT_OUT_DIR, DESCRIPTOR_PATH, LOADER_FLAGS, PROTO_FILES as GEN_PROTO_FILES, descriptorJson, generate } from '../scripts/generate.mjs';
import { DESCRIPTOR_FILE, loadPackageDefinition, PROTO_FILES, PROTO_LOADER_OPTIONS, PROTOS_DIR } from './index.js';

const committed = fileURLToPath(new URL('./generated', import.meta.url));

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) visit(full);
      else out.push(relative(dir, full));
    }
  };
  visit(dir);
  return out;
}

describe('generated types', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'd7y-proto-fresh-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('proto/src/generated is up to date with proto/protos (run `npm run proto:gen`)', () => {
    expect(DEFAULT_OUT_DIR).toBe(committed);
    const out = generate({ outDir: join(scratch, 'generated'), quiet: true });
    const fresh = listFiles(out);
    expect(listFiles(committed)).toEqual(fresh);
    const stale = fresh.filter((f) => readFileSync(join(out, f), 'utf8') !== readFileSync(join(committed, f), 'utf8'));
    expect(stale, `stale generated files: ${stale.join(', ')}`).toEqual([]);
  });

  it('was generated with the loader options used at runtime', () => {
    expect([...GEN_PROTO_FILES]).toEqual([...PROTO_FILES]);
    expect(PROTO_LOADER_OPTIONS.keepCase).toBe(LOADER_FLAGS.keepCase);
    expect(PROTO_LOADER_OPTIONS.longs).toBe(Number);
    expect(LOADER_FLAGS.longs).toBe('Number');
    expect(PROTO_LOADER_OPTIONS.enums).toBe(String);
    expect(LOADER_FLAGS.enums).toBe('String');
    expect(PROTO_LOADER_OPTIONS.defaults).toBe(LOADER_FLAGS.defaults);
    expect(PROTO_LOADER_OPTIONS.oneofs).toBe(LOADER_FLAGS.oneofs);
    expect(PROTO_LOADER_OPTIONS.includeDirs).toEqual([PROTOS_DIR]);
  });

  it('finds the .proto sources next to src/ and dist/', () => {
    for (const file of PROTO_FILES) expect(statSync(join(PROTOS_DIR, file)).isFile()).toBe(true);
  });

  it('protos/descriptor.json is up to date with proto/protos (run `npm run proto:gen`)', () => {
    expect(DESCRIPTOR_PATH).toBe(DESCRIPTOR_FILE);
    expect(readFileSync(DESCRIPTOR_FILE, 'utf8')).toBe(descriptorJson());
  });

  it('the package definition loaded at runtime equals the one parsed from the .proto files', () => {
    const parsed = protoLoader.loadSync([...PROTO_FILES], { ...PROTO_LOADER_OPTIONS, includeDirs: [PROTOS_DIR] });
    const loaded = loadPackageDefinition();
    expect(Object.keys(loaded).sort()).toEqual(Object.keys(parsed).sort());
    for (const [name, definition] of Object.entries(parsed)) {
      const runtime = loaded[name]!;
      if ('format' in definition) {
        expect((runtime as protoLoader.MessageTypeDefinition).type, name).toEqual(definition.type);
        continue;
      }
      for (const [method, spec] of Object.entries(definition as protoLoader.ServiceDefinition)) {
        const other = (runtime as protoLoader.ServiceDefinition)[method]!;
        const shape = (m: protoLoader.MethodDefinition<object, object>) => [m.path, m.requestStream, m.responseStream, m.requestType.type, m.responseType.type];
        expect(shape(other), `${name}.${method}`).toEqual(shape(spec));
      }
    }
    // Encoding follows the same loader options: oneof names, enums as strings, defaults filled.
    const request = { hostId: 'h', taskId: 't', peerId: 'p', downloadPieceFailedRequest: { pieceNumber: 3, parentId: 'x', temporary: true } };
    const method = (definition: protoLoader.PackageDefinition) => (definition['scheduler.v2.Scheduler'] as protoLoader.ServiceDefinition).AnnouncePeer!;
    const bytes = method(parsed).requestSerialize(request);
    expect(method(loaded).requestSerialize(request)).toEqual(bytes);
    expect(method(loaded).requestDeserialize(bytes)).toEqual(method(parsed).requestDeserialize(bytes));
  });
});
