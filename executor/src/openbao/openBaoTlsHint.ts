import { isCertificateError } from '../s3/storageTlsHint';

/**
 * What to do about OpenBao pods whose certificate Node does not trust. The storage escape hatch
 * is named on purpose: BACKUP_INSECURE_SKIP_VERIFY never applies to OpenBao, which holds the keys.
 */
export const OPENBAO_TLS_HINT =
  'set TLS_CA_PATH to the CA of the OpenBao pods (BACKUP_INSECURE_SKIP_VERIFY applies to storage only)';

/** `message` with {@link OPENBAO_TLS_HINT} appended when any of `errors` is a certificate error. */
export function withOpenBaoTlsHint(message: string, errors: unknown[]): string {
  return errors.some(isCertificateError)
    ? `${message}; ${OPENBAO_TLS_HINT}`
    : message;
}
