import { createHash } from 'node:crypto';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import {
  PolicyError,
  Verifier,
  toSignedEntity,
  toTrustMaterial,
} from '@sigstore/verify';
import {
  NO_SIGNATURES,
  SignatureEntry,
  SignatureVerdict,
  entryNamesDigest,
} from './cosignSignature';

/** Layer annotations of a keyless cosign signature. */
export const COSIGN_CERTIFICATE_ANNOTATION = 'dev.sigstore.cosign/certificate';
export const COSIGN_BUNDLE_ANNOTATION = 'dev.sigstore.cosign/bundle';

/** Who must have signed: the certificate's OIDC issuer and subject (SAN), matched exactly. */
export interface KeylessIdentity {
  issuer: string;
  subject: string;
}

/**
 * A Sigstore verifier over a trusted root supplied as trusted_root.json (offline: no TUF fetch).
 * `ctlogThreshold` is how many valid SCTs the certificate needs (1 for the public Sigstore; a private
 * CA without a CT log needs 0). One transparency-log entry is always required.
 */
export function createKeylessVerifier(
  trustedRootJson: unknown,
  options: { ctlogThreshold?: number } = {},
): Verifier {
  return new Verifier(toTrustMaterial(TrustedRoot.fromJSON(trustedRootJson)), {
    tlogThreshold: 1,
    ctlogThreshold: options.ctlogThreshold ?? 1,
  });
}

const der = (pem: string) =>
  Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');

/**
 * The Sigstore bundle (v0.1, message signature) equivalent to cosign's keyless layer: the leaf
 * certificate, the Rekor entry with its signed entry timestamp (inclusion promise), and the
 * signature over the payload.
 */
export function bundleFromCosignLayer(entry: SignatureEntry) {
  if (!entry.certificate || !entry.rekorBundle) {
    throw new Error(
      'signature has no certificate or Rekor bundle (not a keyless signature)',
    );
  }
  const rekor = JSON.parse(entry.rekorBundle);
  const body = JSON.parse(
    Buffer.from(rekor.Payload.body, 'base64').toString('utf8'),
  );
  return bundleFromJSON({
    mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1',
    verificationMaterial: {
      x509CertificateChain: {
        certificates: [{ rawBytes: der(entry.certificate).toString('base64') }],
      },
      tlogEntries: [
        {
          logIndex: String(rekor.Payload.logIndex),
          logId: {
            keyId: Buffer.from(rekor.Payload.logID, 'hex').toString('base64'),
          },
          kindVersion: { kind: body.kind, version: body.apiVersion },
          integratedTime: String(rekor.Payload.integratedTime),
          inclusionPromise: {
            signedEntryTimestamp: rekor.SignedEntryTimestamp,
          },
          canonicalizedBody: rekor.Payload.body,
        },
      ],
      timestampVerificationData: { rfc3161Timestamps: [] },
    },
    messageSignature: {
      messageDigest: {
        algorithm: 'SHA2_256',
        digest: createHash('sha256').update(entry.payload).digest('base64'),
      },
      signature: entry.signature,
    },
  });
}

/**
 * Keyless counterpart of `checkSignatures`: accepts when one entry verifies through Sigstore
 * (certificate chains to the trusted CA at the logged time, Rekor promise valid, signature valid,
 * certificate issuer and subject as required) AND its payload names exactly `digest`.
 */
export function checkKeylessSignatures(
  digest: string,
  entries: SignatureEntry[],
  verifier: Verifier,
  identity: KeylessIdentity,
): SignatureVerdict {
  if (!entries.length) return NO_SIGNATURES;
  const reasons: string[] = [];
  for (const entry of entries) {
    try {
      verifier.verify(
        // A cosign 3 bundle is verified as is; its DSSE envelope carries the statement.
        entry.bundle
          ? toSignedEntity(bundleFromJSON(entry.bundle))
          : toSignedEntity(bundleFromCosignLayer(entry), entry.payload),
        {
          subjectAlternativeName: identity.subject,
          extensions: { issuer: identity.issuer },
        },
      );
    } catch (e) {
      const why = (e as Error).message;
      reasons.push(
        e instanceof PolicyError
          ? `certificate identity is not ${identity.subject} from ${identity.issuer} (${why})`
          : `keyless signature does not verify: ${why}`,
      );
      continue;
    }
    const named = entryNamesDigest(entry, digest);
    if (named.ok) return named;
    reasons.push(named.message);
  }
  return { ok: false, message: reasons[0] };
}
