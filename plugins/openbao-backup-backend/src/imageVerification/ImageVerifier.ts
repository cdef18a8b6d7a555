import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Verifier } from '@sigstore/verify';
import { OpenBaoCluster } from '@internal/plugin-openbao-backup-common';
import { KubeGateway } from '../adapters/KubeGateway';
import {
  COSIGN_SIGNATURE_ANNOTATION,
  SIMPLE_SIGNING_MEDIA_TYPE,
  SignatureEntry,
  SignatureVerdict,
  checkSignatures,
  keyFingerprint,
  publicKeyFromPem,
} from './cosignSignature';
import {
  ImageReference,
  parseImageReference,
  pinnedImage,
  repositoryName,
  signatureTagFor,
} from './imageReference';
import {
  ReferrerDescriptor,
  RegistryClient,
  RegistryError,
} from './RegistryClient';
import {
  COSIGN_SIGNATURE_ARTIFACT,
  SIGSTORE_BUNDLE_V03,
  entryFromBundle,
} from './sigstoreBundle';
import { OciRegistryClient } from './OciRegistryClient';
import { RegistryCredentials, credentialsFor } from './registryAuth';
import { TtlCache } from './TtlCache';
import {
  COSIGN_BUNDLE_ANNOTATION,
  COSIGN_CERTIFICATE_ANNOTATION,
  checkKeylessSignatures,
  createKeylessVerifier,
} from './keylessSignature';

/** The outcome for one cluster: the image to run pinned to its verified digest, or why not. */
export type ImageVerificationResult =
  | { verified: true; image: string; digest: string }
  | { verified: false; message: string };

type Step<T> = { ok: true; value: T } | { ok: false; message: string };

/** What signatures must satisfy: a public key or a keyless identity; `id` keys the cache. */
interface Trust {
  id: string;
  check(digest: string, entries: SignatureEntry[]): SignatureVerdict;
}

export interface ImageVerifierOptions {
  client?: RegistryClient;
  /** Milliseconds; default `Date.now`. */
  now?: () => number;
  /** How long a tag's digest is trusted before asking the registry again. Default 5 min. */
  tagTtlMs?: number;
  /** How long a verified (digest, key) pair stays verified. Default 1 h. */
  verifiedTtlMs?: number;
  /** How long a failure is reused (one registry outage = one request per pass). Default 10 s. */
  failureTtlMs?: number;
  /** Keyless verification: a Sigstore trusted_root.json (parsed) and the SCTs a certificate needs. */
  keyless?: { trustedRoot: unknown; ctlogThreshold?: number };
}

const DEFAULT_PUBLIC_KEY_SECRET_KEY = 'cosign.pub';
const MAX_SIGNATURE_PAYLOAD_BYTES = 64 * 1024;

