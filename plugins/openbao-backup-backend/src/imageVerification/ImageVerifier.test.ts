import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  KubeApi,
  RegistryHandle,
  RegistryOptions,
  kubeRequest,
  pushExecutorImages,
  createKeylessSigner,
  startKubeApi,
  startRegistry,
} from '@internal/openbao-backup-sandbox';
import {
  ImageVerificationSpec,
  OpenBaoCluster,
} from '@internal/plugin-openbao-backup-common';
import { ClientNodeKubeGateway } from '../adapters/ClientNodeKubeGateway';
import { ImageVerifier, imageVerifierFromConfig } from './ImageVerifier';
import { MAX_REFERRER_PAGES } from './OciRegistryClient';

const NS = 'vault';
const REPO = 'acme/openbao-backup-executor';

describe('ImageVerifier against the registry double (and Secrets from the Kubernetes double)', () => {
  let kube: KubeApi;
  let gateway: ClientNodeKubeGateway;
  let registry: RegistryHandle;
  let privateRegistry: RegistryHandle;
  let images: ReturnType<typeof pushExecutorImages>;
  let now = 0;
  const verifier = () =>
    ImageVerifier.create({
      now: () => now,
      tagTtlMs: 60_000,
      verifiedTtlMs: 3600_000,
      failureTtlMs: 10_000,
    });

  const cluster = (
    executorImage: string,
    spec: ImageVerificationSpec = {},
    name = 'bao',
  ): OpenBaoCluster => ({
    apiVersion: 'openbao.org/v1alpha1',
    kind: 'OpenBaoCluster',
    metadata: { name, namespace: NS },
    spec: {
      backup: { schedule: '* * * * *', executorImage, target: { bucket: 'b' } },
      imageVerification: {
        enabled: true,
        publicKey: registry.publicKeyPem,
        ...spec,
      },
    },
  });

  const secret = (
    name: string,
    stringData: Record<string, string>,
    type = 'Opaque',
  ) =>
    kubeRequest(kube, 'POST', `/api/v1/namespaces/${NS}/secrets`, {
      metadata: { name },
      type,
      stringData,
    });

  beforeAll(async () => {
    kube = await startKubeApi({ namespaces: [NS], controllers: false });
    gateway = ClientNodeKubeGateway.create({
      name: 'test',
      url: kube.url,
      serviceAccountToken: kube.token,
      skipTLSVerify: true,
      authProvider: 'serviceAccount',
    });
    registry = await startRegistry({ auth: {} });
    images = pushExecutorImages(registry);
    privateRegistry = await startRegistry({
      auth: { users: { robot: 's3cret' } },
    });
    pushExecutorImages(privateRegistry);
    const dockerConfig = (password: string) =>
      JSON.stringify({
        auths: {
          [privateRegistry.host]: {
            auth: Buffer.from(`robot:${password}`).toString('base64'),
          },
        },
      });
    await secret(
      'pull',
      { '.dockerconfigjson': dockerConfig('s3cret') },
      'kubernetes.io/dockerconfigjson',
    );
    await secret(
      'pull-wrong',
      { '.dockerconfigjson': dockerConfig('nope') },
      'kubernetes.io/dockerconfigjson',
    );
    await secret('cosign', { 'cosign.pub': registry.publicKeyPem });
  });

  afterAll(async () => {
    await Promise.all([
      registry?.stop(),
      privateRegistry?.stop(),
      kube?.stop(),
    ]);
  });

  beforeEach(() => {
    now = 1_000_000;
    registry.resetRequests();
  });

  it('pins a signed multi-arch tag to its index digest (anonymous bearer token flow)', async () => {
    const result = await verifier().verify(gateway, cluster(images.signed));
    expect(result).toEqual({
      verified: true,
      digest: images.signedDigest,
      image: `${registry.host}/${REPO}@${images.signedDigest}`,
    });
    const paths = registry.requests.map(
      r => `${r.method} ${r.path.replace(/\?.*/, '')} ${r.status}`,
    );
    expect(paths).toContain(`GET /token 200`);
    expect(paths).toContain(`HEAD /v2/${REPO}/manifests/signed 200`);
    expect(paths).toContain(
      `GET /v2/${REPO}/manifests/${images.signedDigest.replace(
        ':',
        '-',
      )}.sig 200`,
    );
  });

  it('takes a digest reference as it is, and the key from a Secret', async () => {
    const image = `${registry.host}/${REPO}@${images.signedDigest}`;
    const result = await verifier().verify(
      gateway,
      cluster(image, {
        publicKey: undefined,
        publicKeySecretRef: { name: 'cosign' },
      }),
    );
    expect(result).toMatchObject({ verified: true, image });
    expect(
      registry.requests.some(r => r.path.endsWith('/manifests/signed')),
    ).toBe(false);
  });

  it('explains every refusal', async () => {
    const v = verifier();
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    const cases: Array<[OpenBaoCluster, RegExp]> = [
      [
        cluster(images.unsigned),
        /no cosign signature for sha256:[a-f0-9]{64} \(tag sha256-[a-f0-9]{64}\.sig not found, no signature referrers\)/,
      ],
      [
        cluster(images.signed, { publicKey: other }),
        /no signature verifies with the configured public key/,
      ],
      [
        cluster(registry.reference(REPO, 'nope')),
        /tag nope not found in 127\.0\.0\.1:\d+\/acme\/openbao-backup-executor/,
      ],
      [cluster('ghcr.io/Acme/x:1'), /invalid image reference/],
      [
        cluster(images.signed, {
          publicKey: undefined,
          publicKeySecretRef: { name: 'missing' },
        }),
        /public key Secret missing not found/,
      ],
      [
        cluster(images.signed, {
          publicKey: undefined,
          publicKeySecretRef: { name: 'cosign', key: 'other.pub' },
        }),
        /Secret cosign has no key other\.pub/,
      ],
      [
        cluster(images.signed, {
          publicKey: undefined,
          issuer: 'https://accounts.example',
          subject: 'ci@example.com',
        }),
        /keyless verification \(issuer\/subject\) needs a Sigstore trusted root/,
      ],
      [
        cluster(images.signed, { publicKey: undefined }),
        /needs publicKey, publicKeySecretRef, or issuer and subject/,
      ],
    ];
    for (const [c, message] of cases) {
      const result = await v.verify(gateway, c);
      expect(result.verified).toBe(false);
      expect(!result.verified && result.message).toMatch(message);
      expect(
        !result.verified &&
          result.message.startsWith(
            `executor image ${c.spec.backup!.executorImage}: `,
          ),
      ).toBe(true);
    }
  });

  it('refuses a signature whose payload names another digest', async () => {
    const digest = registry.pushImage(REPO, 'copied-signature');
    registry.sign(REPO, digest, { payloadDigest: images.signedDigest });
    const result = await verifier().verify(
      gateway,
      cluster(registry.reference(REPO, 'copied-signature')),
    );
    expect(result).toMatchObject({
      verified: false,
      message: expect.stringContaining(
        `a valid signature names ${images.signedDigest}, not ${digest}`,
      ),
    });
  });

  describe('Docker-Content-Digest of manifests', () => {
    /** A registry double whose manifest responses carry `header`, with the executor images. */
    const withRegistry = async (
      header: RegistryOptions['manifestDigestHeader'],
      test: (
        r: RegistryHandle,
        pushed: ReturnType<typeof pushExecutorImages>,
      ) => Promise<void>,
    ) => {
      const r = await startRegistry({ manifestDigestHeader: header });
      try {
        await test(r, pushExecutorImages(r));
      } finally {
        await r.stop();
      }
    };

    it('without the header, pins the digest of the manifest bytes (GET after HEAD)', () =>
      withRegistry(
        () => undefined,
        async (r, pushed) => {
          const result = await verifier().verify(
            gateway,
            cluster(pushed.signed, { publicKey: r.publicKeyPem }),
          );
          expect(result).toEqual({
            verified: true,
            digest: pushed.signedDigest,
            image: `${r.host}/${REPO}@${pushed.signedDigest}`,
          });
          // The HEAD gave no digest: the tag's manifest was fetched and hashed.
          expect(r.requests.map(q => `${q.method} ${q.path}`)).toEqual(
            expect.arrayContaining([
              `HEAD /v2/${REPO}/manifests/signed`,
              `GET /v2/${REPO}/manifests/signed`,
            ]),
          );
        },
      ));

    it('refuses a manifest whose claimed digest is not that of its bytes', () => {
      const lie = `sha256:${'0'.repeat(64)}`;
      // HEAD tells nothing, GET claims another digest: the client must hash what it got.
      return withRegistry(
        ({ method }) => (method === 'GET' ? lie : undefined),
        async (r, pushed) => {
          const result = await verifier().verify(
            gateway,
            cluster(pushed.signed, { publicKey: r.publicKeyPem }),
          );
          expect(result).toEqual({
            verified: false,
            message: `executor image ${pushed.signed}: manifest signed of ${REPO}: bytes hash to ${pushed.signedDigest}, not ${lie}`,
          });
        },
      );
    });
  });

  it('asks the registry once for 1000 clusters of one image, concurrently or one after another', async () => {
    const v = verifier();
    const clusters = Array.from({ length: 1000 }, (_, i) =>
      cluster(images.signed, {}, `bao-${i}`),
    );
    const together = await Promise.all(clusters.map(c => v.verify(gateway, c)));
    for (const c of clusters)
      expect(await v.verify(gateway, c)).toMatchObject({ verified: true });
    expect(together.every(r => r.verified)).toBe(true);
    // HEAD tag + GET .sig manifest + GET payload blob, each with one 401 before the token.
    expect(registry.apiRequests()).toBeLessThanOrEqual(6);
    const failing = Array.from({ length: 1000 }, (_, i) =>
      cluster(images.unsigned, {}, `bad-${i}`),
    );
    registry.resetRequests();
    for (const c of failing)
      expect((await v.verify(gateway, c)).verified).toBe(false);
    // HEAD tag + GET .sig (404) + GET referrers (empty).
    expect(registry.apiRequests()).toBeLessThanOrEqual(3);
  });

  describe('cosign 3 signatures published as OCI referrers', () => {
    const referred = (tag: string, registryHandle = registry) => {
      const digest = registryHandle.pushImage(REPO, tag);
      return { digest, image: registryHandle.reference(REPO, tag) };
    };

    it('pins an image signed only by a Sigstore bundle referrer', async () => {
      const { digest, image } = referred('bundle-signed');
      registry.signReferrer(REPO, digest);
      expect(await verifier().verify(gateway, cluster(image, {}, 'b'))).toEqual(
        {
          verified: true,
          image: `${registry.host}/${REPO}@${digest}`,
          digest,
        },
      );
      expect(
        registry.requests.map(r => `${r.path} ${r.status}`),
      ).toContainEqual(`/v2/${REPO}/referrers/${digest} 200`);
    });

    it('falls back to the referrers tag schema where the referrers API answers 404', async () => {
      const old = await startRegistry({ referrers: false });
      try {
        const { digest, image } = referred('bundle-signed', old);
        old.signReferrer(REPO, digest);
        const result = await verifier().verify(
          gateway,
          cluster(image, { publicKey: old.publicKeyPem }),
        );
        expect(result).toMatchObject({ verified: true, digest });
        expect(old.requests.map(r => `${r.path} ${r.status}`)).toEqual(
          expect.arrayContaining([
            `/v2/${REPO}/referrers/${digest} 404`,
            `/v2/${REPO}/manifests/${digest.replace(':', '-')} 200`,
          ]),
        );
      } finally {
        await old.stop();
      }
    });

    it('takes anything but an index at the referrers tag schema as no referrers (API 404)', async () => {
      const old = await startRegistry({ referrers: false });
      try {
        const { digest, image } = referred('tag-schema-not-index', old);
        // A cosign signature manifest (an image manifest, no `manifests`) at `sha256-<hex>`.
        const other = old.pushImage(REPO, 'other');
        old.moveTag(REPO, digest.replace(':', '-'), old.sign(REPO, other));
        expect(
          await verifier().verify(
            gateway,
            cluster(image, { publicKey: old.publicKeyPem }),
          ),
        ).toEqual({
          verified: false,
          message: `executor image ${image}: no cosign signature for ${digest} (tag ${digest.replace(
            ':',
            '-',
          )}.sig not found, no signature referrers)`,
        });
        expect(old.requests.map(r => `${r.path} ${r.status}`)).toContain(
          `/v2/${REPO}/manifests/${digest.replace(':', '-')} 200`,
        );
      } finally {
        await old.stop();
      }
    });

    it.each([
      [
        'a bundle whose statement names another digest',
        () => ({ statementDigest: images.signedDigest }),
        (digest: string) =>
          `signature referrers: a valid signature names ${images.signedDigest}, not ${digest}`,
      ],
      [
        'a bundle signed with another key',
        () => ({
          key: generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
            .privateKey,
        }),
        () =>
          'signature referrers: no signature verifies with the configured public key',
      ],
    ])('refuses %s', async (what, opts, message) => {
      const { digest, image } = referred(what.replace(/ /g, '-'));
      registry.signReferrer(REPO, digest, opts());
      const result = await verifier().verify(gateway, cluster(image));
      expect(result).toMatchObject({
        verified: false,
        message: expect.stringContaining(message(digest)),
      });
    });

    describe('a referrers list in pages (Link rel="next")', () => {
      let paged: RegistryHandle;
      let linkTo: (next: { path: string; base: string }) => string;
      const otherKey = generateKeyPairSync('ec', {
        namedCurve: 'prime256v1',
      }).privateKey;
      beforeAll(async () => {
        paged = await startRegistry({
          auth: {},
          referrersPagination: { pageSize: 1, link: next => linkTo(next) },
        });
      });
      afterAll(() => paged?.stop());
      beforeEach(() => {
        linkTo = next => next.path;
        paged.resetRequests();
      });

      /** An image whose referrers are `bad` bundles by another key, then the valid one. */
      const pagedImage = (tag: string, bad: number) => {
        const { digest, image } = referred(tag, paged);
        for (let i = 0; i < bad; i++)
          paged.signReferrer(REPO, digest, { key: otherKey });
        paged.signReferrer(REPO, digest);
        return { digest, image };
      };
      const verifyPaged = (image: string) =>
        verifier().verify(
          gateway,
          cluster(image, { publicKey: paged.publicKeyPem }),
        );
      const referrerCalls = (digest: string) =>
        paged.requests
          .filter(r => r.path === `/v2/${REPO}/referrers/${digest}`)
          .map(r => `${r.query} ${r.status}`);

      it.each([
        ['relative', (next: { path: string }) => next.path],
        [
          'absolute',
          (next: { path: string; base: string }) => `${next.base}${next.path}`,
        ],
      ])(
        'verifies a signature found only on page 2 (%s Link), with the same token',
        async (_, link) => {
          linkTo = link;
          const { digest, image } = pagedImage(`page-2-${_}`, 1);
          expect(await verifyPaged(image)).toEqual({
            verified: true,
            image: `${paged.host}/${REPO}@${digest}`,
            digest,
          });
          const calls = referrerCalls(digest);
          expect(calls).toHaveLength(2);
          expect(calls[0]).toBe(' 200');
          // Page 2 went out with the bearer token page 1 got: no second challenge.
          expect(calls[1]).toMatch(/^\?last=sha256%3A[a-f0-9]{64} 200$/);
        },
      );

      it('refuses to follow a Link to another host, and says so', async () => {
        linkTo = next => `http://registry.attacker.example${next.path}`;
        const { digest, image } = pagedImage('foreign-link', 1);
        expect(await verifyPaged(image)).toEqual({
          verified: false,
          message: `executor image ${image}: signature referrers: referrers of ${digest} in ${REPO}: the registry's next-page Link points to http://registry.attacker.example, not ${paged.url}; refusing to follow a Link to another host`,
        });
        expect(referrerCalls(digest)).toEqual([' 200']);
      });

      it(`stops after ${MAX_REFERRER_PAGES} pages and names the limit`, async () => {
        const { digest, image } = pagedImage('many-pages', MAX_REFERRER_PAGES);
        expect(await verifyPaged(image)).toEqual({
          verified: false,
          message: `executor image ${image}: signature referrers: referrers of ${digest} in ${REPO}: the registry still links a next page after ${MAX_REFERRER_PAGES} pages (the limit); refusing to read further`,
        });
        expect(referrerCalls(digest)).toHaveLength(MAX_REFERRER_PAGES);
      });
    });

    it('still accepts the .sig tag when a referrer does not verify, and says why both fail', async () => {
      const { digest, image } = referred('both');
      registry.signReferrer(REPO, digest, {
        statementDigest: images.signedDigest,
      });
      expect(await verifier().verify(gateway, cluster(image))).toMatchObject({
        verified: false,
        message: expect.stringContaining('signature referrers: '),
      });
      registry.sign(REPO, digest);
      expect(await verifier().verify(gateway, cluster(image))).toMatchObject({
        verified: true,
        digest,
      });
    });
  });

  it('verifies again when the tag moved: unsigned new digest refused, signed new digest pinned', async () => {
    const v = verifier();
    const tag = registry.reference(REPO, 'moving');
    const first = registry.pushImage(REPO, 'moving');
    registry.sign(REPO, first);
    expect(await v.verify(gateway, cluster(tag))).toMatchObject({
      verified: true,
      digest: first,
    });
    const second = registry.pushImage(REPO, 'moving');
    // Within the tag TTL the verified digest is still what runs (never the unverified new one).
    now += 59_000;
    expect(await v.verify(gateway, cluster(tag))).toMatchObject({
      verified: true,
      digest: first,
    });
    now += 2_000;
    expect(await v.verify(gateway, cluster(tag))).toMatchObject({
      verified: false,
      message: expect.stringContaining(`no cosign signature for ${second}`),
    });
    registry.sign(REPO, second);
    now += 11_000;
    expect(await v.verify(gateway, cluster(tag))).toMatchObject({
      verified: true,
      digest: second,
    });
  });

  it('reports an unreachable registry', async () => {
    const down = await startRegistry();
    const image = down.reference(REPO, 'signed');
    await down.stop();
    expect(await verifier().verify(gateway, cluster(image))).toMatchObject({
      verified: false,
      message: expect.stringMatching(
        /registry 127\.0\.0\.1:\d+ unreachable \(ECONNREFUSED\)/,
      ),
    });
  });

  it('reuses a failure for failureTtlMs only, then asks the registry again', async () => {
    const v = verifier();
    await v.verify(gateway, cluster(images.unsigned));
    const asked = registry.apiRequests();
    expect(asked).toBeGreaterThan(0);
    now += 9_999;
    await v.verify(gateway, cluster(images.unsigned));
    expect(registry.apiRequests()).toBe(asked);
    now += 2;
    await v.verify(gateway, cluster(images.unsigned));
    expect(registry.apiRequests()).toBeGreaterThan(asked);
  });

  it('uses pull secret credentials for a private registry’s token endpoint', async () => {
    const image = privateRegistry.reference(REPO, 'signed');
    const key = { publicKey: privateRegistry.publicKeyPem };
    const v = verifier();
    expect(await v.verify(gateway, cluster(image, key))).toMatchObject({
      verified: false,
      message: expect.stringContaining(
        'the token endpoint refused an anonymous token: set imageVerification.imagePullSecrets (HTTP 401)',
      ),
    });
    expect(
      await v.verify(
        gateway,
        cluster(image, { ...key, imagePullSecrets: [{ name: 'pull-wrong' }] }),
      ),
    ).toMatchObject({
      verified: false,
      message: expect.stringContaining(
        "the token endpoint refused the pull secret's credentials (HTTP 401)",
      ),
    });
    expect(
      await v.verify(
        gateway,
        cluster(image, {
          ...key,
          imagePullSecrets: [{ name: 'absent' }, { name: 'pull' }],
        }),
      ),
    ).toMatchObject({
      verified: true,
    });
  });
});

