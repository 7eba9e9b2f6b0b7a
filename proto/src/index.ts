/**
 * @d7y/proto — the control-plane protocol of d7y (Dragonfly v2 shaped).
 *
 * - `loadProtos()` returns the typed @grpc/grpc-js package object (client constructors and
 *   service definitions), loaded once per process from `PROTOS_DIR`.
 * - Message/service types live in namespaces: `commonV2`, `errordetailsV2`, `schedulerV2`,
 *   `dfdaemonV2`, `managerV2`, `googleProtobuf`, `healthV1` (grpc.health.v1). For every message `X` there is `X` (what you
 *   may send: all fields optional, longs accept number|string|Long) and `X__Output` (what you
 *   receive: defaults filled, uint64 as `number`, enums as their string names, oneofs with a
 *   virtual discriminator field such as `request: 'registerPeerRequest'`). Services have
 *   `<Service>Client`, `<Service>Handlers` and `<Service>Definition`.
 * - Message-size and stream bounds for clients and servers: `grpcChannelOptions()`,
 *   `grpcServerOptions()` and the `GRPC_*` constants.
 *
 * Generated code is in ./generated (run `npm run proto:gen`; never edit by hand).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

import type { ProtoGrpcType as CommonProtoGrpcType } from './generated/common.js';
import type { ProtoGrpcType as DfdaemonProtoGrpcType } from './generated/dfdaemon.js';
import type { ProtoGrpcType as ErrordetailsProtoGrpcType } from './generated/errordetails.js';
import type { ProtoGrpcType as ManagerProtoGrpcType } from './generated/manager.js';
import type { ProtoGrpcType as SchedulerProtoGrpcType } from './generated/scheduler.js';
import type { ProtoGrpcType as HealthProtoGrpcType } from './generated/health.js';

export * as commonV2 from './generated/common/v2/index.js';
export * as errordetailsV2 from './generated/errordetails/v2/index.js';
export * as schedulerV2 from './generated/scheduler/v2/index.js';
export * as dfdaemonV2 from './generated/dfdaemon/v2/index.js';
export * as managerV2 from './generated/manager/v2/index.js';
export * as googleProtobuf from './generated/google/protobuf/index.js';
export * as healthV1 from './generated/grpc/health/v1/index.js';

/** The whole loaded package tree: `common.v2`, `errordetails.v2`, `scheduler.v2`, `dfdaemon.v2`, `manager.v2`, `google.protobuf`. */
export type ProtoGrpcType = CommonProtoGrpcType &
  ErrordetailsProtoGrpcType &
  SchedulerProtoGrpcType &
  DfdaemonProtoGrpcType &
  ManagerProtoGrpcType &
  HealthProtoGrpcType;

/** Absolute path of the directory holding the .proto sources (`<package>/protos`, next to `dist/` and `src/`). */
export const PROTOS_DIR: string = fileURLToPath(new URL('../protos', import.meta.url));

/** The .proto files loaded by `loadProtos()`, relative to `PROTOS_DIR`. */
export const PROTO_FILES: readonly string[] = Object.freeze([
  'common.proto',
  'errordetails.proto',
  'scheduler.proto',
  'dfdaemon.proto',
  'manager.proto',
  'health.proto',
]);

/**
 * Loader options used at runtime. They match the flags the types were generated with
 * (proto/scripts/generate.mjs LOADER_FLAGS): camelCase field names, 64-bit integers as JS
 * numbers (exact up to 2^53), enums as string names, defaults filled in, virtual oneof fields.
 * `google/protobuf/*.proto` imports resolve to the copies bundled with protobufjs.
 */
export const PROTO_LOADER_OPTIONS: Readonly<protoLoader.Options> = Object.freeze({
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: Object.freeze([PROTOS_DIR]) as string[],
});

let packageDefinition: protoLoader.PackageDefinition | undefined;
let grpcObject: ProtoGrpcType | undefined;

