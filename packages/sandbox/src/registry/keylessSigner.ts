import { execFile } from 'node:child_process';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { selfSignedCertificate } from '../kube/selfSignedCertificate';
import { SIGSTORE_BUNDLE_V03, dsseEnvelope } from './cosign';

/** JSON with object keys sorted at every level: what Rekor signs (RFC 8785 for these values). */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map(k => `${JSON.stringify(k)}:${canonicalJson((value as any)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The log's name: its checkpoints' origin and signer, and the host of its URL. */
const LOG_NAME = 'rekor.sandbox.invalid';

const der = (pem: string) =>
  Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');

export type KeylessSigner = Awaited<ReturnType<typeof createKeylessSigner>>;

/**
 * A private Sigstore for offline tests: a Fulcio-like CA (made with the openssl CLI) that issues one
 * short-lived code-signing certificate for `subject` with the Fulcio issuer extension
 * (OID 1.3.6.1.4.1.57264.1.8), and a Rekor-like log key that signs inclusion promises (SETs) over
 * hashedrekord and dsse entries, and checkpoints (bundles v0.3 want an inclusion proof). `trustedRoot` is the Sigstore trusted_root.json that trusts exactly these.
 * No SCTs are embedded, so verifiers must run with a CT log threshold of 0.
 */
export async function createKeylessSigner(options: {
  issuer: string;
  subject: string;
}) {
  const dir = await mkdtemp(join(tmpdir(), 'sandbox-fulcio-'));
  const run = (args: string[]) => promisify(execFile)('openssl', args);
  let caPem: string;
  let certPem: string;
  const leaf = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  try {
    await writeFile(
      join(dir, 'leaf.key'),
      leaf.privateKey.export({ type: 'pkcs8', format: 'pem' }),
    );
    await writeFile(
      join(dir, 'ext.cnf'),
      [
        '[leaf]',
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature',
        'extendedKeyUsage=codeSigning',
        `subjectAltName=email:${options.subject}`,
        `1.3.6.1.4.1.57264.1.8=ASN1:UTF8String:${options.issuer}`,
        'subjectKeyIdentifier=hash',
        'authorityKeyIdentifier=keyid',
        '',
      ].join('\n'),
    );
    const ca = await selfSignedCertificate({
      subject: '/O=sandbox/CN=sandbox-fulcio',
      extensions: [
        'basicConstraints=critical,CA:TRUE',
        'keyUsage=critical,keyCertSign,cRLSign',
      ],
    });
    caPem = ca.cert;
    await writeFile(join(dir, 'ca.key'), ca.key);
    await writeFile(join(dir, 'ca.pem'), ca.cert);
    await run([
      'req',
      '-new',
      '-key',
      join(dir, 'leaf.key'),
      '-subj',
      '/O=sigstore.dev',
      '-out',
      join(dir, 'leaf.csr'),
    ]);
    await run([
      'x509',
      '-req',
      '-in',
      join(dir, 'leaf.csr'),
      '-CA',
      join(dir, 'ca.pem'),
      '-CAkey',
      join(dir, 'ca.key'),
      '-set_serial',
      '1',
      '-days',
      '1',
      '-extfile',
      join(dir, 'ext.cnf'),
      '-extensions',
      'leaf',
      '-out',
      join(dir, 'leaf.pem'),
    ]);
    certPem = await readFile(join(dir, 'leaf.pem'), 'utf8');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const rekor = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const rekorDer = rekor.publicKey.export({ type: 'spki', format: 'der' });
  const logId = createHash('sha256').update(rekorDer).digest();
  const start = new Date(Date.now() - 3600_000).toISOString();
  let logIndex = 0;
  /** Logs `body` (a Rekor entry kind): the entry as Rekor returns it and its inclusion promise. */
  const logEntry = (body: object) => {
    const entry = {
      body: Buffer.from(canonicalJson(body)).toString('base64'),
      integratedTime: Math.floor(Date.now() / 1000),
      logIndex: logIndex++,
      logID: logId.toString('hex'),
    };
    const set = sign(
      'sha256',
      Buffer.from(canonicalJson(entry)),
      rekor.privateKey,
    ).toString('base64');
    return { entry, set };
  };

  return {
    issuer: options.issuer,
    subject: options.subject,
    trustedRoot: {
      mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
      tlogs: [
        {
          baseUrl: `https://${LOG_NAME}`,
          hashAlgorithm: 'SHA2_256',
          publicKey: {
            rawBytes: rekorDer.toString('base64'),
            keyDetails: 'PKIX_ECDSA_P256_SHA_256',
            validFor: { start },
          },
          logId: { keyId: logId.toString('base64') },
        },
      ],
      certificateAuthorities: [
        {
          subject: { organization: 'sandbox', commonName: 'sandbox-fulcio' },
          uri: 'https://fulcio.sandbox.invalid',
          certChain: {
            certificates: [{ rawBytes: der(caPem).toString('base64') }],
          },
          validFor: { start },
        },
      ],
      ctlogs: [],
      timestampAuthorities: [],
    },
    /**
     * Signs `payload` with the certificate's key and logs it: returns the cosign signature and the
     * layer annotations cosign writes for a keyless signature (certificate, chain, Rekor bundle).
     */
    sign(payload: Buffer) {
      const signature = sign('sha256', payload, leaf.privateKey).toString(
        'base64',
      );
      const { entry, set } = logEntry({
        apiVersion: '0.0.1',
        kind: 'hashedrekord',
        spec: {
          data: {
            hash: {
              algorithm: 'sha256',
              value: createHash('sha256').update(payload).digest('hex'),
            },
          },
          signature: {
            content: signature,
            publicKey: { content: Buffer.from(certPem).toString('base64') },
          },
        },
      });
      return {
        signature,
        annotations: {
          'dev.sigstore.cosign/certificate': certPem,
          'dev.sigstore.cosign/chain': caPem,
          'dev.sigstore.cosign/bundle': JSON.stringify({
            SignedEntryTimestamp: set,
            Payload: entry,
          }),
        },
      };
    },
    /**
     * What cosign 3 signs keyless: a Sigstore bundle v0.3 with the leaf certificate, a DSSE envelope
     * over `statement`, and its `dsse` log entry with both an inclusion promise and an inclusion
     * proof (a one-entry tree under a checkpoint signed by the log key).
     */
    signBundle(statement: Buffer) {
      const envelope = dsseEnvelope(statement, leaf.privateKey);
      const signature = envelope.signatures[0].sig;
      const sha256hex = (b: Buffer | string) =>
        createHash('sha256').update(b).digest('hex');
      const { entry, set } = logEntry({
        apiVersion: '0.0.1',
        kind: 'dsse',
        spec: {
          envelopeHash: {
            algorithm: 'sha256',
            value: sha256hex(JSON.stringify(envelope)),
          },
          payloadHash: { algorithm: 'sha256', value: sha256hex(statement) },
          signatures: [
            {
              signature,
              verifier: Buffer.from(certPem).toString('base64'),
            },
          ],
        },
      });
      const root = createHash('sha256')
        .update(
          Buffer.concat([Buffer.from([0]), Buffer.from(entry.body, 'base64')]),
        )
        .digest();
      const note = `${LOG_NAME} - 1\n1\n${root.toString('base64')}\n`;
      const noteSignature = Buffer.concat([
        logId.subarray(0, 4),
        sign('sha256', Buffer.from(note), rekor.privateKey),
      ]).toString('base64');
      return Buffer.from(
        JSON.stringify({
          mediaType: SIGSTORE_BUNDLE_V03,
          verificationMaterial: {
            certificate: { rawBytes: der(certPem).toString('base64') },
            tlogEntries: [
              {
                logIndex: String(entry.logIndex),
                logId: { keyId: logId.toString('base64') },
                kindVersion: { kind: 'dsse', version: '0.0.1' },
                integratedTime: String(entry.integratedTime),
                inclusionPromise: { signedEntryTimestamp: set },
                inclusionProof: {
                  logIndex: '0',
                  rootHash: root.toString('base64'),
                  treeSize: '1',
                  hashes: [],
                  checkpoint: {
                    envelope: `${note}\n\u2014 ${LOG_NAME} ${noteSignature}\n`,
                  },
                },
                canonicalizedBody: entry.body,
              },
            ],
          },
          dsseEnvelope: envelope,
        }),
      );
    },
  };
}
