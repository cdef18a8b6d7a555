import {
  parseImageReference,
  pinnedImage,
  registryApiHost,
  signatureTagFor,
} from './imageReference';

const D = `sha256:${'ab'.repeat(32)}`;

describe('parseImageReference', () => {
  it.each([
    [
      'alpine',
      { registry: 'docker.io', repository: 'library/alpine', tag: 'latest' },
    ],
    [
      'acme/exec:1.2',
      { registry: 'docker.io', repository: 'acme/exec', tag: '1.2' },
    ],
    [
      'index.docker.io/acme/exec:1',
      { registry: 'docker.io', repository: 'acme/exec', tag: '1' },
    ],
    [
      'ghcr.io/acme/tools/exec:v1.0.0-rc.1',
      {
        registry: 'ghcr.io',
        repository: 'acme/tools/exec',
        tag: 'v1.0.0-rc.1',
      },
    ],
    [
      'registry.local:5000/exec',
      { registry: 'registry.local:5000', repository: 'exec', tag: 'latest' },
    ],
    [
      'localhost/exec:dev',
      { registry: 'localhost', repository: 'exec', tag: 'dev' },
    ],
    [
      '127.0.0.1:5000/a/b',
      { registry: '127.0.0.1:5000', repository: 'a/b', tag: 'latest' },
    ],
    [
      `ghcr.io/acme/exec@${D}`,
      { registry: 'ghcr.io', repository: 'acme/exec', digest: D },
    ],
    [
      `ghcr.io:443/acme/exec:1@${D}`,
      { registry: 'ghcr.io:443', repository: 'acme/exec', tag: '1', digest: D },
    ],
  ])('%s', (image, expected) => {
    expect(parseImageReference(image)).toEqual(expected);
  });

  it.each([
    ['', /empty/],
    ['ghcr.io/acme/exec@sha256:abc', /digest/],
    [`ghcr.io/acme/exec@md5:${'a'.repeat(32)}`, /digest/],
    ['ghcr.io/Acme/exec:1', /path component "Acme"/],
    ['ghcr.io/acme/exec:-bad', /tag/],
    ['ghcr.io//exec', /path component ""/],
  ])('rejects %p', (image, message) => {
    expect(() => parseImageReference(image)).toThrow(message);
  });

  it('pins to the digest without the tag, and knows Docker Hub’s API host', () => {
    expect(pinnedImage(parseImageReference('acme/exec:1'), D)).toBe(
      `docker.io/acme/exec@${D}`,
    );
    expect(registryApiHost('docker.io')).toBe('registry-1.docker.io');
    expect(registryApiHost('ghcr.io')).toBe('ghcr.io');
  });

  it('names cosign signature tags sha256-<hex>.sig', () => {
    expect(signatureTagFor(D)).toBe(`sha256-${'ab'.repeat(32)}.sig`);
    expect(() => signatureTagFor('sha256:xyz')).toThrow(/not a sha256 digest/);
  });
});