/**
 * The descriptor of `PROTO_FILES` as protobufjs JSON (`protos/descriptor.json`, written by `npm run proto:gen`;
 * a test keeps it equal to the .proto sources). Loading it skips parsing the .proto text at every start.
 */
export const DESCRIPTOR_FILE: string = join(PROTOS_DIR, 'descriptor.json');

/** The protobuf package definition of all `PROTO_FILES` (loaded once, synchronously). */
export function loadPackageDefinition(): protoLoader.PackageDefinition {
  packageDefinition ??= protoLoader.fromJSON(JSON.parse(readFileSync(DESCRIPTOR_FILE, 'utf8')) as Record<string, unknown>, PROTO_LOADER_OPTIONS);
  return packageDefinition;
}

/**
 * The typed gRPC package object (loaded once per process).
 *
 * @example
 *   const { scheduler } = loadProtos();
 *   const client = new scheduler.v2.Scheduler(addr, grpc.credentials.createInsecure(), grpcChannelOptions());
 *   server.addService(scheduler.v2.Scheduler.service, handlers);
 */
export function loadProtos(): ProtoGrpcType {
  grpcObject ??= grpc.loadPackageDefinition(loadPackageDefinition()) as unknown as ProtoGrpcType;
  return grpcObject;
}

// ---------------------------------------------------------------------------------------------
// Bounds. Every control-plane message is metadata (piece bytes use the separate data plane), so a
// small cap keeps a misbehaving or hostile peer from making a process buffer large messages.

const MiB = 1024 * 1024;

/**
 * 4 MiB: largest message a d7y client or server accepts (gRPC's own default receive limit).
 * For scale: a Task with the maximum 500 pieces is about 60 KiB; a Host about 0.5 KiB, so
 * ListHosts fits roughly 8,000 hosts.
 */
export const GRPC_MAX_RECEIVE_MESSAGE_BYTES = 4 * MiB;

/** 4 MiB: largest message a d7y client or server sends; larger ones fail with RESOURCE_EXHAUSTED locally. */
export const GRPC_MAX_SEND_MESSAGE_BYTES = 4 * MiB;

/**
 * 65 MiB: limit for the local Unix-socket DfdaemonDownload service when a client asks for
 * `need_piece_content` (one piece is at most 64 MiB, plus metadata). Use it only on that socket,
 * e.g. `grpcServerOptions(messageSizeOptions(GRPC_LOCAL_MAX_MESSAGE_BYTES))`.
 */
export const GRPC_LOCAL_MAX_MESSAGE_BYTES = 65 * MiB;

/** 1000: concurrent HTTP/2 streams (calls) a server allows per client connection. */
export const GRPC_MAX_CONCURRENT_STREAMS = 1000;

/** Send and receive message-size limits for a channel or server (same key names on both). */
export function messageSizeOptions(maxBytes: number): {
  'grpc.max_receive_message_length': number;
  'grpc.max_send_message_length': number;
} {
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
    throw new RangeError(`message size limit must be a positive integer, got ${maxBytes}`);
  }
  return { 'grpc.max_receive_message_length': maxBytes, 'grpc.max_send_message_length': maxBytes };
}

/** Client channel options with d7y's bounds; `overrides` win. Returns a fresh object. */
export function grpcChannelOptions(overrides: grpc.ChannelOptions = {}): grpc.ChannelOptions {
  return {
    'grpc.max_receive_message_length': GRPC_MAX_RECEIVE_MESSAGE_BYTES,
    'grpc.max_send_message_length': GRPC_MAX_SEND_MESSAGE_BYTES,
    ...overrides,
  };
}

/** Server options with d7y's bounds; `overrides` win. Returns a fresh object. */
export function grpcServerOptions(overrides: grpc.ServerOptions = {}): grpc.ServerOptions {
  return {
    'grpc.max_receive_message_length': GRPC_MAX_RECEIVE_MESSAGE_BYTES,
    'grpc.max_send_message_length': GRPC_MAX_SEND_MESSAGE_BYTES,
    'grpc.max_concurrent_streams': GRPC_MAX_CONCURRENT_STREAMS,
    ...overrides,
  };
}
