/** What to do about an S3 endpoint whose certificate Node does not trust. */
export const STORAGE_TLS_HINT =
  "set caCert in the credentials Secret (or target.caSecretRef) to the store's CA, or BACKUP_INSECURE_SKIP_VERIFY=true for tests only";

// OpenSSL verify codes and Node's host name check (tls.checkServerIdentity), as `err.code`.
const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
// The same failures by message, for wrappers that keep the text but drop the code.
const CERTIFICATE_MESSAGE =
  /self[- ]signed certificate|unable to verify the first certificate|unable to get (local )?issuer certificate|certificate has expired|certificate is not yet valid|Hostname\/IP does not match/i;

/** True when `e` (or an error in its `cause` chain) is a TLS certificate verification failure. */
export function isCertificateError(e: unknown): boolean {
  for (let err = e, depth = 0; err && depth < 5; depth++) {
    const { code, message, cause } = err as {
      code?: unknown;
      message?: unknown;
      cause?: unknown;
    };
    if (typeof code === 'string' && CERTIFICATE_CODES.has(code)) return true;
    if (typeof message === 'string' && CERTIFICATE_MESSAGE.test(message))
      return true;
    err = cause;
  }
  return false;
}

/** `message` with {@link STORAGE_TLS_HINT} appended when `e` is a certificate error. */
export function withStorageTlsHint(message: string, e: unknown): string {
  return isCertificateError(e) ? `${message}; ${STORAGE_TLS_HINT}` : message;
}
