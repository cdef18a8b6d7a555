import { KeyObject, generateKeyPairSync, randomBytes } from 'node:crypto';
import { IncomingMessage, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import {
  OCI_CONFIG,
  OCI_INDEX,
  OCI_MANIFEST,
  bundleReferrerManifest,
  cosignSign,
  cosignSignatureManifest,
  descriptor,
  keyBundle,
  sha256,
  signStatement,
  simpleSigningPayload,
} from './cosign';
import { KeylessSigner } from './keylessSigner';

export interface RegistryOptions {
  /**
   * Require a bearer token for every `/v2/` call, issued by `/token` (the distribution token flow).
   * With `users`, the token endpoint wants Basic credentials of one of them; without, it hands out
   * anonymous tokens (like Docker Hub for public images).
   */
  auth?: { users?: Record<string, string> };
  /**
   * Serve the OCI 1.1 referrers API (`GET /v2/<name>/referrers/<digest>`). Default true; false
   * answers it 404, like registries before OCI 1.1, and `signReferrer` then keeps the referrers
   * tag schema index (`sha256-<hex>`) instead, as cosign does.
   */
  referrers?: boolean;
  /**
   * Paginate the referrers API: at most `pageSize` descriptors a response, and a
   * `Link: <next>; rel="next"` header while more follow (the next page is `?last=<digest>`, keeping
   * `artifactType`). `link` writes the header's target from the next page's path and query (and
   * the registry's base URL); default the relative path, as registries send it. Lets tests link
   * absolutely, to another host, or on forever.
   */
  referrersPagination?: {
    pageSize: number;
    link?: (next: { path: string; base: string }) => string;
  };
  /**
   * The `Docker-Content-Digest` header of a manifest response, given what is served (`reference`
   * as asked, `digest` of the bytes); `undefined` omits the header (it is optional in the
   * distribution spec). Default: the true digest. Lets tests omit or falsify it.
   */
  manifestDigestHeader?: (served: {
    method: string;
    reference: string;
    digest: string;
  }) => string | undefined;
}

interface Repository {
  manifests: Map<string, { mediaType: string; body: Buffer }>;
  tags: Map<string, string>;
  blobs: Map<string, Buffer>;
}

export interface RegistryRequest {
  method: string;
  path: string;
  /** `?…` as asked, or empty. */
  query: string;
  status: number;
}

export type RegistryHandle = Awaited<ReturnType<typeof startRegistry>>;

const SERVICE = 'sandbox-registry';

function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify({ errors: [{ code, message }] }));
}

function accepts(req: IncomingMessage, mediaType: string) {
  const accept = req.headers.accept;
  return (
    !accept ||
    accept.includes('*/*') ||
    accept.split(',').some(a => a.split(';')[0].trim() === mediaType)
  );
}

/**
 * An OCI registry double on `node:http` speaking the distribution API the verifier uses: `GET /v2/`,
 * HEAD/GET manifests by tag and digest (with `Docker-Content-Digest` and Accept negotiation), blobs,
 * `tags/list`, the OCI 1.1 referrers API (with the `artifactType` filter and optional `Link`
 * pagination), and the bearer token flow (`WWW-Authenticate: Bearer realm,service,scope` → `/token`).
 * Content lives in memory; helpers push images, cosign signatures (key generated at start) and
 * move tags. Every request is recorded in `requests` so tests can count registry round trips.
 */
