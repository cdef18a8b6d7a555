/** An image reference split the way the registry API needs it (distribution/reference grammar). */
export interface ImageReference {
  /** Registry host as written (`docker.io` for Docker Hub shorthand), with port if any. */
  registry: string;
  /** Repository path inside the registry (`library/alpine` for Docker Hub's official images). */
  repository: string;
  tag?: string;
  /** `sha256:<hex>` when the reference pins one. */
  digest?: string;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

/**
 * Parses `[registry[:port]/]path[:tag][@sha256:hex]`. The first path part is a registry when it has a
 * `.` or `:` or is `localhost` (as Docker decides); otherwise the registry is Docker Hub and a
 * one-part path gets `library/`. No tag and no digest means `latest`. Throws on anything invalid.
 */
export function parseImageReference(image: string): ImageReference {
  const fail = (why: string): never => {
    throw new Error(`invalid image reference "${image}": ${why}`);
  };
  let rest = image.trim();
  if (!rest) fail('empty');
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) fail(`digest "${digest}" is not sha256:<64 hex>`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) fail(`tag "${tag}" is invalid`);
  }
  const parts = rest.split('/');
  let registry = 'docker.io';
  if (
    parts.length > 1 &&
    (parts[0].includes('.') ||
      parts[0].includes(':') ||
      parts[0] === 'localhost')
  ) {
    registry = parts.shift()!;
  }
  if (registry === 'index.docker.io') registry = 'docker.io';
  if (registry === 'docker.io' && parts.length === 1) parts.unshift('library');
  for (const part of parts) {
    if (!COMPONENT.test(part)) fail(`path component "${part}" is invalid`);
  }
  return {
    registry,
    repository: parts.join('/'),
    ...(tag || !digest ? { tag: tag ?? 'latest' } : {}),
    ...(digest ? { digest } : {}),
  };
}

/** `registry/repository`, what a pinned reference starts with. */
export function repositoryName(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}`;
}

/** The reference a Job runs: `registry/repository@sha256:<hex>`. */
export function pinnedImage(ref: ImageReference, digest: string): string {
  return `${repositoryName(ref)}@${digest}`;
}

/** Host that serves the `/v2/` API for a registry (Docker Hub's API lives elsewhere). */
export function registryApiHost(registry: string): string {
  return registry === 'docker.io' ? 'registry-1.docker.io' : registry;
}

/** The tag where cosign stores the signatures of `digest`: `sha256-<hex>.sig`. */
export function signatureTagFor(digest: string): string {
  if (!DIGEST.test(digest)) throw new Error(`not a sha256 digest: ${digest}`);
  return `${digest.replace(':', '-')}.sig`;
}
