import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * A throwaway self-signed P-256 certificate and its key, made with the openssl CLI (node:crypto
 * cannot issue X.509): by default a serving certificate for 127.0.0.1/localhost; `extensions`
 * (openssl `-addext` values) replace its subjectAltName.
 */
export async function selfSignedCertificate(
  options: { subject?: string; extensions?: string[] } = {},
) {
  const {
    subject = '/CN=sandbox-kube-api',
    extensions = ['subjectAltName=IP:127.0.0.1,DNS:localhost'],
  } = options;
  const dir = await mkdtemp(join(tmpdir(), 'sandbox-tls-'));
  try {
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '7',
      '-subj',
      subject,
      ...extensions.flatMap(e => ['-addext', e]),
    ]);
    const [cert, key] = await Promise.all([
      readFile(join(dir, 'cert.pem'), 'utf8'),
      readFile(join(dir, 'key.pem'), 'utf8'),
    ]);
    return { cert, key };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
