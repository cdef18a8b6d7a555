import {
  COSIGN_SIGN_PREDICATE,
  IN_TOTO_PAYLOAD_TYPE,
  entryFromBundle,
  preAuthEncoding,
  statementDigests,
} from './sigstoreBundle';

const HEX = 'ab'.repeat(32);
const statement = (extra: object = {}) =>
  Buffer.from(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'r/e', digest: { sha256: HEX } }],
      predicateType: COSIGN_SIGN_PREDICATE,
      predicate: {},
      ...extra,
    }),
  );
const bundle = (over: object = {}, envelope: object = {}) =>
  Buffer.from(
    JSON.stringify({
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: {},
      dsseEnvelope: {
        payload: statement().toString('base64'),
        payloadType: IN_TOTO_PAYLOAD_TYPE,
        signatures: [{ sig: 'c2ln' }],
        ...envelope,
      },
      ...over,
    }),
  );

describe('Sigstore bundles (cosign 3 image signatures)', () => {
  it('encodes DSSE PAE with byte lengths', () => {
    expect(preAuthEncoding('t/é', Buffer.from('{}')).toString()).toBe(
      'DSSEv1 4 t/é 2 {}',
    );
  });

  it('turns a DSSE bundle into an entry over its PAE', () => {
    const entry = entryFromBundle(bundle());
    expect(entry).toMatchObject({
      signature: 'c2ln',
      statement: statement(),
      payload: preAuthEncoding(IN_TOTO_PAYLOAD_TYPE, statement()),
    });
  });

  it.each([
    ['not JSON', Buffer.from('{'), /not JSON/],
    [
      'another media type',
      bundle({ mediaType: 'application/json' }),
      /not a Sigstore bundle/,
    ],
    [
      'a message signature',
      bundle({ dsseEnvelope: undefined, messageSignature: {} }),
      /holds no DSSE envelope/,
    ],
    [
      'another payload type',
      bundle({}, { payloadType: 'text/plain' }),
      /DSSE envelope of type "text\/plain" is not a signed in-toto statement/,
    ],
    ['no signature', bundle({}, { signatures: [] }), /not a signed in-toto/],
  ])('refuses %s', (_, bytes, message) => {
    const entry = entryFromBundle(bytes);
    expect('error' in entry && entry.error).toMatch(message);
  });

  it('reads the signed digests of a cosign sign statement only', () => {
    expect(statementDigests(statement())).toEqual({
      digests: [`sha256:${HEX}`],
    });
    expect(
      statementDigests(
        statement({ predicateType: 'https://slsa.dev/provenance/v1' }),
      ),
    ).toEqual({
      error: `signed statement's predicate type is "https://slsa.dev/provenance/v1", not "${COSIGN_SIGN_PREDICATE}"`,
    });
    expect(
      statementDigests(statement({ subject: [{ digest: { sha512: 'x' } }] })),
    ).toEqual({ error: 'signed statement names no sha256 subject' });
    expect(statementDigests(Buffer.from('['))).toEqual({
      error: 'signed statement is not JSON',
    });
  });
});
