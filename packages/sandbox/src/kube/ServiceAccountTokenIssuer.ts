import {
  generateKeyPairSync,
  KeyObject,
  randomUUID,
  sign,
  verify,
} from 'node:crypto';

export interface TokenRequest {
  namespace: string;
  serviceAccount: string;
  audience: string;
  /** Default 3600 (the kubelet's projected-token default). */
  expirationSeconds?: number;
  pod?: { name: string; uid: string };
}

export interface ServiceAccountClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  'kubernetes.io': {
    namespace: string;
    serviceaccount: { name: string; uid: string };
    pod?: { name: string; uid: string };
  };
}

const b64url = (data: string | Buffer) =>
  Buffer.from(data).toString('base64url');

/**
 * Signs projected service-account tokens the way the apiserver does (RS256 JWTs with the
 * `system:serviceaccount:<ns>:<name>` subject and `kubernetes.io` claims), and verifies them for
 * the OpenBao double. Its public key is served as JWKS by the API double.
 */
export class ServiceAccountTokenIssuer {
  readonly issuer: string;
  readonly keyId: string;
  #privateKey: KeyObject;
  #publicKey: KeyObject;
  #now: () => Date;

  constructor(options: { issuer?: string; now?: () => Date } = {}) {
    this.issuer =
      options.issuer ?? 'https://kubernetes.default.svc.cluster.local';
    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
    });
    this.#privateKey = privateKey;
    this.#publicKey = publicKey;
    this.keyId = b64url(randomUUID());
    this.#now = options.now ?? (() => new Date());
  }

  /** PEM of the signing key's public half (for a JWT auth role's `jwt_validation_pubkeys`). */
  get publicKeyPem() {
    return this.#publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  jwks() {
    const jwk = this.#publicKey.export({ format: 'jwk' });
    return {
      keys: [{ ...jwk, use: 'sig', kty: 'RSA', alg: 'RS256', kid: this.keyId }],
    };
  }

  issue(request: TokenRequest): string {
    const iat = Math.floor(this.#now().getTime() / 1000);
    const claims: ServiceAccountClaims = {
      iss: this.issuer,
      sub: `system:serviceaccount:${request.namespace}:${request.serviceAccount}`,
      aud: [request.audience],
      exp: iat + (request.expirationSeconds ?? 3600),
      iat,
      nbf: iat,
      jti: randomUUID(),
      'kubernetes.io': {
        namespace: request.namespace,
        serviceaccount: { name: request.serviceAccount, uid: randomUUID() },
        ...(request.pod ? { pod: request.pod } : {}),
      },
    };
    const header = b64url(JSON.stringify({ alg: 'RS256', kid: this.keyId }));
    const payload = b64url(JSON.stringify(claims));
    const signature = sign(
      'sha256',
      Buffer.from(`${header}.${payload}`),
      this.#privateKey,
    );
    return `${header}.${payload}.${b64url(signature)}`;
  }

  /** The token's claims when the signature, issuer and time window hold; throws otherwise. */
  verify(
    token: string,
    options: { audience?: string } = {},
  ): ServiceAccountClaims {
    const parts = token.split('.');
    if (parts.length !== 3) throw new Error('token is not a JWT');
    const [header, payload, signature] = parts;
    const ok = verify(
      'sha256',
      Buffer.from(`${header}.${payload}`),
      this.#publicKey,
      Buffer.from(signature, 'base64url'),
    );
    if (!ok) throw new Error('token signature is invalid');
    const claims = JSON.parse(
      Buffer.from(payload, 'base64url').toString('utf8'),
    ) as ServiceAccountClaims;
    const now = Math.floor(this.#now().getTime() / 1000);
    if (claims.iss !== this.issuer)
      throw new Error('token issuer is not accepted');
    if (claims.exp <= now || claims.nbf > now + 60)
      throw new Error('token is expired or not yet valid');
    if (options.audience && !claims.aud.includes(options.audience))
      throw new Error('token audience is not accepted');
    return claims;
  }
}