function hash(text: string) {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

function failure(e: unknown): { ok: false; message: string } {
  return { ok: false, message: e instanceof Error ? e.message : String(e) };
}

/**
 * Checks the cosign signature of a cluster's `spec.backup.executorImage` (docs/image-verification.md):
 * resolves the tag to a digest, reads the signatures at `sha256-<hex>.sig` and among the digest's
 * OCI referrers (cosign 3's Sigstore bundles), and accepts only a signature that verifies with the
 * configured key or keyless identity over a payload or statement naming that digest.
 * Results are cached per (image, key, credentials): a tag's digest for `tagTtlMs`, a verified digest
 * for `verifiedTtlMs`, failures for `failureTtlMs`; a tag that moved is verified anew.
 */
export class ImageVerifier {
  readonly #client: RegistryClient;
  readonly #tags: TtlCache<Step<string>>;
  readonly #verdicts: TtlCache<Step<true>>;
  readonly #tagTtl: number;
  readonly #verifiedTtl: number;
  readonly #failureTtl: number;
  readonly #keyless?: Verifier;

  static create(options: ImageVerifierOptions = {}) {
    return new ImageVerifier(options);
  }

  private constructor(options: ImageVerifierOptions) {
    const now = options.now ?? Date.now;
    this.#client = options.client ?? OciRegistryClient.create();
    this.#tags = new TtlCache({ now });
    this.#verdicts = new TtlCache({ now });
    this.#tagTtl = options.tagTtlMs ?? 5 * 60_000;
    this.#verifiedTtl = options.verifiedTtlMs ?? 3600_000;
    this.#failureTtl = options.failureTtlMs ?? 10_000;
    this.#keyless =
      options.keyless &&
      createKeylessVerifier(options.keyless.trustedRoot, options.keyless);
  }

  async verify(
    gateway: KubeGateway,
    cluster: OpenBaoCluster,
  ): Promise<ImageVerificationResult> {
    const image = cluster.spec.backup?.executorImage ?? '';
    const result = await this.#verify(gateway, cluster, image).catch(failure);
    return result.ok
      ? {
          verified: true,
          image: result.value.image,
          digest: result.value.digest,
        }
      : {
          verified: false,
          message: `executor image ${image}: ${result.message}`,
        };
  }

  async #verify(
    gateway: KubeGateway,
    cluster: OpenBaoCluster,
    image: string,
  ): Promise<Step<{ image: string; digest: string }>> {
    const ref = parseImageReference(image);
    const trust = await this.#trust(gateway, cluster);
    const credentials = await this.#credentials(gateway, cluster, ref);
    const credentialId = credentials
      ? hash(`${credentials.username}:${credentials.password}`)
      : 'anonymous';
    const ttl = (ok: number) => (step: Step<unknown>) =>
      step.ok ? ok : this.#failureTtl;

    const digest = ref.digest
      ? { ok: true as const, value: ref.digest }
      : await this.#tags.get(
          `${repositoryName(ref)}:${ref.tag}|${credentialId}`,
          () => this.#resolve(ref, credentials),
          ttl(this.#tagTtl),
        );
    if (!digest.ok) return digest;
    const verdict = await this.#verdicts.get(
      `${repositoryName(ref)}@${digest.value}|${trust.id}|${credentialId}`,
      () => this.#checkSignatures(ref, digest.value, trust, credentials),
      ttl(this.#verifiedTtl),
    );
    if (!verdict.ok) return verdict;
    return {
      ok: true,
      value: { image: pinnedImage(ref, digest.value), digest: digest.value },
    };
  }

  async #resolve(
    ref: ImageReference,
    credentials?: RegistryCredentials,
  ): Promise<Step<string>> {
    try {
      const digest = await this.#client.resolveDigest(
        ref,
        ref.tag!,
        credentials,
      );
      return digest
        ? { ok: true, value: digest }
        : {
            ok: false,
            message: `tag ${ref.tag} not found in ${repositoryName(ref)}`,
          };
    } catch (e) {
      return failure(e);
    }
  }

  /**
   * Accepts a signature from the `sha256-<hex>.sig` tag (cosign 2) or, failing that, from the OCI
   * referrers of the digest (cosign 3: Sigstore bundles; or legacy signatures pushed as referrers).
   */
  async #checkSignatures(
    ref: ImageReference,
    digest: string,
    trust: Trust,
    credentials?: RegistryCredentials,
  ): Promise<Step<true>> {
    try {
      const tag = signatureTagFor(digest);
      const reasons: string[] = [];
      const manifest = await this.#client.getManifest(ref, tag, credentials);
      if (manifest) {
        const verdict = trust.check(
          digest,
          await this.#layerEntries(ref, manifest.body, credentials),
        );
        if (verdict.ok) return { ok: true, value: true };
        reasons.push(verdict.message);
      }
      const referred = await this.#referrerEntries(ref, digest, credentials);
      if (referred.entries.length) {
        const verdict = trust.check(digest, referred.entries);
        if (verdict.ok) return { ok: true, value: true };
        reasons.push(`signature referrers: ${verdict.message}`);
      } else if (referred.errors.length) {
        reasons.push(`signature referrers: ${referred.errors[0]}`);
      }
      return {
        ok: false,
        message: reasons.length
          ? reasons.join('; ')
          : `no cosign signature for ${digest} (tag ${tag} not found, no signature referrers)`,
      };
    } catch (e) {
      if (e instanceof SyntaxError)
        return { ok: false, message: `signature manifest is not JSON` };
      return failure(e);
    }
  }

  /** The simple-signing layers of a cosign signature manifest (`.sig` tag or legacy referrer). */
  async #layerEntries(
    ref: ImageReference,
    manifestBody: Buffer,
    credentials?: RegistryCredentials,
  ): Promise<SignatureEntry[]> {
    const layers: Array<{
      mediaType?: string;
      digest: string;
      annotations?: Record<string, string>;
    }> = JSON.parse(manifestBody.toString('utf8')).layers ?? [];
    const entries: SignatureEntry[] = [];
    for (const layer of layers) {
      const signature = layer.annotations?.[COSIGN_SIGNATURE_ANNOTATION];
      if (layer.mediaType !== SIMPLE_SIGNING_MEDIA_TYPE || !signature) continue;
      const payload = await this.#client.getBlob(
        ref,
        layer.digest,
        MAX_SIGNATURE_PAYLOAD_BYTES,
        credentials,
      );
      entries.push({
        payload,
        signature,
        certificate: layer.annotations?.[COSIGN_CERTIFICATE_ANNOTATION],
        rekorBundle: layer.annotations?.[COSIGN_BUNDLE_ANNOTATION],
      });
    }
    return entries;
  }

  /**
   * Signatures among the referrers of `digest`: Sigstore bundles and legacy cosign signatures whose
   * manifest's `subject` is `digest` (a listing is only a hint); other artifacts are ignored.
   */
  async #referrerEntries(
    ref: ImageReference,
    digest: string,
    credentials?: RegistryCredentials,
  ) {
    const entries: SignatureEntry[] = [];
    const errors: string[] = [];
    let referrers: ReferrerDescriptor[];
    try {
      referrers = await this.#client.listReferrers(ref, digest, credentials);
    } catch (e) {
      // A list the registry serves wrongly (foreign Link, too many pages) is a reason beside the
      // `.sig` tag's; an outage or a denial stays the failure of the whole check.
      if (!(e instanceof RegistryError && e.kind === 'protocol')) throw e;
      return { entries, errors: [e.message] };
    }
    for (const referrer of referrers) {
      const bundle = referrer.artifactType === SIGSTORE_BUNDLE_V03;
      if (!bundle && referrer.artifactType !== COSIGN_SIGNATURE_ARTIFACT)
        continue;
      const manifest = await this.#client.getManifest(
        ref,
        referrer.digest,
        credentials,
      );
      const parsed = manifest && JSON.parse(manifest.body.toString('utf8'));
      if (parsed?.subject?.digest !== digest) {
        errors.push(
          `referrer ${referrer.digest} has subject ${parsed?.subject?.digest}, not ${digest}`,
        );
        continue;
      }
      if (!bundle) {
        entries.push(
          ...(await this.#layerEntries(ref, manifest!.body, credentials)),
        );
        continue;
      }
      for (const layer of parsed.layers ?? []) {
        if (layer?.mediaType !== SIGSTORE_BUNDLE_V03) continue;
        const entry = entryFromBundle(
          await this.#client.getBlob(
            ref,
            layer.digest,
            MAX_SIGNATURE_PAYLOAD_BYTES,
            credentials,
          ),
        );
        if ('error' in entry) errors.push(entry.error);
        else entries.push(entry);
      }
    }
    return { entries, errors };
  }

  async #trust(gateway: KubeGateway, cluster: OpenBaoCluster): Promise<Trust> {
    const spec = cluster.spec.imageVerification ?? {};
    const pem = await this.#publicKeyPem(gateway, cluster);
    if (pem) {
      const key = publicKeyFromPem(pem);
      return {
        id: `key:${keyFingerprint(key)}`,
        check: (digest, entries) => checkSignatures(digest, entries, key),
      };
    }
    const { issuer, subject } = spec;
    if (issuer && subject) {
      const verifier = this.#keyless;
      if (!verifier) {
        throw new Error(
          'keyless verification (issuer/subject) needs a Sigstore trusted root: set openbaoBackup.imageVerification.trustedRootFile',
        );
      }
      return {
        id: `keyless:${issuer}|${subject}`,
        check: (digest, entries) =>
          checkKeylessSignatures(digest, entries, verifier, {
            issuer,
            subject,
          }),
      };
    }
    throw new Error(
      'imageVerification needs publicKey, publicKeySecretRef, or issuer and subject',
    );
  }

  async #publicKeyPem(gateway: KubeGateway, cluster: OpenBaoCluster) {
    const spec = cluster.spec.imageVerification ?? {};
    if (spec.publicKey) return spec.publicKey;
    const ref = spec.publicKeySecretRef;
    if (ref?.name) {
      const entry = ref.key ?? DEFAULT_PUBLIC_KEY_SECRET_KEY;
      const data = await gateway.readSecretData(
        cluster.metadata.namespace,
        ref.name,
      );
      if (!data) throw new Error(`public key Secret ${ref.name} not found`);
      if (!data[entry])
        throw new Error(`public key Secret ${ref.name} has no key ${entry}`);
      return data[entry];
    }
    return undefined;
  }

  async #credentials(
    gateway: KubeGateway,
    cluster: OpenBaoCluster,
    ref: ImageReference,
  ) {
    const configs: string[] = [];
    for (const secret of cluster.spec.imageVerification?.imagePullSecrets ??
      []) {
      // A missing pull secret is skipped, as the kubelet does; the registry then says what is missing.
      const data = await gateway.readSecretData(
        cluster.metadata.namespace,
        secret.name,
      );
      if (data?.['.dockerconfigjson']) configs.push(data['.dockerconfigjson']);
    }
    return credentialsFor(ref.registry, configs);
  }
}

/**
 * The verifier for `openbaoBackup.imageVerification`: reads the trusted root file once, at start,
 * so a bad path or file fails start-up with its name rather than every verification later.
 */
export function imageVerifierFromConfig(
  config: {
    trustedRootFile?: string;
    ctlogThreshold: number;
    tagTtlMs: number;
    verifiedTtlMs: number;
  },
  options: Pick<ImageVerifierOptions, 'now' | 'client'> = {},
): ImageVerifier {
  let trustedRoot: unknown;
  if (config.trustedRootFile) {
    try {
      trustedRoot = JSON.parse(readFileSync(config.trustedRootFile, 'utf8'));
    } catch (e) {
      throw new Error(
        `openbaoBackup.imageVerification.trustedRootFile ${
          config.trustedRootFile
        }: ${(e as Error).message}`,
      );
    }
  }
  return ImageVerifier.create({
    ...options,
    tagTtlMs: config.tagTtlMs,
    verifiedTtlMs: config.verifiedTtlMs,
    ...(trustedRoot
      ? { keyless: { trustedRoot, ctlogThreshold: config.ctlogThreshold } }
      : {}),
  });
}
