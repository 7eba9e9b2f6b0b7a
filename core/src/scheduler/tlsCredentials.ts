import { readFileSync } from 'node:fs';

import { credentials, ServerCredentials, type ChannelCredentials } from '@grpc/grpc-js';

/** A `grpcTls` config block: CA, certificate and key files (PEM). */
export interface TlsFiles {
  readonly caCert: string;
  readonly cert: string;
  readonly key: string;
}

/** Server credentials: mutual TLS when `tls` is set, else insecure. */
export function serverCredentials(tls: TlsFiles | undefined): ServerCredentials {
  if (!tls) return ServerCredentials.createInsecure();
  return ServerCredentials.createSsl(readFileSync(tls.caCert), [{ cert_chain: readFileSync(tls.cert), private_key: readFileSync(tls.key) }], true);
}

/** Client channel credentials: mutual TLS when `tls` is set, else insecure. */
export function channelCredentials(tls: TlsFiles | undefined): ChannelCredentials {
  if (!tls) return credentials.createInsecure();
  return credentials.createSsl(readFileSync(tls.caCert), readFileSync(tls.key), readFileSync(tls.cert));
}