export async function startRegistry(options: RegistryOptions = {}) {
  const repositories = new Map<string, Repository>();
  const tokens = new Map<string, string>();
  const requests: RegistryRequest[] = [];
  const { privateKey, publicKey } = generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
  });
  let base = '';

  const repo = (name: string) => {
    let r = repositories.get(name);
    if (!r) {
      r = { manifests: new Map(), tags: new Map(), blobs: new Map() };
      repositories.set(name, r);
    }
    return r;
  };

  function authorized(
    req: IncomingMessage,
    res: ServerResponse,
    name?: string,
  ) {
    if (!options.auth) return true;
    const scope = name ? `repository:${name}:pull` : undefined;
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const granted = token !== undefined ? tokens.get(token) : undefined;
    if (granted !== undefined && (!scope || granted === scope)) return true;
    const challenge = `Bearer realm="${base}/token",service="${SERVICE}"${
      scope ? `,scope="${scope}"` : ''
    }`;
    sendError(res, 401, 'UNAUTHORIZED', 'authentication required', {
      'WWW-Authenticate': challenge,
    });
    return false;
  }

  function issueToken(req: IncomingMessage, res: ServerResponse, url: URL) {
    const users = options.auth?.users;
    if (users) {
      const [user, password] = Buffer.from(
        /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '',
        'base64',
      )
        .toString('utf8')
        .split(/:(.*)/s);
      if (!user || users[user] !== password) {
        sendError(res, 401, 'UNAUTHORIZED', 'invalid credentials', {
          'WWW-Authenticate': `Basic realm="${SERVICE}"`,
        });
        return;
      }
    }
    const token = randomBytes(16).toString('hex');
    tokens.set(token, url.searchParams.get('scope') ?? '');
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ token, access_token: token, expires_in: 300 }));
  }

  function serveManifest(
    req: IncomingMessage,
    res: ServerResponse,
    r: Repository | undefined,
    reference: string,
  ) {
    const digest = reference.startsWith('sha256:')
      ? reference
      : r?.tags.get(reference);
    const manifest = digest ? r?.manifests.get(digest) : undefined;
    if (!digest || !manifest) {
      sendError(res, 404, 'MANIFEST_UNKNOWN', `manifest unknown: ${reference}`);
      return;
    }
    if (!accepts(req, manifest.mediaType)) {
      sendError(
        res,
        404,
        'MANIFEST_UNKNOWN',
        `manifest ${reference} is ${manifest.mediaType}, not accepted`,
      );
      return;
    }
    const claimed = options.manifestDigestHeader
      ? options.manifestDigestHeader({
          method: req.method ?? '',
          reference,
          digest,
        })
      : digest;
    res.writeHead(200, {
      'Content-Type': manifest.mediaType,
      'Content-Length': manifest.body.length,
      ...(claimed === undefined ? {} : { 'Docker-Content-Digest': claimed }),
    });
    res.end(req.method === 'HEAD' ? undefined : manifest.body);
  }

  /** The manifests of `r` whose `subject` is `digest`, as descriptors of an OCI index. */
  function referrersOf(r: Repository | undefined, digest: string) {
    return [...(r?.manifests.values() ?? [])].flatMap(m => {
      const parsed = JSON.parse(m.body.toString('utf8'));
      if (parsed.subject?.digest !== digest) return [];
      return [
        {
          ...descriptor(m.mediaType, m.body),
          artifactType: parsed.artifactType ?? parsed.config?.mediaType,
          ...(parsed.annotations ? { annotations: parsed.annotations } : {}),
        },
      ];
    });
  }

  function serveReferrers(
    res: ServerResponse,
    r: Repository | undefined,
    digest: string,
    url: URL,
  ) {
    if (options.referrers === false) {
      return sendError(res, 404, 'NOT_FOUND', 'no referrers API');
    }
    const type = url.searchParams.get('artifactType');
    const all = referrersOf(r, digest).filter(
      d => !type || d.artifactType === type,
    );
    const page = referrersPage(all, url);
    res.writeHead(200, {
      'Content-Type': OCI_INDEX,
      ...(type ? { 'OCI-Filters-Applied': 'artifactType' } : {}),
      ...(page.next ? { Link: `<${page.next}>; rel="next"` } : {}),
    });
    return res.end(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: page.manifests,
      }),
    );
  }

  /** One page of a referrers list after `?last=<digest>`, and the link to the next, if any. */
  function referrersPage<D extends { digest: string }>(all: D[], url: URL) {
    const paging = options.referrersPagination;
    if (!paging) return { manifests: all };
    const last = url.searchParams.get('last');
    const start = last ? all.findIndex(d => d.digest === last) + 1 : 0;
    const manifests = all.slice(start, start + paging.pageSize);
    if (start + paging.pageSize >= all.length) return { manifests };
    const query = new URLSearchParams(url.searchParams);
    query.set('last', manifests[manifests.length - 1].digest);
    const path = `${url.pathname}?${query}`;
    return {
      manifests,
      next: paging.link ? paging.link({ path, base }) : path,
    };
  }

  function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', base);
    const path = url.pathname;
    res.on('finish', () =>
      requests.push({
        method: req.method ?? '',
        path,
        query: url.search,
        status: res.statusCode,
      }),
    );
    res.setHeader('Docker-Distribution-API-Version', 'registry/2.0');
    if (path === '/token') return issueToken(req, res, url);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendError(
        res,
        405,
        'UNSUPPORTED',
        'this registry double is read-only over HTTP',
      );
    }
    if (path === '/v2/' || path === '/v2') {
      if (!authorized(req, res)) return undefined;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return res.end('{}');
    }
    const m =
      /^\/v2\/(.+)\/(manifests|blobs|referrers)\/([^/]+)$/.exec(path) ??
      /^\/v2\/(.+)\/(tags)\/list$/.exec(path);
    if (!m) return sendError(res, 404, 'NOT_FOUND', `no route for ${path}`);
    const [, name, kind, reference] = m;
    if (!authorized(req, res, name)) return undefined;
    const r = repositories.get(name);
    if (kind === 'manifests') return serveManifest(req, res, r, reference);
    if (kind === 'referrers') return serveReferrers(res, r, reference, url);
    if (kind === 'tags') {
      if (!r)
        return sendError(
          res,
          404,
          'NAME_UNKNOWN',
          `repository ${name} unknown`,
        );
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return res.end(JSON.stringify({ name, tags: [...r.tags.keys()].sort() }));
    }
    const blob = r?.blobs.get(reference);
    if (!blob)
      return sendError(res, 404, 'BLOB_UNKNOWN', `blob unknown: ${reference}`);
    res.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': blob.length,
      'Docker-Content-Digest': reference,
    });
    return res.end(req.method === 'HEAD' ? undefined : blob);
  }

  const server = createServer(handle);
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  base = `http://${host}`;

  function putBlob(name: string, bytes: Buffer) {
    repo(name).blobs.set(sha256(bytes), bytes);
    return sha256(bytes);
  }

  function putManifest(
    name: string,
    manifest: { mediaType: string },
    tag?: string,
  ) {
    const body = Buffer.from(JSON.stringify(manifest));
    const digest = sha256(body);
    repo(name).manifests.set(digest, { mediaType: manifest.mediaType, body });
    if (tag) repo(name).tags.set(tag, digest);
    return digest;
  }

  function pushPlatformImage(name: string, platform: string, seed: string) {
    const config = Buffer.from(
      JSON.stringify({
        architecture: platform,
        os: 'linux',
        config: { Entrypoint: ['node', '/app/executor.js'] },
        seed,
      }),
    );
    const layer = Buffer.from(`layer of ${name} ${platform} ${seed}`);
    putBlob(name, config);
    putBlob(name, layer);
    return putManifest(name, {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: descriptor(OCI_CONFIG, config),
      layers: [
        descriptor('application/vnd.oci.image.layer.v1.tar+gzip', layer),
      ],
    } as { mediaType: string });
  }

  return {
    host,
    url: base,
    /** Public key (PEM) of the key `sign` uses by default: put it in `spec.imageVerification.publicKey`. */
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKey,
    requests,
    /** `host/name:tag` */
    reference: (name: string, tag: string) => `${host}/${name}:${tag}`,
    /**
     * Pushes a multi-arch image (an OCI index of amd64 and arm64 manifests) under `tag`; `seed`
     * makes a distinct image. Returns the index digest, which is what the tag resolves to.
     */
    pushImage(
      name: string,
      tag: string,
      seed = randomBytes(4).toString('hex'),
    ) {
      const platforms = ['amd64', 'arm64'].map(p => {
        const digest = pushPlatformImage(name, p, seed);
        const body = repo(name).manifests.get(digest)!.body;
        return {
          ...descriptor(OCI_MANIFEST, body),
          platform: { architecture: p, os: 'linux' },
        };
      });
      return putManifest(
        name,
        { schemaVersion: 2, mediaType: OCI_INDEX, manifests: platforms } as {
          mediaType: string;
        },
        tag,
      );
    },
    /**
     * Signs `digest` as `cosign sign` does, at tag `sha256-<hex>.sig`. `payloadDigest` signs a
     * payload naming another digest (a signature copied from another image); `key` another key;
     * `keyless` a certificate of a {@link createKeylessSigner} CA, logged in its Rekor.
     */
    sign(
      name: string,
      digest: string,
      opts: {
        key?: KeyObject;
        payloadDigest?: string;
        keyless?: KeylessSigner;
      } = {},
    ) {
      const payload = simpleSigningPayload(
        `${host}/${name}`,
        opts.payloadDigest ?? digest,
      );
      const signed = opts.keyless?.sign(payload) ?? {
        signature: cosignSign(payload, opts.key ?? privateKey),
        annotations: {},
      };
      const { manifest, blobs } = cosignSignatureManifest(
        payload,
        signed.signature,
        signed.annotations,
      );
      blobs.forEach(b => putBlob(name, b));
      return putManifest(name, manifest, `${digest.replace(':', '-')}.sig`);
    },
    /**
     * Signs `digest` as cosign 3 does: a Sigstore bundle (DSSE over an in-toto statement) pushed as
     * an OCI referrer whose `subject` is `digest`; without the referrers API (`referrers: false`)
     * also listed in the `sha256-<hex>` referrers tag schema index. `statementDigest` signs a
     * statement naming another digest (a bundle copied from another image); `key` another key;
     * `keyless` a certificate of a {@link createKeylessSigner} CA, logged in its Rekor.
     */
    signReferrer(
      name: string,
      digest: string,
      opts: {
        key?: KeyObject;
        statementDigest?: string;
        keyless?: KeylessSigner;
      } = {},
    ) {
      const subject = repo(name).manifests.get(digest);
      if (!subject) throw new Error(`no manifest ${digest} in ${name}`);
      const statement = signStatement(
        `${host}/${name}`,
        opts.statementDigest ?? digest,
      );
      const bundle =
        opts.keyless?.signBundle(statement) ??
        keyBundle(statement, opts.key ?? privateKey);
      const { manifest, blobs } = bundleReferrerManifest(
        bundle,
        descriptor(subject.mediaType, subject.body),
      );
      blobs.forEach(b => putBlob(name, b));
      const referrer = putManifest(name, manifest);
      if (options.referrers === false) {
        putManifest(
          name,
          {
            schemaVersion: 2,
            mediaType: OCI_INDEX,
            manifests: referrersOf(repo(name), digest),
          } as { mediaType: string },
          digest.replace(':', '-'),
        );
      }
      return referrer;
    },
    moveTag(name: string, tag: string, digest: string) {
      repo(name).tags.set(tag, digest);
    },
    /** Requests to the `/v2/` API (not the token endpoint) since start or the last `resetRequests`. */
    apiRequests: () => requests.filter(r => r.path.startsWith('/v2/')).length,
    resetRequests: () => {
      requests.length = 0;
    },
    stop: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The demo's and tests' executor images: `<repo>:signed` (signed with the registry's key) and
 * `<repo>:unsigned`, both multi-arch.
 */
export function pushExecutorImages(
  registry: RegistryHandle,
  name = 'acme/openbao-backup-executor',
) {
  const signedDigest = registry.pushImage(name, 'signed');
  registry.sign(name, signedDigest);
  const unsignedDigest = registry.pushImage(name, 'unsigned');
  return {
    name,
    signed: registry.reference(name, 'signed'),
    signedDigest,
    unsigned: registry.reference(name, 'unsigned'),
    unsignedDigest,
  };
}
