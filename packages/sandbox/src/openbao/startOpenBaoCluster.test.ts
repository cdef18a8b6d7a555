import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { startOpenBaoCluster } from './startOpenBaoCluster';
import type { OpenBaoClusterHandle } from './types';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  error?: Error;
}

function request(
  url: string,
  opts: {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    ca?: string;
    timeoutMs?: number;
  } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const mod = url.startsWith('https:') ? https : http;
    const req = mod.request(
      url,
      { method: opts.method ?? 'GET', headers: opts.headers, ca: opts.ca },
      res => {
        const chunks: Buffer[] = [];
        const done = (error?: Error) =>
          resolve({
            status: res.statusCode!,
            headers: res.headers,
            body: Buffer.concat(chunks),
            error,
          });
        res.on('data', c => chunks.push(c));
        res.on('end', () => done());
        res.on('error', e => done(e));
        res.on('aborted', () => done(new Error('aborted')));
        if (opts.timeoutMs) {
          setTimeout(() => {
            done(new Error('timeout'));
            req.destroy();
          }, opts.timeoutMs);
        }
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Reads a snapshot with a plain tar parser: name → bytes. */
async function untar(gz: Buffer): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (header, stream, next) => {
      const parts: Buffer[] = [];
      stream.on('data', (c: unknown) => parts.push(c as Buffer));
      stream.on('end', () => {
        files.set(header.name, Buffer.concat(parts));
        next();
      });
    });
    ex.on('finish', () => resolve());
    ex.on('error', reject);
  });
  ex.end(gunzipSync(gz));
  await done;
  return files;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function parseSums(text: string) {
  return new Map(
    text
      .trim()
      .split('\n')
      .map(l => {
        const [hash, name] = l.split(/\s+\*?/);
        return [name, hash] as [string, string];
      }),
  );
}

