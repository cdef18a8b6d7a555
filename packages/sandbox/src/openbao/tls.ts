import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throw-away CA and a server certificate it signed, all PEM. */
export interface SelfSignedTls {
  caCertPem: string;
  certPem: string;
  keyPem: string;
}

/**
 * Generates a CA and a server certificate for `localhost`/`127.0.0.1` with the
 * `openssl` CLI (node:crypto can sign data but cannot issue X.509 certificates).
 */
export function generateSelfSignedTls(
  hostnames: string[] = ['localhost'],
  ips: string[] = ['127.0.0.1'],
): SelfSignedTls {
  const dir = mkdtempSync(join(tmpdir(), 'openbao-double-tls-'));
  const run = (args: string[]) =>
    execFileSync('openssl', args, {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  try {
    const ec = [
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
    ];
    run([
      'req',
      '-x509',
      ...ec,
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '7',
      '-subj',
      '/CN=openbao-double-ca',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    run([
      'req',
      ...ec,
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
      '-subj',
      '/CN=openbao-double',
    ]);
    const san = [
      ...hostnames.map(h => `DNS:${h}`),
      ...ips.map(i => `IP:${i}`),
    ].join(',');
    writeFileSync(
      join(dir, 'ext.cnf'),
      `subjectAltName=${san}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`,
    );
    run([
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.crt',
      '-days',
      '7',
      '-extfile',
      'ext.cnf',
    ]);
    return {
      caCertPem: readFileSync(join(dir, 'ca.crt'), 'utf8'),
      certPem: readFileSync(join(dir, 'server.crt'), 'utf8'),
      keyPem: readFileSync(join(dir, 'server.key'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
