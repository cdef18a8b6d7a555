import { KeyObject, createHash, createPublicKey, verify } from 'node:crypto';
import { statementDigests } from './sigstoreBundle';

/** Media type of a cosign signature layer (the simple-signing payload). */
export const SIMPLE_SIGNING_MEDIA_TYPE =
  'application/vnd.dev.cosign.simplesigning.v1+json';
/** Layer annotation holding the base64 signature over the payload bytes. */
export const COSIGN_SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
const COSIGN_TYPE = 'cosign container image signature';

/**
 * One signature as cosign stores it: the payload blob and the annotation's signature, or (cosign 3)
 * a Sigstore bundle's DSSE envelope.
 */
export interface SignatureEntry {
  /** The bytes the signature covers (for a DSSE envelope, its pre-authentication encoding). */
  payload: Buffer;
  /** Base64 DER signature (ECDSA), or raw base64 (RSA PKCS#1 v1.5, Ed25519). */
  signature: string;
  /** Keyless only: the signing certificate (PEM). */
  certificate?: string;
  /** Keyless only: cosign's Rekor bundle (`SignedEntryTimestamp` + `Payload`), JSON. */
  rekorBundle?: string;
  /** Bundle only: the in-toto statement the DSSE envelope signs. */
  statement?: Buffer;
  /** Bundle only: the parsed Sigstore bundle (certificate and log entry for keyless). */
  bundle?: unknown;
}

export type SignatureVerdict = { ok: true } | { ok: false; message: string };

/** The verdict of both key and keyless checks over an empty signature manifest. */
export const NO_SIGNATURES: SignatureVerdict = {
  ok: false,
  message: 'the signature manifest holds no cosign signatures',
};

/** Parses a PEM public key; throws a readable error for anything else. */
export function publicKeyFromPem(pem: string): KeyObject {
  try {
    const key = createPublicKey(pem);
    const type = key.asymmetricKeyType;
    if (type !== 'ec' && type !== 'rsa' && type !== 'ed25519') {
      throw new Error(`unsupported key type ${type}`);
    }
    return key;
  } catch (e) {
    throw new Error(
      `public key is not a usable PEM key: ${(e as Error).message}`,
    );
  }
}

/** SHA-256 of the key's SPKI DER: identifies the key in cache keys and messages. */
export function keyFingerprint(key: KeyObject): string {
  return createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

function signatureValid(entry: SignatureEntry, key: KeyObject): boolean {
  const signature = Buffer.from(entry.signature, 'base64');
  // Ed25519 hashes internally (no digest argument); cosign signs SHA-256 for ECDSA and RSA.
  const algorithm = key.asymmetricKeyType === 'ed25519' ? null : 'sha256';
  try {
    return verify(algorithm, entry.payload, key, signature);
  } catch {
    return false;
  }
}

/** The digest a simple-signing payload names, or why the payload is not one. */
export function payloadDigest(
  payload: Buffer,
): { digest: string } | { error: string } {
  let parsed: any;
  try {
    parsed = JSON.parse(payload.toString('utf8'));
  } catch {
    return { error: 'signature payload is not JSON' };
  }
  const critical = parsed?.critical;
  if (critical?.type !== COSIGN_TYPE) {
    return {
      error: `signature payload type is "${critical?.type}", not "${COSIGN_TYPE}"`,
    };
  }
  const digest = critical?.image?.['docker-manifest-digest'];
  if (typeof digest !== 'string') {
    return { error: 'signature payload names no docker-manifest-digest' };
  }
  return { digest };
}

/**
 * Whether a validly signed entry vouches for `digest`: its simple-signing payload or in-toto
 * statement names it. Otherwise why not, for the refusal message.
 */
export function entryNamesDigest(
  entry: SignatureEntry,
  digest: string,
): { ok: true } | { ok: false; message: string } {
  const named = entry.statement
    ? statementDigests(entry.statement)
    : (() => {
        const one = payloadDigest(entry.payload);
        return 'digest' in one ? { digests: [one.digest] } : one;
      })();
  if ('error' in named) return { ok: false, message: named.error };
  return named.digests.includes(digest)
    ? { ok: true }
    : {
        ok: false,
        message: `a valid signature names ${named.digests.join(
          ', ',
        )}, not ${digest}`,
      };
}

/**
 * Accepts when at least one entry's signature verifies with `key` AND its payload names exactly
 * `digest` (a valid signature over another image must not vouch for this one). Otherwise the most
 * telling reason: a payload mismatch beats a bad signature beats "no signatures".
 */
export function checkSignatures(
  digest: string,
  entries: SignatureEntry[],
  key: KeyObject,
): SignatureVerdict {
  if (!entries.length) return NO_SIGNATURES;
  let mismatch: string | undefined;
  for (const entry of entries) {
    if (!signatureValid(entry, key)) continue;
    const named = entryNamesDigest(entry, digest);
    if (named.ok) return named;
    mismatch ??= named.message;
  }
  return {
    ok: false,
    message:
      mismatch ??
      `no signature verifies with the configured public key (sha256 ${keyFingerprint(
        key,
      ).slice(0, 16)}…)`,
  };
}
