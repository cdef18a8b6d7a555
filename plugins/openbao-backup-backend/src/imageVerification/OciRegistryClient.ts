import { createHash } from 'node:crypto';
import {
  ReferrerDescriptor,
  RegistryClient,
  RegistryError,
  RepositoryRef,
  Manifest,
} from './RegistryClient';
import { RegistryCredentials, parseAuthChallenge } from './registryAuth';
import { registryApiHost } from './imageReference';
import { nextPageUrl } from './linkHeader';

/** Every manifest type we can verify; an index keeps its own digest (the kubelet picks the platform). */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** Pages of one referrers list followed at most (a registry linking on forever is refused). */
export const MAX_REFERRER_PAGES = 10;

export interface OciRegistryClientOptions {
  /** Per request; default 10 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

function sha256(bytes: Buffer) {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function isLoopback(host: string) {
  const name = host.replace(/:\d+$/, '');
  return name === 'localhost' || name.startsWith('127.') || name === '[::1]';
}

/** The descriptors of an OCI image index's `manifests`; undefined when `body` is no index. */
function referrerDescriptors(body: Buffer): ReferrerDescriptor[] | undefined {
  let manifests: unknown;
  try {
    manifests = JSON.parse(body.toString('utf8')).manifests;
  } catch {
    return undefined;
  }
  if (!Array.isArray(manifests)) return undefined;
  return manifests.filter(
    (m): m is ReferrerDescriptor =>
      typeof m?.digest === 'string' && typeof m?.mediaType === 'string',
  );
}

function credentialId(credentials?: RegistryCredentials) {
  return credentials
    ? sha256(Buffer.from(`${credentials.username}:${credentials.password}`))
    : 'anonymous';
}

function basic(credentials: RegistryCredentials) {
  return `Basic ${Buffer.from(
    `${credentials.username}:${credentials.password}`,
  ).toString('base64')}`;
}

/**
 * The OCI distribution API over `fetch`: manifests (HEAD/GET with every manifest Accept type),
 * blobs, and the registry auth flow — a 401 with `WWW-Authenticate: Bearer realm,service,scope`
 * gets a token from the realm (with Basic credentials from a pull secret, if any), a `Basic`
 * challenge gets the credentials directly. Tokens are reused until they expire. Loopback
 * registries are spoken to over plain HTTP (as Docker and containerd do), others over HTTPS.
 */
export class OciRegistryClient implements RegistryClient {
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #tokens = new Map<string, { header: string; expiresAt: number }>();

  static create(options: OciRegistryClientOptions = {}) {
    return new OciRegistryClient(options);
  }

  private constructor(options: OciRegistryClientOptions) {
    this.#fetch = options.fetch ?? fetch;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  async resolveDigest(
    repo: RepositoryRef,
    tag: string,
    credentials?: RegistryCredentials,
  ) {
    const res = await this.#request(
      repo,
      `manifests/${tag}`,
      'HEAD',
      MANIFEST_ACCEPT,
      credentials,
    );
    if (res.status === 404) return undefined;
    const digest = res.headers.get('docker-content-digest');
    if (digest?.startsWith('sha256:')) return digest;
    // Docker-Content-Digest is optional: the digest is then that of the exact bytes served.
    return (await this.getManifest(repo, tag, credentials))?.digest;
  }

