import { credentialsFor, parseAuthChallenge } from './registryAuth';

describe('parseAuthChallenge', () => {
  it('reads a bearer challenge with quoted parameters', () => {
    expect(
      parseAuthChallenge(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
      ),
    ).toEqual({
      scheme: 'bearer',
      params: {
        realm: 'https://auth.docker.io/token',
        service: 'registry.docker.io',
        scope: 'repository:library/alpine:pull',
      },
    });
  });

  it('reads basic challenges, unquoted values and escapes', () => {
    expect(parseAuthChallenge('Basic realm="Registry \\"x\\""')).toEqual({
      scheme: 'basic',
      params: { realm: 'Registry "x"' },
    });
    expect(parseAuthChallenge('Bearer realm=https://r/t, Service=s')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://r/t', service: 's' },
    });
    expect(parseAuthChallenge('')).toBeUndefined();
  });
});

describe('credentialsFor', () => {
  const auth = (u: string, p: string) =>
    Buffer.from(`${u}:${p}`).toString('base64');
  const config = (auths: object) => JSON.stringify({ auths });

  it('finds the registry by host, from auth or username/password, first secret first', () => {
    const configs = [
      config({ 'other.io': { auth: auth('x', 'y') } }),
      config({ 'https://ghcr.io/v2/': { auth: auth('bot', 'pa:ss') } }),
      config({ 'ghcr.io': { username: 'late', password: 'p' } }),
    ];
    expect(credentialsFor('ghcr.io', configs)).toEqual({
      username: 'bot',
      password: 'pa:ss',
    });
    expect(
      credentialsFor('127.0.0.1:5000', [
        config({ '127.0.0.1:5000': { username: 'u', password: 'p' } }),
      ]),
    ).toEqual({ username: 'u', password: 'p' });
  });

  it('knows Docker Hub’s aliases', () => {
    expect(
      credentialsFor('docker.io', [
        config({ 'https://index.docker.io/v1/': { auth: auth('hub', 'pw') } }),
      ]),
    ).toEqual({ username: 'hub', password: 'pw' });
  });

  it('returns undefined without a match, throws on a broken secret', () => {
    expect(
      credentialsFor('ghcr.io', [
        config({ 'ghcr.io:5000': { auth: auth('a', 'b') } }),
      ]),
    ).toBeUndefined();
    expect(
      credentialsFor('ghcr.io', [
        config({
          'ghcr.io': { auth: Buffer.from('nocolon').toString('base64') },
        }),
      ]),
    ).toBeUndefined();
    expect(() => credentialsFor('ghcr.io', ['{'])).toThrow(/not JSON/);
  });
});
