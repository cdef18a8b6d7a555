import { KeyObject, createHash, sign } from 'node:crypto';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const SIMPLE_SIGNING =
  'application/vnd.dev.cosign.simplesigning.v1+json';

export const sha256 = (bytes: Buffer) =>
  `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** A content descriptor as manifests list them. */
export const descriptor = (
  mediaType: string,
  bytes: Buffer,
  annotations?: Record<string, string>,
) => ({
  mediaType,
  size: bytes.length,
  digest: sha256(bytes),
  ...(annotations ? { annotations } : {}),
});

/** The simple-signing payload `cosign sign` writes for `reference@digest`. */
export function simpleSigningPayload(reference: string, digest: string) {
  return Buffer.from(
    JSON.stringify({
      critical: {
        identity: { 'docker-reference': reference },
        image: { 'docker-manifest-digest': digest },
        type: 'cosign container image signature',
      },
      optional: null,
    }),
  );
}

/** Signs `payload` as cosign does: DER ECDSA (or RSA / Ed25519) over SHA-256, base64. */
export function cosignSign(payload: Buffer, key: KeyObject) {
  return sign(
    key.asymmetricKeyType === 'ed25519' ? null : 'sha256',
    payload,
    key,
  ).toString('base64');
}

/**
 * What cosign pushes to `sha256-<hex>.sig`: an OCI manifest whose layer is the payload, with the
 * base64 signature in the `dev.cosignproject.cosign/signature` annotation (keyless signatures add
 * their certificate, chain and Rekor bundle annotations). Returns the manifest and its blobs.
 */
export function cosignSignatureManifest(
  payload: Buffer,
  signature: string,
  annotations: Record<string, string> = {},
) {
  const config = Buffer.from(
    JSON.stringify({
      architecture: '',
      os: '',
      config: {},
      rootfs: { type: 'layers', diff_ids: [sha256(payload)] },
    }),
  );
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: descriptor(OCI_CONFIG, config),
    layers: [
      descriptor(SIMPLE_SIGNING, payload, {
        'dev.cosignproject.cosign/signature': signature,
        ...annotations,
      }),
    ],
  };
  return { manifest, blobs: [config, payload] };
}

export const OCI_EMPTY = 'application/vnd.oci.empty.v1+json';
/** What cosign 3 pushes as a signature referrer and its one layer (cosign's BUNDLE_SPEC.md). */
export const SIGSTORE_BUNDLE_V03 =
  'application/vnd.dev.sigstore.bundle.v0.3+json';
const IN_TOTO = 'application/vnd.in-toto+json';

/** The in-toto statement `cosign sign` (v3) signs for `reference@digest`. */
export function signStatement(reference: string, digest: string) {
  return Buffer.from(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [
        { name: reference, digest: { sha256: digest.replace(/^sha256:/, '') } },
      ],
      predicateType: 'https://sigstore.dev/cosign/sign/v1',
      predicate: {},
    }),
  );
}

/** DSSE pre-authentication encoding of `payload`. */
export function preAuthEncoding(payloadType: string, payload: Buffer) {
  return Buffer.concat([
    Buffer.from(
      `DSSEv1 ${payloadType.length} ${payloadType} ${payload.length} `,
    ),
    payload,
  ]);
}

/** The DSSE envelope a cosign 3 bundle carries: the in-toto `statement`, signed with `key`. */
export function dsseEnvelope(statement: Buffer, key: KeyObject) {
  return {
    payload: statement.toString('base64'),
    payloadType: IN_TOTO,
    signatures: [
      { sig: cosignSign(preAuthEncoding(IN_TOTO, statement), key), keyid: '' },
    ],
  };
}

/**
 * A Sigstore bundle v0.3 as `cosign sign --key` (v3) writes it: a DSSE envelope over `statement`
 * signed with `key`, the key named by hint (no transparency log entry: `--tlog-upload=false`).
 */
export function keyBundle(statement: Buffer, key: KeyObject) {
  return Buffer.from(
    JSON.stringify({
      mediaType: SIGSTORE_BUNDLE_V03,
      verificationMaterial: { publicKey: { hint: '' }, tlogEntries: [] },
      dsseEnvelope: dsseEnvelope(statement, key),
    }),
  );
}

/** The referrer manifest cosign 3 pushes for a bundle: artifactType, empty config, `subject`. */
export function bundleReferrerManifest(
  bundle: Buffer,
  subject: { mediaType: string; digest: string; size: number },
) {
  const empty = Buffer.from('{}');
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: SIGSTORE_BUNDLE_V03,
    config: descriptor(OCI_EMPTY, empty),
    layers: [descriptor(SIGSTORE_BUNDLE_V03, bundle)],
    subject,
    annotations: {
      'dev.sigstore.bundle.content': 'dsse-envelope',
      'dev.sigstore.bundle.predicateType':
        'https://sigstore.dev/cosign/sign/v1',
    },
  };
  return { manifest, blobs: [empty, bundle] };
}