describe('startOpenBaoCluster', () => {
  let cluster: OpenBaoClusterHandle;
  const snapshotUrl = (pod: number) =>
    `${cluster.addresses[pod]}/v1/sys/storage/raft/snapshot`;

  beforeEach(async () => {
    cluster = await startOpenBaoCluster({
      snapshot: { stateSize: 3 * 1024 * 1024 + 123, index: 777, term: 9 },
      jwtRoles: [
        {
          name: 'backup',
          audience: 'openbao-internal',
          boundServiceAccounts: ['ns1/c1-backup'],
        },
      ],
      tokens: { 'root-token': ['root'], 'weak-token': ['default'] },
    });
  });
  afterEach(() => cluster.stop());

  it('reports one active pod (not the first) and standbys', async () => {
    expect(cluster.addresses).toHaveLength(3);
    expect(cluster.leaderIndex).toBe(1);
    const codes = await Promise.all(
      cluster.addresses.map(a =>
        request(`${a}/v1/sys/health`).then(r => r.status),
      ),
    );
    expect(codes).toEqual([429, 200, 429]);
    const leader = JSON.parse(
      (await request(`${cluster.addresses[0]}/v1/sys/leader`)).body.toString(),
    );
    expect(leader).toMatchObject({
      is_self: false,
      leader_address: cluster.addresses[1],
    });
    cluster.setSealed(2, true);
    expect(
      (await request(`${cluster.addresses[2]}/v1/sys/health`)).status,
    ).toBe(503);
  });

  it('logs in with an issued JWT and rejects wrong role, audience, account and forged tokens', async () => {
    const login = (role: string, jwt: string) =>
      request(`${cluster.addresses[0]}/v1/auth/jwt/login`, {
        method: 'POST',
        body: JSON.stringify({ role, jwt }),
      });
    const good = cluster.issueJwt({
      namespace: 'ns1',
      serviceAccount: 'c1-backup',
    });
    const ok = await login('backup', good);
    expect(ok.status).toBe(200);
    const token = JSON.parse(ok.body.toString()).auth.client_token;
    expect(token).toMatch(/^s\./);

    expect((await login('nope', good)).status).toBe(400);
    expect(
      (
        await login(
          'backup',
          cluster.issueJwt({
            namespace: 'ns1',
            serviceAccount: 'c1-backup',
            audience: 'other',
          }),
        )
      ).status,
    ).toBe(400);
    expect(
      (
        await login(
          'backup',
          cluster.issueJwt({ namespace: 'ns1', serviceAccount: 'someone' }),
        )
      ).status,
    ).toBe(400);
    const forged = `${good.split('.').slice(0, 2).join('.')}.${Buffer.from(
      'x'.repeat(32),
    ).toString('base64url')}`;
    expect((await login('backup', forged)).status).toBe(400);

    // the JWT-issued token carries the snapshot policy
    const snap = await request(snapshotUrl(1), {
      headers: { 'X-Vault-Token': token },
    });
    expect(snap.status).toBe(200);
  });

  it('answers 403 to a token without read on the snapshot path', async () => {
    expect(
      (
        await request(snapshotUrl(1), {
          headers: { 'X-Vault-Token': 'weak-token' },
        })
      ).status,
    ).toBe(403);
    expect((await request(snapshotUrl(1))).status).toBe(403);
    expect(
      (
        await request(snapshotUrl(1), {
          headers: { 'X-Vault-Token': 'unknown' },
        })
      ).status,
    ).toBe(403);
  });

  it('streams a chunked gzip tar that validates with tar-stream and its SHA256SUMS', async () => {
    const res = await request(snapshotUrl(1), {
      headers: { 'X-Vault-Token': 'root-token' },
    });
    expect(res.status).toBe(200);
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.headers['content-length']).toBeUndefined();
    const files = await untar(res.body);
    expect([...files.keys()]).toEqual([
      'meta.json',
      'state.bin',
      'SHA256SUMS',
      'SHA256SUMS.sealed',
    ]);
    const meta = JSON.parse(files.get('meta.json')!.toString());
    expect(meta).toMatchObject({
      Index: 777,
      Term: 9,
      Size: 3 * 1024 * 1024 + 123,
    });
    expect(files.get('state.bin')!.length).toBe(3 * 1024 * 1024 + 123);
    const sums = parseSums(files.get('SHA256SUMS')!.toString());
    expect(sums.get('meta.json')).toBe(sha256(files.get('meta.json')!));
    expect(sums.get('state.bin')).toBe(sha256(files.get('state.bin')!));
    expect(cluster.snapshots[0]).toMatchObject({
      pod: 1,
      completed: true,
      stateSha256: sums.get('state.bin'),
    });

    // deterministic: a second snapshot has the same bytes
    const again = await request(snapshotUrl(1), {
      headers: { 'X-Vault-Token': 'root-token' },
    });
    expect(sha256(again.body)).toBe(sha256(res.body));
  });

  it('redirects standbys to the leader with 307', async () => {
    const res = await request(snapshotUrl(0), {
      headers: { 'X-Vault-Token': 'root-token' },
    });
    expect(res.status).toBe(307);
    expect(res.headers.location).toBe(snapshotUrl(1));
    cluster.setLeader(2);
    expect((await request(snapshotUrl(1))).headers.location).toBe(
      snapshotUrl(2),
    );
  });

  describe('faults', () => {
    const get = (timeoutMs?: number) =>
      request(snapshotUrl(1), {
        headers: { 'X-Vault-Token': 'root-token' },
        timeoutMs,
      });

    it('truncates by resetting the connection', async () => {
      cluster.setFaults({ truncateAfterBytes: 1000 });
      const res = await get();
      expect(res.error).toBeDefined();
      expect(res.body.length).toBe(1000);
    });

    it('truncates with a clean end of the chunked body', async () => {
      cluster.setFaults({ truncateAfterBytes: 5000, truncateMode: 'end' });
      const res = await get();
      expect(res.error).toBeUndefined();
      expect(res.body.length).toBe(5000);
      expect(() => gunzipSync(res.body)).toThrow();
    });

    it('stalls after N bytes with the connection open', async () => {
      cluster.setFaults({ stallAfterBytes: 2000 });
      const res = await get(500);
      expect(res.error?.message).toBe('timeout');
      expect(res.body.length).toBe(2000);
    });

    it('writes a wrong checksum', async () => {
      cluster.setFaults({ wrongChecksum: true });
      const files = await untar((await get()).body);
      const sums = parseSums(files.get('SHA256SUMS')!.toString());
      expect(sums.get('state.bin')).not.toBe(sha256(files.get('state.bin')!));
      expect(sums.get('meta.json')).toBe(sha256(files.get('meta.json')!));
    });

    it('omits SHA256SUMS and appends trailing garbage', async () => {
      cluster.setFaults({ omitChecksums: true, trailingGarbage: true });
      const body = (await get()).body;
      expect(body.subarray(-17).toString()).toBe('trailing garbage\n');
      cluster.setFaults({ omitChecksums: true });
      const files = await untar((await get()).body);
      expect([...files.keys()]).toEqual(['meta.json', 'state.bin']);
    });

    it('moves leadership mid-stream and cuts the stream', async () => {
      cluster.setFaults({ leaderChangeAfterBytes: 10_000 });
      const res = await get();
      expect(res.error).toBeDefined();
      expect(res.body.length).toBe(10_000);
      expect(cluster.leaderIndex).toBe(2);
      expect(
        (await request(`${cluster.addresses[2]}/v1/sys/health`)).status,
      ).toBe(200);
    });

    it('rate-limits the body', async () => {
      cluster.setFaults({ rateLimitBytesPerSecond: 4 * 1024 * 1024 });
      const start = Date.now();
      const res = await get();
      const seconds = (Date.now() - start) / 1000;
      // ~1.6 MiB of gzip at 4 MiB/s
      expect(seconds).toBeGreaterThan(
        (res.body.length / (4 * 1024 * 1024)) * 0.8,
      );
    });

    it('has no leader: 429 everywhere, 503 on snapshot and login', async () => {
      cluster.setFaults({ noLeader: true });
      const codes = await Promise.all(
        cluster.addresses.map(a =>
          request(`${a}/v1/sys/health`).then(r => r.status),
        ),
      );
      expect(codes).toEqual([429, 429, 429]);
      expect(cluster.leaderIndex).toBe(-1);
      expect((await get()).status).toBe(503);
      const leader = JSON.parse(
        (
          await request(`${cluster.addresses[0]}/v1/sys/leader`)
        ).body.toString(),
      );
      expect(leader.leader_address).toBe('');
    });

    it('redirects to a foreign host', async () => {
      cluster.setFaults({ redirectTo: 'http://evil.example:8200' });
      const res = await get();
      expect(res.status).toBe(307);
      expect(res.headers.location).toBe(
        'http://evil.example:8200/v1/sys/storage/raft/snapshot',
      );
    });
  });
});