  async getManifest(
    repo: RepositoryRef,
    reference: string,
    credentials?: RegistryCredentials,
  ): Promise<Manifest | undefined> {
    const res = await this.#request(
      repo,
      `manifests/${reference}`,
      'GET',
      MANIFEST_ACCEPT,
      credentials,
    );
    if (res.status === 404) return undefined;
    const body = await this.#readLimited(
      res,
      MAX_MANIFEST_BYTES,
      `manifest ${reference}`,
    );
    const digest = sha256(body);
    const claimed = res.headers.get('docker-content-digest');
    if (
      reference.startsWith('sha256:')
        ? digest !== reference
        : claimed && claimed !== digest
    ) {
      throw new RegistryError(
        'protocol',
        `manifest ${reference} of ${
          repo.repository
        }: bytes hash to ${digest}, not ${claimed ?? reference}`,
      );
    }
    const mediaType =
      (res.headers.get('content-type') ?? '').split(';')[0].trim() ||
      JSON.parse(body.toString('utf8')).mediaType;
    return { mediaType, digest, body };
  }

  async listReferrers(
    repo: RepositoryRef,
    digest: string,
    credentials?: RegistryCredentials,
  ): Promise<ReferrerDescriptor[]> {
    // Unfiltered: `?artifactType=` is optional for registries (OCI-Filters-Applied), and we take two.
    const what = `referrers of ${digest} in ${repo.repository}`;
    const base = this.#baseUrl(repo);
    const found = new Map<string, ReferrerDescriptor>();
    let url: string | undefined = this.#apiUrl(repo, `referrers/${digest}`);
    for (let page = 1; url; page++) {
      if (page > MAX_REFERRER_PAGES) {
        throw new RegistryError(
          'protocol',
          `${what}: the registry still links a next page after ${MAX_REFERRER_PAGES} pages (the limit); refusing to read further`,
        );
      }
      const res = await this.#requestUrl(
        repo,
        url,
        'GET',
        OCI_INDEX,
        credentials,
      );
      if (res.status === 404) {
        await res.body?.cancel();
        if (page === 1)
          return this.#referrersTagSchema(repo, digest, credentials);
        throw new RegistryError(
          'protocol',
          `${what}: page ${page} (${url}) not found`,
        );
      }
      const index = await this.#readLimited(
        res,
        MAX_MANIFEST_BYTES,
        `${what}, page ${page},`,
      );
      const descriptors = referrerDescriptors(index);
      if (!descriptors)
        throw new RegistryError(
          'protocol',
          `${what}: page ${page} is not an OCI image index`,
        );
      // A list that changes between pages may repeat an entry.
      for (const d of descriptors) found.set(d.digest, d);
      url = nextPageUrl(res.headers.get('link'), url, base, what);
    }
    return [...found.values()];
  }

  /**
   * No referrers API: the referrers tag schema, an index tagged `sha256-<hex>`. Anything but an
   * index there means no referrers (the spec's fallback rule).
   */
  async #referrersTagSchema(
    repo: RepositoryRef,
    digest: string,
    credentials?: RegistryCredentials,
  ) {
    const manifest = await this.getManifest(
      repo,
      digest.replace(':', '-'),
      credentials,
    );
    return (manifest && referrerDescriptors(manifest.body)) ?? [];
  }

  async getBlob(
    repo: RepositoryRef,
    digest: string,
    maxBytes: number,
    credentials?: RegistryCredentials,
  ) {
    const res = await this.#request(
      repo,
      `blobs/${digest}`,
      'GET',
      '*/*',
      credentials,
    );
    if (res.status === 404) {
      throw new RegistryError(
        'protocol',
        `blob ${digest} of ${repo.repository} not found`,
      );
    }
    const body = await this.#readLimited(res, maxBytes, `blob ${digest}`);
    if (sha256(body) !== digest) {
      throw new RegistryError(
        'protocol',
        `blob ${digest} of ${repo.repository} does not match its digest`,
      );
    }
    return body;
  }

  async #readLimited(res: Response, maxBytes: number, what: string) {
    const length = Number(res.headers.get('content-length') ?? 0);
    if (length > maxBytes) {
      await res.body?.cancel();
      throw new RegistryError(
        'protocol',
        `${what} is ${length} bytes, more than ${maxBytes}`,
      );
    }
    const body = Buffer.from(await res.arrayBuffer());
    if (body.length > maxBytes) {
      throw new RegistryError(
        'protocol',
        `${what} is more than ${maxBytes} bytes`,
      );
    }
    return body;
  }

  async #send(url: string, method: string, headers: Record<string, string>) {
    try {
      return await this.#fetch(url, {
        method,
        headers,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (e) {
      const cause = (e as any)?.cause?.code ?? (e as Error).message;
      throw new RegistryError(
        'unreachable',
        `registry ${new URL(url).host} unreachable (${cause})`,
      );
    }
  }

  #baseUrl(repo: RepositoryRef) {
    const host = registryApiHost(repo.registry);
    return `${isLoopback(host) ? 'http' : 'https'}://${host}`;
  }

  #apiUrl(repo: RepositoryRef, path: string) {
    return `${this.#baseUrl(repo)}/v2/${repo.repository}/${path}`;
  }

  /** One API call with the auth flow; returns 2xx and 404 responses, throws on everything else. */
  #request(
    repo: RepositoryRef,
    path: string,
    method: 'GET' | 'HEAD',
    accept: string,
    credentials?: RegistryCredentials,
  ): Promise<Response> {
    return this.#requestUrl(
      repo,
      this.#apiUrl(repo, path),
      method,
      accept,
      credentials,
    );
  }

  /** {@link #request} at a URL on the registry of `repo` (a followed `Link`), same token. */
  async #requestUrl(
    repo: RepositoryRef,
    url: string,
    method: 'GET' | 'HEAD',
    accept: string,
    credentials?: RegistryCredentials,
  ): Promise<Response> {
    const host = registryApiHost(repo.registry);
    const tokenKey = `${host}|${repo.repository}|${credentialId(credentials)}`;
    const cached = this.#tokens.get(tokenKey);
    const headers: Record<string, string> = { Accept: accept };
    if (cached && cached.expiresAt > Date.now())
      headers.Authorization = cached.header;
    let res = await this.#send(url, method, headers);
    if (res.status === 401) {
      await res.body?.cancel();
      const authorization = await this.#answerChallenge(res, repo, credentials);
      this.#tokens.set(tokenKey, authorization);
      res = await this.#send(url, method, {
        ...headers,
        Authorization: authorization.header,
      });
    }
    if (res.ok || res.status === 404) return res;
    await res.body?.cancel();
    const { pathname, search } = new URL(url);
    const where = `${method} ${pathname.replace(
      /^\/v2\//,
      '',
    )}${search} on ${host}`;
    if (res.status === 401 || res.status === 403) {
      throw new RegistryError(
        'unauthorized',
        `${where}: access denied (HTTP ${res.status}) ${
          credentials
            ? "with the pull secret's credentials"
            : 'without credentials: set imageVerification.imagePullSecrets'
        }`,
      );
    }
    throw new RegistryError(
      res.status >= 500 || res.status === 429 ? 'unreachable' : 'protocol',
      `${where}: HTTP ${res.status}`,
    );
  }

  async #answerChallenge(
    res: Response,
    repo: RepositoryRef,
    credentials?: RegistryCredentials,
  ) {
    const challenge = parseAuthChallenge(
      res.headers.get('www-authenticate') ?? '',
    );
    const denied = (why: string) =>
      new RegistryError(
        'unauthorized',
        `registry ${repo.registry} requires authentication for ${repo.repository}: ${why}`,
      );
    if (challenge?.scheme === 'basic') {
      if (!credentials)
        throw denied('no credentials: set imageVerification.imagePullSecrets');
      return { header: basic(credentials), expiresAt: Date.now() + 3600_000 };
    }
    if (challenge?.scheme !== 'bearer' || !challenge.params.realm) {
      throw denied(
        `unsupported challenge "${res.headers.get('www-authenticate') ?? ''}"`,
      );
    }
    const tokenUrl = new URL(challenge.params.realm);
    if (challenge.params.service)
      tokenUrl.searchParams.set('service', challenge.params.service);
    tokenUrl.searchParams.set(
      'scope',
      challenge.params.scope ?? `repository:${repo.repository}:pull`,
    );
    const tokenRes = await this.#send(
      tokenUrl.toString(),
      'GET',
      credentials ? { Authorization: basic(credentials) } : {},
    );
    if (!tokenRes.ok) {
      await tokenRes.body?.cancel();
      throw tokenRes.status === 401 || tokenRes.status === 403
        ? denied(
            `the token endpoint refused ${
              credentials
                ? "the pull secret's credentials"
                : 'an anonymous token: set imageVerification.imagePullSecrets'
            } (HTTP ${tokenRes.status})`,
          )
        : new RegistryError(
            tokenRes.status >= 500 ? 'unreachable' : 'protocol',
            `token endpoint ${tokenUrl.host}: HTTP ${tokenRes.status}`,
          );
    }
    const body = (await tokenRes.json()) as {
      token?: string;
      access_token?: string;
      expires_in?: number;
    };
    const token = body.token ?? body.access_token;
    if (!token)
      throw new RegistryError(
        'protocol',
        `token endpoint ${tokenUrl.host} returned no token`,
      );
    // Expire a little early so a token never runs out between the check and its use.
    const lifetime = Math.max(0, (body.expires_in ?? 60) - 10) * 1000;
    return { header: `Bearer ${token}`, expiresAt: Date.now() + lifetime };
  }
}
