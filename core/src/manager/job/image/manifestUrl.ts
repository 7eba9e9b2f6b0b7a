/** Parsing of an image manifest URL as Dragonfly's `pkg/oci/reference.go` does. */
import { createError, ErrorCodes } from '../../../common/errors.js';

/** The parts of `<scheme>://<registry>/v2/<repository>/manifests/<reference>`. */
export interface ManifestReference {
  readonly scheme: 'http' | 'https';
  /** `host[:port]`. */
  readonly registry: string;
  /** e.g. `library/nginx`. */
  readonly repository: string;
  /** Tag or digest. */
  readonly reference: string;
}

const MANIFEST_URL = /^(.*):\/\/(.*)\/v2\/(.*)\/manifests\/(.*)$/;
const REPOSITORY = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const REFERENCE = /^(?:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-fA-F0-9]{32,})$/;

/**
 * Parses a manifest URL. `D7Y_ERR_INVALID_ARGUMENT` naming `field` when it is not
 * `http(s)://<registry>/v2/<repository>/manifests/<tag or digest>`.
 */
export function parseManifestUrl(url: string, field = 'args.url'): ManifestReference {
  const bad = (why: string) =>
    createError(ErrorCodes.INVALID_ARGUMENT, `${field}: ${why} (expected http(s)://<registry>/v2/<repository>/manifests/<tag or digest>)`, { details: { field } });
  const match = MANIFEST_URL.exec(url);
  if (!match) throw bad('not an image manifest URL');
  const [, scheme, registry, repository, reference] = match as unknown as [string, string, string, string, string];
  if (scheme !== 'http' && scheme !== 'https') throw bad(`scheme ${JSON.stringify(scheme)} is not http or https`);
  if (registry === '' || registry.includes('/') || registry.includes('@')) throw bad(`registry ${JSON.stringify(registry)} is not a host[:port]`);
  if (!REPOSITORY.test(repository)) throw bad(`repository ${JSON.stringify(repository)} is not a valid name`);
  if (!REFERENCE.test(reference)) throw bad(`reference ${JSON.stringify(reference)} is not a tag or digest`);
  return { scheme, registry, repository, reference };
}

/** `<scheme>://<registry>/v2/<repository>/<kind>/<ref>`. */
export function registryUrl(ref: ManifestReference, kind: 'manifests' | 'blobs', target: string): URL {
  return new URL(`${ref.scheme}://${ref.registry}/v2/${ref.repository}/${kind}/${target}`);
}
