import { createHash, verify } from 'node:crypto';
import {
  RegistryHandle,
  pushExecutorImages,
  startRegistry,
} from './startRegistry';

const INDEX = 'application/vnd.oci.image.index.v1+json';
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const sha256 = (b: Buffer) =>
  `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('registry double (OCI distribution API)', () => {
  let open: RegistryHandle;
  let locked: RegistryHandle;
  beforeAll(async () => {
    [open, locked] = await Promise.all([
      startRegistry(),
      startRegistry({ auth: { users: { robot: 'pw' } } }),
    ]);
  });
  afterAll(() => Promise.all([open.stop(), locked.stop()]));

  it('serves a multi-arch tag by HEAD and GET with Docker-Content-Digest, and its blobs and tags', async () => {
    const images = pushExecutorImages(open);
    const base = `${open.url}/v2/${images.name}`;
    const head = await fetch(`${base}/manifests/signed`, {
      method: 'HEAD',
      headers: { Accept: INDEX },
    });
    expect(head.status).toBe(200);
    expect(head.headers.get('docker-content-digest')).toBe(images.signedDigest);
    expect(head.headers.get('content-type')).toBe(INDEX);
    const index = Buffer.from(
      await (
        await fetch(`${base}/manifests/${images.signedDigest}`, {
          headers: { Accept: INDEX },
        })
      ).arrayBuffer(),
    );
    expect(sha256(index)).toBe(images.signedDigest);
    const platforms = JSON.parse(index.toString()).manifests;
    expect(platforms.map((m: any) => m.platform.architecture)).toEqual([
      'amd64',
      'arm64',
    ]);
    const platform = await fetch(`${base}/manifests/${platforms[0].digest}`, {
      headers: { Accept: MANIFEST },
    });
    const config = JSON.parse(await platform.text()).config;
    const blob = Buffer.from(
      await (await fetch(`${base}/blobs/${config.digest}`)).arrayBuffer(),
    );
    expect(sha256(blob)).toBe(config.digest);
    const tags = await (await fetch(`${base}/tags/list`)).json();
    expect(tags.tags).toEqual(
      [
        'signed',
        `${images.signedDigest.replace(':', '-')}.sig`,
        'unsigned',
      ].sort(),
    );
  });

  it('negotiates media types and answers 404 with distribution error codes', async () => {
    const images = pushExecutorImages(open, 'acme/other');
    const base = `${open.url}/v2/${images.name}`;
    const refused = await fetch(`${base}/manifests/signed`, {
      headers: { Accept: MANIFEST },
    });
    expect(refused.status).toBe(404);
    expect((await refused.json()).errors[0].code).toBe('MANIFEST_UNKNOWN');
    expect(
      (await (await fetch(`${base}/manifests/nope`)).json()).errors[0].code,
    ).toBe('MANIFEST_UNKNOWN');
    expect(
      (await (await fetch(`${base}/blobs/sha256:${'0'.repeat(64)}`)).json())
        .errors[0].code,
    ).toBe('BLOB_UNKNOWN');
  });

  it('stores cosign signatures that verify with the published key, and moves tags', async () => {
    const name = 'acme/signed';
    const digest = open.pushImage(name, 'v1');
    open.sign(name, digest);
    const sig = await (
      await fetch(
        `${open.url}/v2/${name}/manifests/${digest.replace(':', '-')}.sig`,
        { headers: { Accept: MANIFEST } },
      )
    ).json();
    const layer = sig.layers[0];
    expect(layer.mediaType).toBe(
      'application/vnd.dev.cosign.simplesigning.v1+json',
    );
    const payload = Buffer.from(
      await (
        await fetch(`${open.url}/v2/${name}/blobs/${layer.digest}`)
      ).arrayBuffer(),
    );
    expect(
      JSON.parse(payload.toString()).critical.image['docker-manifest-digest'],
    ).toBe(digest);
    expect(
      verify(
        'sha256',
        payload,
        open.publicKeyPem,
        Buffer.from(
          layer.annotations['dev.cosignproject.cosign/signature'],
          'base64',
        ),
      ),
    ).toBe(true);
    const other = open.pushImage(name, 'v2');
    open.moveTag(name, 'v1', other);
    const head = await fetch(`${open.url}/v2/${name}/manifests/v1`, {
      method: 'HEAD',
      headers: { Accept: INDEX },
    });
    expect(head.headers.get('docker-content-digest')).toBe(other);
  });

  it('lists cosign 3 bundle referrers (artifactType filter), or keeps the referrers tag schema without the API', async () => {
    const bundleType = 'application/vnd.dev.sigstore.bundle.v0.3+json';
    const name = 'acme/referred';
    const digest = open.pushImage(name, 'v1');
    const referrer = open.signReferrer(name, digest);
    const list = async (query = '') => {
      const res = await fetch(
        `${open.url}/v2/${name}/referrers/${digest}${query}`,
      );
      return { res, index: await res.json() };
    };
    const all = await list();
    expect(all.res.headers.get('content-type')).toBe(INDEX);
    expect(all.index.manifests).toEqual([
      expect.objectContaining({ digest: referrer, artifactType: bundleType }),
    ]);
    const filtered = await list('?artifactType=application/spdx%2Bjson');
    expect(filtered.res.headers.get('oci-filters-applied')).toBe(
      'artifactType',
    );
    expect(filtered.index.manifests).toEqual([]);
    const manifest = await (
      await fetch(`${open.url}/v2/${name}/manifests/${referrer}`, {
        headers: { Accept: MANIFEST },
      })
    ).json();
    expect(manifest.subject.digest).toBe(digest);
    const bundle = await (
      await fetch(`${open.url}/v2/${name}/blobs/${manifest.layers[0].digest}`)
    ).json();
    const envelope = bundle.dsseEnvelope;
    const statement = Buffer.from(envelope.payload, 'base64');
    expect(JSON.parse(statement.toString()).subject[0].digest.sha256).toBe(
      digest.slice('sha256:'.length),
    );
    const pae = Buffer.concat([
      Buffer.from(
        `DSSEv1 ${envelope.payloadType.length} ${envelope.payloadType} ${statement.length} `,
      ),
      statement,
    ]);
    expect(
      verify(
        'sha256',
        pae,
        open.publicKeyPem,
        Buffer.from(envelope.signatures[0].sig, 'base64'),
      ),
    ).toBe(true);

    const old = await startRegistry({ referrers: false });
    try {
      const d = old.pushImage(name, 'v1');
      const r = old.signReferrer(name, d);
      expect((await fetch(`${old.url}/v2/${name}/referrers/${d}`)).status).toBe(
        404,
      );
      const tagged = await (
        await fetch(`${old.url}/v2/${name}/manifests/${d.replace(':', '-')}`, {
          headers: { Accept: INDEX },
        })
      ).json();
      expect(tagged.manifests).toEqual([
        expect.objectContaining({ digest: r, artifactType: bundleType }),
      ]);
    } finally {
      await old.stop();
    }
  });

  it('paginates referrers with a relative Link rel="next" (artifactType kept), or as the option writes it', async () => {
    const name = 'acme/paged';
    const links: string[] = [];
    let linkTo = (next: { path: string; base: string }) => next.path;
    const paged = await startRegistry({
      referrersPagination: {
        pageSize: 2,
        link: next => {
          links.push(next.path);
          return linkTo(next);
        },
      },
    });
    try {
      const digest = paged.pushImage(name, 'v1');
      const referrers = [1, 2, 3, 4, 5].map(() =>
        paged.signReferrer(name, digest),
      );
      const walk = async (first: string) => {
        const pages: string[][] = [];
        const hrefs: string[] = [];
        let url: string | undefined = first;
        while (url) {
          const res: Response = await fetch(url);
          expect(res.status).toBe(200);
          pages.push((await res.json()).manifests.map((m: any) => m.digest));
          const link = res.headers.get('link');
          const href = link && /^<([^>]+)>; rel="next"$/.exec(link)?.[1];
          if (href) hrefs.push(href);
          url = href ? new URL(href, url).toString() : undefined;
        }
        return { pages, hrefs };
      };
      const first = `${paged.url}/v2/${name}/referrers/${digest}`;
      const relative = await walk(first);
      expect(relative.pages).toEqual([
        referrers.slice(0, 2),
        referrers.slice(2, 4),
        referrers.slice(4),
      ]);
      expect(relative.hrefs).toEqual([
        `/v2/${name}/referrers/${digest}?last=${encodeURIComponent(
          referrers[1],
        )}`,
        `/v2/${name}/referrers/${digest}?last=${encodeURIComponent(
          referrers[3],
        )}`,
      ]);

      const bundleType = 'application/vnd.dev.sigstore.bundle.v0.3+json';
      const filtered = await walk(
        `${first}?artifactType=${encodeURIComponent(bundleType)}`,
      );
      expect(filtered.pages.flat()).toEqual(referrers);
      for (const href of filtered.hrefs)
        expect(new URL(href, paged.url).searchParams.get('artifactType')).toBe(
          bundleType,
        );

      linkTo = next => `${next.base}${next.path}`;
      const absolute = await walk(first);
      expect(absolute.pages.flat()).toEqual(referrers);
      expect(absolute.hrefs.every(h => h.startsWith(`${paged.url}/v2/`))).toBe(
        true,
      );
      expect(links).toHaveLength(6);
      expect(paged.requests.map(r => r.query)).toContainEqual(
        `?last=${encodeURIComponent(referrers[3])}`,
      );
    } finally {
      await paged.stop();
    }
  });

  it('wants a bearer token from /token, which wants the user’s Basic credentials', async () => {
    const images = pushExecutorImages(locked);
    const url = `${locked.url}/v2/${images.name}/manifests/signed`;
    const challenged = await fetch(url, { method: 'HEAD' });
    expect(challenged.status).toBe(401);
    const challenge = challenged.headers.get('www-authenticate')!;
    expect(challenge).toBe(
      `Bearer realm="${locked.url}/token",service="sandbox-registry",scope="repository:${images.name}:pull"`,
    );
    const tokenUrl = `${locked.url}/token?service=sandbox-registry&scope=repository:${images.name}:pull`;
    expect((await fetch(tokenUrl)).status).toBe(401);
    const basic = (p: string) => ({
      Authorization: `Basic ${Buffer.from(`robot:${p}`).toString('base64')}`,
    });
    expect((await fetch(tokenUrl, { headers: basic('wrong') })).status).toBe(
      401,
    );
    const { token } = await (
      await fetch(tokenUrl, { headers: basic('pw') })
    ).json();
    const ok = await fetch(url, {
      method: 'HEAD',
      headers: { Authorization: `Bearer ${token}`, Accept: INDEX },
    });
    expect(ok.status).toBe(200);
    // A token is scoped to its repository.
    const elsewhere = await fetch(
      `${locked.url}/v2/acme/other/manifests/signed`,
      { headers: { Authorization: `Bearer ${token}` } },
    );
    expect(elsewhere.status).toBe(401);
    expect(
      locked.requests.some(r => r.path === '/token' && r.status === 200),
    ).toBe(true);
  });
});
