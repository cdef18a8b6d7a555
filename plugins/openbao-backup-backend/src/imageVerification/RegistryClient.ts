import { RegistryCredentials } from './registryAuth';

/** A repository on a registry: `registry` as in the image reference (`docker.io`, `host:5000`). */
export interface RepositoryRef {
  registry: string;
  repository: string;
}

export interface Manifest {
  mediaType: string;
  /** `sha256:<hex>` of the manifest bytes (checked against the bytes). */
  digest: string;
  body: Buffer;
}

/** One entry of a referrers list: a manifest whose `subject` is the image. */
export interface ReferrerDescriptor {
  mediaType: string;
  digest: string;
  artifactType?: string;
  annotations?: Record<string, string>;
}

/**
 * Why a registry call failed: `unreachable` (network, timeout, 5xx), `unauthorized` (401/403 after
 * the auth flow), `protocol` (a response that breaks the distribution spec).
 */
export class RegistryError extends Error {
  readonly kind: 'unreachable' | 'unauthorized' | 'protocol';

  constructor(kind: RegistryError['kind'], message: string) {
    super(message);
    this.name = 'RegistryError';
    this.kind = kind;
  }
}

/** The parts of the OCI distribution API image verification needs; read-only. */
export interface RegistryClient {
  /** The digest `tag` points to now (an index's own digest for multi-arch images); undefined on 404. */
  resolveDigest(
    repo: RepositoryRef,
    tag: string,
    credentials?: RegistryCredentials,
  ): Promise<string | undefined>;
  /** The manifest at a tag or digest; undefined on 404. */
  getManifest(
    repo: RepositoryRef,
    reference: string,
    credentials?: RegistryCredentials,
  ): Promise<Manifest | undefined>;
  /**
   * The manifests whose `subject` is `digest`: the OCI 1.1 referrers API, or the referrers tag
   * schema (`sha256-<hex>`) where the API answers 404; empty when neither lists any.
   */
  listReferrers(
    repo: RepositoryRef,
    digest: string,
    credentials?: RegistryCredentials,
  ): Promise<ReferrerDescriptor[]>;
  /** A blob's bytes, checked against `digest`; at most `maxBytes`. */
  getBlob(
    repo: RepositoryRef,
    digest: string,
    maxBytes: number,
    credentials?: RegistryCredentials,
  ): Promise<Buffer>;
}
