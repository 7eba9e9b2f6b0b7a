/**
 * Image preheat resolution (Dragonfly `internal/job/image.go`): fetch the manifest named by the URL with every
 * distribution media type accepted, pick the requested platform from an OCI index or Docker manifest list,
 * and return the blob URLs of the config and every layer, with the `Authorization` header that the peers must
 * send to the registry.
 */
import { createError, ErrorCodes } from '../../../common/errors.js';
import { egressRequest } from '../../../common/egress/egressRequest.js';
import { parseManifestUrl, registryUrl, type ManifestReference } from './manifestUrl.js';
import { answerChallenge, parseChallenge, type BasicCredentials, type RegistryClientOptions } from './registryAuth.js';

/** Media types sent in `Accept` for manifests. */
export const MANIFEST_MEDIA_TYPES: readonly string[] = Object.freeze([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
  'application/vnd.docker.distribution.manifest.v1+json',
]);

const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/;
/** Most index levels followed (an index of indexes). */
const MAX_DEPTH = 3;

/** What to resolve. */
export interface ResolveImageInput {
  readonly url: string;
  /** Request headers from the args; an `Authorization` among them is used as is. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly credentials?: BasicCredentials;
  /** `os/arch[/variant]`. */
  readonly platform: string;
}

/** The blobs to preheat and the headers to fetch them with. */
export interface ResolvedImage {
  /** Config first, then the layers in manifest order. */
  readonly urls: string[];
  /** Headers for the blob requests (`Authorization` when the registry needed one). */
  readonly headers: Record<string, string>;
}

interface Descriptor {
  mediaType?: string;
  digest?: string;
  platform?: { os?: string; architecture?: string; variant?: string };
}

interface ManifestDoc {
  mediaType?: string;
  schemaVersion?: number;
  manifests?: Descriptor[];
  config?: Descriptor;
  layers?: Descriptor[];
  fsLayers?: Array<{ blobSum?: string }>;
}

/** Resolves the image; failures carry a message naming what went wrong (shown as the job's error). */
export async function resolveImage(input: ResolveImageInput, options: RegistryClientOptions): Promise<ResolvedImage> {
  const ref = parseManifestUrl(input.url);
  const headers = Object.fromEntries(Object.entries(input.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const session = { authorization: headers.authorization as string | undefined };
  let target = ref.reference;
  for (let depth = 0; depth <= MAX_DEPTH; depth++) {
    const { doc, mediaType } = await fetchManifest(ref, target, headers, session, input.credentials, options);
    if (INDEX_TYPES.has(mediaType) || (mediaType === '' && Array.isArray(doc.manifests))) {
      target = pickPlatform(doc.manifests ?? [], input.platform, input.url);
      continue;
    }
    const digests = referencesOf(doc, input.url);
    const blobHeaders: Record<string, string> = { ...headers };
    if (session.authorization) blobHeaders.authorization = session.authorization;
    return { urls: digests.map((digest) => registryUrl(ref, 'blobs', digest).toString()), headers: blobHeaders };
  }
  throw createError(ErrorCodes.SOURCE_ERROR, `${input.url}: image indexes nested deeper than ${MAX_DEPTH}`);
}

async function fetchManifest(
  ref: ManifestReference,
  target: string,
  headers: Record<string, string>,
  session: { authorization: string | undefined },
  credentials: BasicCredentials | undefined,
  options: RegistryClientOptions,
): Promise<{ doc: ManifestDoc; mediaType: string }> {
  const url = registryUrl(ref, 'manifests', target);
  const send = () =>
    egressRequest(options.egress, {
      url,
      headers: { ...headers, accept: MANIFEST_MEDIA_TYPES.join(', '), ...(session.authorization ? { authorization: session.authorization } : {}) },
      timeoutMs: options.timeoutMs,
      rejectUnauthorized: !options.insecureSkipVerify,
      ...(options.ca ? { ca: options.ca } : {}),
    });
  let response = await send();
  if (response.status === 401 && !headers.authorization) {
    const challenge = parseChallenge(response.headers['www-authenticate']);
    if (!challenge) throw createError(ErrorCodes.UNAUTHENTICATED, `${url}: registry answered 401 without a usable WWW-Authenticate challenge`);
    session.authorization = await answerChallenge(challenge, credentials, options);
    response = await send();
  }
  if (response.status !== 200) throw createError(response.status === 401 || response.status === 403 ? ErrorCodes.UNAUTHENTICATED : ErrorCodes.SOURCE_ERROR, `${url}: registry answered ${response.status}${registryError(response.body)}`);
  let doc: ManifestDoc;
  try {
    doc = JSON.parse(response.body.toString('utf8')) as ManifestDoc;
  } catch {
    throw createError(ErrorCodes.SOURCE_ERROR, `${url}: manifest is not JSON`);
  }
  const contentType = String(response.headers['content-type'] ?? '').split(';')[0]!.trim();
  return { doc, mediaType: doc.mediaType ?? (MANIFEST_MEDIA_TYPES.includes(contentType) ? contentType : '') };
}

function registryError(body: Buffer): string {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { errors?: Array<{ code?: string; message?: string }> };
    const first = parsed.errors?.[0];
    return first ? `: ${first.code ?? ''} ${first.message ?? ''}`.trimEnd() : '';
  } catch {
    return '';
  }
}

/** The digest of the manifest for `platform` (`os/arch[/variant]`) in an index. */
export function pickPlatform(manifests: readonly Descriptor[], platform: string, url: string): string {
  const [os, architecture, variant] = platform.split('/');
  const match = manifests.find(
    (m) => m.platform?.os === os && m.platform?.architecture === architecture && (variant === undefined || m.platform?.variant === variant),
  );
  if (!match?.digest || !DIGEST.test(match.digest)) {
    const available = manifests.map((m) => [m.platform?.os, m.platform?.architecture, m.platform?.variant].filter(Boolean).join('/')).join(', ');
    throw createError(ErrorCodes.SOURCE_ERROR, `${url}: no manifest for platform ${platform} (available: ${available || 'none'})`);
  }
  return match.digest;
}

/** Config and layer digests of an image manifest (OCI, Docker schema 2, or schema 1 `fsLayers`). */
export function referencesOf(doc: ManifestDoc, url: string): string[] {
  const digests: string[] = [];
  if (doc.config?.digest) digests.push(doc.config.digest);
  for (const layer of doc.layers ?? []) if (layer.digest) digests.push(layer.digest);
  for (const layer of doc.fsLayers ?? []) if (layer.blobSum) digests.push(layer.blobSum);
  const unique = [...new Set(digests)];
  if (unique.length === 0) throw createError(ErrorCodes.SOURCE_ERROR, `${url}: manifest names no config or layers`);
  for (const digest of unique) if (!DIGEST.test(digest)) throw createError(ErrorCodes.SOURCE_ERROR, `${url}: manifest has a malformed digest ${JSON.stringify(digest)}`);
  return unique;
}
