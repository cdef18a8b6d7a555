import {
  isCertificateError,
  STORAGE_TLS_HINT,
  withStorageTlsHint,
} from './storageTlsHint';

const coded = (message: string, code: string) =>
  Object.assign(new Error(message), { code });

describe('withStorageTlsHint', () => {
  it.each([
    coded('self-signed certificate', 'DEPTH_ZERO_SELF_SIGNED_CERT'),
    coded(
      'self-signed certificate in certificate chain',
      'SELF_SIGNED_CERT_IN_CHAIN',
    ),
    coded(
      'unable to verify the first certificate',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    ),
    coded('certificate has expired', 'CERT_HAS_EXPIRED'),
    coded(
      "Hostname/IP does not match certificate's altnames: IP: 10.0.0.1 is not in the cert's list: ",
      'ERR_TLS_CERT_ALTNAME_INVALID',
    ),
    new Error('unable to get local issuer certificate'),
    new Error('request failed', {
      cause: coded('x', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'),
    }),
  ])('appends the hint to %s', e => {
    expect(isCertificateError(e)).toBe(true);
    expect(withStorageTlsHint('upload to s3://b/k failed: x', e)).toBe(
      `upload to s3://b/k failed: x; ${STORAGE_TLS_HINT}`,
    );
  });

  it.each([
    coded('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'),
    Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }),
    coded(
      'Client network socket disconnected before secure TLS connection was established',
      'ECONNRESET',
    ),
    'certificate',
    undefined,
  ])('leaves other errors alone: %s', e => {
    expect(isCertificateError(e)).toBe(false);
    expect(withStorageTlsHint('m', e)).toBe('m');
  });

  it('names no secret, only the settings to change', () => {
    expect(STORAGE_TLS_HINT).toMatch(
      /caCert.*caSecretRef.*BACKUP_INSECURE_SKIP_VERIFY=true/,
    );
  });
});
