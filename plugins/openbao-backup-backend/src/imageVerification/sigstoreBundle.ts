import type { SignatureEntry } from './cosignSignature';

/** Artifact and layer type of a cosign 3 signature: a Sigstore bundle (BUNDLE_SPEC.md in cosign). */
export const SIGSTORE_BUNDLE_V03 =
  'application/vnd.dev.sigstore.bundle.v0.3+json';
/** Artifact type of a legacy (simple-signing) cosign signature pushed as a referrer. */
export const COSIGN_SIGNATURE_ARTIFACT =
  'application/vnd.dev.cosign.artifact.sig.v1+json';
/** Predicate type of the in-toto statement `cosign sign` signs in a bundle. */
export const COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** DSSE pre-authentication encoding: the bytes a DSSE signature covers. */
export function preAuthEncoding(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `),
    type,
    Buffer.from(` ${payload.length} `),
    payload,
  ]);
}

/**
 * A cosign 3 image signature (a Sigstore bundle holding a DSSE envelope over an in-toto statement)
 * as a {@link SignatureEntry}: `payload` is the DSSE pre-authentication encoding the signature
 * covers, `statement` the statement, `bundle` the parsed bundle for keyless verification.
 */
export function entryFromBundle(
  bytes: Buffer,
): SignatureEntry | { error: string } {
  let bundle: any;
  try {
    bundle = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { error: 'Sigstore bundle is not JSON' };
  }
  if (
    typeof bundle?.mediaType !== 'string' ||
    !bundle.mediaType.startsWith('application/vnd.dev.sigstore.bundle')
  ) {
    return {
      error: `bundle media type is "${bundle?.mediaType}", not a Sigstore bundle`,
    };
  }
  const envelope = bundle.dsseEnvelope;
  if (!envelope) {
    return {
      error:
        "Sigstore bundle holds no DSSE envelope (cosign's image signature format)",
    };
  }
  const signature = envelope.signatures?.[0]?.sig;
  if (
    envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE ||
    typeof envelope.payload !== 'string' ||
    typeof signature !== 'string'
  ) {
    return {
      error: `DSSE envelope of type "${envelope.payloadType}" is not a signed in-toto statement`,
    };
  }
  const statement = Buffer.from(envelope.payload, 'base64');
  return {
    payload: preAuthEncoding(envelope.payloadType, statement),
    signature,
    statement,
    bundle,
  };
}

/** The image digests an in-toto statement signs as `cosign sign` (predicate `…/cosign/sign/v1`). */
export function statementDigests(
  statement: Buffer,
): { digests: string[] } | { error: string } {
  let parsed: any;
  try {
    parsed = JSON.parse(statement.toString('utf8'));
  } catch {
    return { error: 'signed statement is not JSON' };
  }
  if (parsed?.predicateType !== COSIGN_SIGN_PREDICATE) {
    return {
      error: `signed statement's predicate type is "${parsed?.predicateType}", not "${COSIGN_SIGN_PREDICATE}"`,
    };
  }
  const digests = (Array.isArray(parsed.subject) ? parsed.subject : [])
    .map((s: any) => s?.digest?.sha256)
    .filter((hex: unknown) => typeof hex === 'string')
    .map((hex: string) => `sha256:${hex}`);
  return digests.length
    ? { digests }
    : { error: 'signed statement names no sha256 subject' };
}