describe('startOpenBaoCluster with an external JWT verifier', () => {
  it('accepts tokens the verifier vouches for and still checks audience and binding', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
    });
    const mint = (claims: object) => {
      const h = Buffer.from(JSON.stringify({ alg: 'RS256' })).toString(
        'base64url',
      );
      const p = Buffer.from(JSON.stringify(claims)).toString('base64url');
      return `${h}.${p}.${sign(
        'sha256',
        Buffer.from(`${h}.${p}`),
        privateKey,
      ).toString('base64url')}`;
    };
    const cluster = await startOpenBaoCluster({
      jwtRoles: [{ name: 'backup', boundServiceAccounts: ['team/c1-backup'] }],
      verifyJwt: token => {
        const [h, p, sig] = token.split('.');
        if (
          !verify(
            'sha256',
            Buffer.from(`${h}.${p}`),
            publicKey,
            Buffer.from(sig, 'base64url'),
          )
        ) {
          throw new Error('token signature is invalid');
        }
        return JSON.parse(Buffer.from(p, 'base64url').toString());
      },
    });
    const claims = (sa: string, aud: string) => ({
      aud: [aud],
      'kubernetes.io': { namespace: 'team', serviceaccount: { name: sa } },
    });
    const login = (jwt: string) =>
      request(`${cluster.addresses[1]}/v1/auth/jwt/login`, {
        method: 'POST',
        body: JSON.stringify({ role: 'backup', jwt }),
      });
    try {
      expect(
        (await login(mint(claims('c1-backup', 'openbao-internal')))).status,
      ).toBe(200);
      expect((await login(mint(claims('c1-backup', 'other')))).status).toBe(
        400,
      );
      expect(
        (await login(mint(claims('intruder', 'openbao-internal')))).status,
      ).toBe(400);
      const forged = `${mint(claims('c1-backup', 'openbao-internal')).slice(
        0,
        -4,
      )}AAAA`;
      const res = await login(forged);
      expect(res.status).toBe(400);
      expect(res.body.toString()).toContain('token signature is invalid');
    } finally {
      await cluster.stop();
    }
  });
});

describe('startOpenBaoCluster with TLS', () => {
  it('serves HTTPS with a generated CA', async () => {
    const cluster = await startOpenBaoCluster({
      tls: true,
      pods: 2,
      leaderIndex: 0,
      snapshot: { stateSize: 1000 },
    });
    try {
      expect(cluster.addresses[0]).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(cluster.caCertPem).toContain('BEGIN CERTIFICATE');
      const res = await request(`${cluster.addresses[0]}/v1/sys/health`, {
        ca: cluster.caCertPem,
      });
      expect(res.status).toBe(200);
      await expect(
        request(`${cluster.addresses[0]}/v1/sys/health`),
      ).rejects.toThrow();
    } finally {
      await cluster.stop();
    }
  });
});
