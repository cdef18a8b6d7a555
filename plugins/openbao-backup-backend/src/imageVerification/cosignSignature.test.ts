import { generateKeyPairSync, sign } from 'node:crypto';
import {
  checkSignatures,
  payloadDigest,
  publicKeyFromPem,
} from './cosignSignature';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

function payload(digest: string, type = 'cosign container image signature') {
  return Buffer.from(
    JSON.stringify({
      critical: {
        identity: { 'docker-reference': 'ghcr.io/acme/exec' },
        image: { 'docker-manifest-digest': digest },
        type,
      },
      optional: null,
    }),
  );
}

const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const otherEc = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ed = generateKeyPairSync('ed25519');
const pem = (k: { publicKey: any }) =>
  k.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const entry = (
  bytes: Buffer,
  key: any,
  algorithm: string | null = 'sha256',
) => ({
  payload: bytes,
  signature: sign(algorithm, bytes, key).toString('base64'),
});

describe('checkSignatures', () => {
  it.each([
    ['ECDSA P-256', ec, 'sha256'],
    ['RSA', rsa, 'sha256'],
    ['Ed25519', ed, null],
  ] as const)(
    'accepts a %s signature over a payload naming the digest',
    (_, pair, algorithm) => {
      const verdict = checkSignatures(
        D1,
        [entry(payload(D1), pair.privateKey, algorithm)],
        publicKeyFromPem(pem(pair)),
      );
      expect(verdict).toEqual({ ok: true });
    },
  );

  it('refuses a valid signature over another digest', () => {
    expect(
      checkSignatures(
        D1,
        [entry(payload(D2), ec.privateKey)],
        publicKeyFromPem(pem(ec)),
      ),
    ).toEqual({
      ok: false,
      message: `a valid signature names ${D2}, not ${D1}`,
    });
  });

  it('refuses a signature made with another key, and a tampered payload', () => {
    const key = publicKeyFromPem(pem(ec));
    const other = checkSignatures(
      D1,
      [entry(payload(D1), otherEc.privateKey)],
      key,
    );
    expect(other).toMatchObject({
      ok: false,
      message: expect.stringMatching(
        /^no signature verifies with the configured public key/,
      ),
    });
    const signed = entry(payload(D2), ec.privateKey);
    const tampered = { ...signed, payload: payload(D1) };
    expect(checkSignatures(D1, [tampered], key).ok).toBe(false);
    expect(
      checkSignatures(
        D1,
        [{ payload: payload(D1), signature: 'not base64 at all' }],
        key,
      ).ok,
    ).toBe(false);
  });

  it('accepts when any one of several signatures holds, and says so when there is none', () => {
    const key = publicKeyFromPem(pem(ec));
    expect(
      checkSignatures(
        D1,
        [
          entry(payload(D1), otherEc.privateKey),
          entry(payload(D1), ec.privateKey),
        ],
        key,
      ),
    ).toEqual({ ok: true });
    expect(checkSignatures(D1, [], key)).toEqual({
      ok: false,
      message: 'the signature manifest holds no cosign signatures',
    });
  });

  it('refuses a signed payload of another type', () => {
    const verdict = checkSignatures(
      D1,
      [entry(payload(D1, 'something else'), ec.privateKey)],
      publicKeyFromPem(pem(ec)),
    );
    expect(verdict).toEqual({
      ok: false,
      message:
        'signature payload type is "something else", not "cosign container image signature"',
    });
  });
});

describe('payloadDigest and publicKeyFromPem', () => {
  it('explains payloads that are not simple-signing JSON', () => {
    expect(payloadDigest(Buffer.from('{'))).toEqual({
      error: 'signature payload is not JSON',
    });
    expect(
      payloadDigest(
        Buffer.from(
          JSON.stringify({
            critical: { type: 'cosign container image signature' },
          }),
        ),
      ),
    ).toEqual({
      error: 'signature payload names no docker-manifest-digest',
    });
  });

  it('rejects text that is no public key, and key types cosign does not use', () => {
    expect(() => publicKeyFromPem('hello')).toThrow(
      /public key is not a usable PEM key/,
    );
    const x448 = generateKeyPairSync('x448');
    expect(() => publicKeyFromPem(pem(x448))).toThrow(
      /unsupported key type x448/,
    );
  });
});