describe('keyless verification with a private Sigstore (CA and Rekor key made offline)', () => {
  const issuer = 'https://token.actions.example';
  const subject = 'release@example.com';
  let registry: RegistryHandle;
  let signer: Awaited<ReturnType<typeof createKeylessSigner>>;
  let other: Awaited<ReturnType<typeof createKeylessSigner>>;
  const name = 'acme/keyless';
  const noSecrets = { readSecretData: async () => undefined } as any;
  const cluster = (
    tag: string,
    spec: ImageVerificationSpec = { issuer, subject },
  ): OpenBaoCluster => ({
    apiVersion: 'openbao.org/v1alpha1',
    kind: 'OpenBaoCluster',
    metadata: { name: 'bao', namespace: NS },
    spec: {
      backup: {
        schedule: '* * * * *',
        executorImage: registry.reference(name, tag),
        target: { bucket: 'b' },
      },
      imageVerification: { enabled: true, ...spec },
    },
  });
  const verifier = (trustedRoot: unknown, ctlogThreshold = 0) =>
    ImageVerifier.create({ keyless: { trustedRoot, ctlogThreshold } });

  beforeAll(async () => {
    [registry, signer, other] = await Promise.all([
      startRegistry(),
      createKeylessSigner({ issuer, subject }),
      createKeylessSigner({ issuer, subject: 'intruder@example.com' }),
    ]);
    for (const [tag, opts] of [
      ['keyless', { keyless: signer }],
      ['intruder', { keyless: other }],
      ['keyed', {}],
    ] as const) {
      registry.sign(name, registry.pushImage(name, tag), opts);
    }
    registry.signReferrer(name, registry.pushImage(name, 'keyed-bundle'));
    registry.signReferrer(name, registry.pushImage(name, 'keyless-bundle'), {
      keyless: signer,
    });
    registry.signReferrer(name, registry.pushImage(name, 'intruder-bundle'), {
      keyless: other,
    });
    registry.signReferrer(name, registry.pushImage(name, 'copied-bundle'), {
      keyless: signer,
      statementDigest: `sha256:${'0'.repeat(64)}`,
    });
    const copied = registry.pushImage(name, 'copied');
    registry.sign(name, copied, {
      keyless: signer,
      payloadDigest: `sha256:${'0'.repeat(64)}`,
    });
  }, 30_000);
  afterAll(() => registry?.stop());

  it.each(['keyless', 'keyless-bundle'])(
    'accepts a certificate of the trusted CA for the required issuer and subject, logged in the trusted Rekor (%s)',
    async tag => {
      const result = await verifier(signer.trustedRoot).verify(
        noSecrets,
        cluster(tag),
      );
      expect(result).toMatchObject({ verified: true });
    },
  );

  it.each([
    [
      'another subject',
      'keyless',
      { issuer, subject: 'someone@example.com' },
      /certificate identity is not someone@example\.com from https:\/\/token\.actions\.example/,
    ],
    [
      'another issuer',
      'keyless',
      { issuer: 'https://accounts.example', subject },
      /certificate identity is not release@example\.com from https:\/\/accounts\.example/,
    ],
    [
      'a certificate from an untrusted CA',
      'intruder',
      { issuer, subject: 'intruder@example.com' },
      /keyless signature does not verify: .*certificate/i,
    ],
    [
      'a signature made with a key, not a certificate',
      'keyed',
      { issuer, subject },
      /not a keyless signature/,
    ],
    [
      'a cosign 3 bundle made with a key (no certificate, no log entry)',
      'keyed-bundle',
      { issuer, subject },
      /signature referrers: keyless signature does not verify: expected 1 timestamps, got 0/,
    ],
    [
      'a cosign 3 bundle of another subject',
      'intruder-bundle',
      { issuer, subject },
      /signature referrers: keyless signature does not verify: .*certificate/i,
    ],
    [
      'a cosign 3 bundle over another digest',
      'copied-bundle',
      { issuer, subject },
      /signature referrers: a valid signature names sha256:0{64}, not sha256:/,
    ],
    [
      'a valid signature over another digest',
      'copied',
      { issuer, subject },
      /a valid signature names sha256:0{64}, not sha256:/,
    ],
  ])('refuses %s', async (_, tag, spec, message) => {
    const result = await verifier(signer.trustedRoot).verify(
      noSecrets,
      cluster(tag, spec),
    );
    expect(result).toMatchObject({
      verified: false,
      message: expect.stringMatching(message),
    });
  });

  it('reads the trusted root from the configured file, and names a bad file at start', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'trusted-root-'));
    const file = join(dir, 'trusted_root.json');
    await writeFile(file, JSON.stringify(signer.trustedRoot));
    const settings = { ctlogThreshold: 0, tagTtlMs: 1000, verifiedTtlMs: 1000 };
    const fromFile = imageVerifierFromConfig({
      ...settings,
      trustedRootFile: file,
    });
    expect(await fromFile.verify(noSecrets, cluster('keyless'))).toMatchObject({
      verified: true,
    });
    await writeFile(file, '{');
    expect(() =>
      imageVerifierFromConfig({ ...settings, trustedRootFile: file }),
    ).toThrow(`openbaoBackup.imageVerification.trustedRootFile ${file}: `);
    await rm(dir, { recursive: true });
    expect(() =>
      imageVerifierFromConfig({ ...settings, trustedRootFile: file }),
    ).toThrow(/ENOENT/);
  });

  it.each(['keyless', 'keyless-bundle'])(
    'refuses an entry the trusted Rekor did not sign (%s)',
    async tag => {
      const foreignLog = {
        ...signer.trustedRoot,
        tlogs: other.trustedRoot.tlogs,
      };
      const result = await verifier(foreignLog).verify(noSecrets, cluster(tag));
      expect(result).toMatchObject({
        verified: false,
        message: expect.stringMatching(
          /keyless signature does not verify: .*(tlog|inclusion)/i,
        ),
      });
    },
  );

  it('wants an SCT by default, as the public Sigstore does (the private CA embeds none)', async () => {
    const result = await verifier(signer.trustedRoot, 1).verify(
      noSecrets,
      cluster('keyless'),
    );
    expect(result).toMatchObject({
      verified: false,
      message: expect.stringContaining('expected 1 SCTs, got 0'),
    });
  });
});
