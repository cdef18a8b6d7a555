import {
  createHmac,
  randomBytes,
  randomUUID,
  timingSafeEqual,
} from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { Readable, pipeline } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { createGzip } from 'node:zlib';
import { SnapshotDigest, snapshotTar } from './snapshot';
import { generateSelfSignedTls } from './tls';
import type {
  IssueJwtOptions,
  OpenBaoClusterHandle,
  OpenBaoClusterOptions,
  OpenBaoFaults,
  OpenBaoJwtRole,
  OpenBaoSnapshotRecord,
} from './types';

const SNAPSHOT_PATH = 'sys/storage/raft/snapshot';
const BUILTIN_POLICIES: Record<string, Record<string, string[]>> = {
  snapshot: { [SNAPSHOT_PATH]: ['read'] },
  default: {},
};

function base64url(data: Buffer | string) {
  return Buffer.from(data).toString('base64url');
}

function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: http.OutgoingHttpHeaders = {},
) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function sendErrors(
  res: http.ServerResponse,
  status: number,
  ...errors: string[]
) {
  sendJson(res, status, { errors });
}

async function readBody(
  req: http.IncomingMessage,
  limit = 1024 * 1024,
): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw new Error('body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Starts an OpenBao double: `pods` servers on loopback, one active, speaking the
 * subset of the OpenBao HTTP API the backup executor uses (see docs/sandbox.md).
 */
export async function startOpenBaoCluster(
  options: OpenBaoClusterOptions = {},
): Promise<OpenBaoClusterHandle> {
  const podCount = options.pods ?? 3;
  const host = options.host ?? '127.0.0.1';
  let leader = options.leaderIndex ?? Math.min(1, podCount - 1);
  const sealed = new Set<number>();
  let faults: OpenBaoFaults = { ...options.faults };
  const jwtKey = randomBytes(32);
  const clusterId = randomUUID();
  const tokens = new Map<string, string[]>(
    Object.entries(options.tokens ?? {}),
  );
  const policies = { ...BUILTIN_POLICIES, ...options.policies };
  const roles = new Map<string, OpenBaoJwtRole>();
  const snapshots: OpenBaoSnapshotRecord[] = [];
  const snap = options.snapshot ?? {};
  const tls = options.tls
    ? generateSelfSignedTls(['localhost'], [host])
    : undefined;
  const scheme = tls ? 'https' : 'http';
  const addresses: string[] = [];
  const servers: http.Server[] = [];

  const addJwtRole = (role: OpenBaoJwtRole) =>
    roles.set(`${role.mount ?? 'jwt'}/${role.name}`, role);
  (options.jwtRoles ?? []).forEach(addJwtRole);

  const canRead = (token: string | undefined, path: string) => {
    const names = token ? tokens.get(token) : undefined;
    if (!names) return false;
    return names.some(
      n =>
        n === 'root' ||
        (policies[n]?.[path] ?? []).some(c => c === 'read' || c === 'sudo'),
    );
  };

  const healthBody = (pod: number) => ({
    initialized: true,
    sealed: sealed.has(pod),
    standby: pod !== leader,
    performance_standby: false,
    replication_performance_mode: 'disabled',
    replication_dr_mode: 'disabled',
    server_time_utc: Math.floor(Date.now() / 1000),
    version: '2.4.0',
    cluster_name: 'openbao-double',
    cluster_id: clusterId,
  });

  const issueJwt = ({
    namespace,
    serviceAccount,
    audience = 'openbao-internal',
    ttlSeconds = 3600,
  }: IssueJwtOptions) => {
    const now = Math.floor(Date.now() / 1000);
    const header = base64url(
      JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: 'openbao-double' }),
    );
    const payload = base64url(
      JSON.stringify({
        iss: 'https://kubernetes.default.svc.cluster.local',
        sub: `system:serviceaccount:${namespace}:${serviceAccount}`,
        aud: [audience],
        iat: now,
        nbf: now,
        exp: now + ttlSeconds,
        'kubernetes.io': {
          namespace,
          serviceaccount: { name: serviceAccount, uid: randomUUID() },
        },
      }),
    );
    const sig = createHmac('sha256', jwtKey)
      .update(`${header}.${payload}`)
      .digest('base64url');
    return `${header}.${payload}.${sig}`;
  };

  /** Returns the claims of a JWT this double signed, or an error message. */
  const verifyJwt = (jwt: unknown): { claims?: any; error?: string } => {
    if (typeof jwt !== 'string') return { error: 'missing jwt' };
    const [h, p, s] = jwt.split('.');
    if (!h || !p || !s) return { error: 'error validating token: malformed' };
    const expected = createHmac('sha256', jwtKey).update(`${h}.${p}`).digest();
    const given = Buffer.from(s, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      if (!options.verifyJwt) {
        return { error: 'error validating token: invalid signature' };
      }
      try {
        return { claims: options.verifyJwt(jwt) };
      } catch (e) {
        return { error: `error validating token: ${(e as Error).message}` };
      }
    }
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    if (claims.exp < Date.now() / 1000)
      return { error: 'error validating token: token is expired' };
    return { claims };
  };

  const login = async (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    mount: string,
  ) => {
    let body: any;
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      return sendErrors(res, 400, 'failed to parse JSON input');
    }
    const role = roles.get(`${mount}/${body?.role}`);
    if (!role)
      return sendErrors(res, 400, `role "${body?.role}" could not be found`);
    const { claims, error } = verifyJwt(body.jwt);
    if (!claims) return sendErrors(res, 400, error!);
    const aud: string[] = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.includes(role.audience ?? 'openbao-internal')) {
      return sendErrors(
        res,
        400,
        'error validating claims: invalid audience (aud) claim: audience provided does not match any of the bound audiences',
      );
    }
    const bound = role.boundServiceAccounts ?? ['*'];
    const ns = claims['kubernetes.io']?.namespace;
    const sa = claims['kubernetes.io']?.serviceaccount?.name;
    if (!bound.includes('*') && !bound.includes(`${ns}/${sa}`)) {
      return sendErrors(
        res,
        400,
        'error validating claims: claim "sub" does not match any associated bound claim values',
      );
    }
    const token = `s.${randomBytes(18).toString('base64url')}`;
    const tokenPolicies = ['default', ...(role.policies ?? ['snapshot'])];
    tokens.set(token, tokenPolicies);
    return sendJson(res, 200, {
      request_id: randomUUID(),
      lease_id: '',
      renewable: false,
      lease_duration: 0,
      data: null,
      auth: {
        client_token: token,
        accessor: randomBytes(12).toString('base64url'),
        policies: tokenPolicies,
        token_policies: tokenPolicies,
        metadata: { role: role.name },
        lease_duration: 3600,
        renewable: true,
        entity_id: randomUUID(),
        token_type: 'service',
        orphan: true,
      },
    });
  };

  const streamSnapshot = async (pod: number, res: http.ServerResponse) => {
    const f = faults; // a fault set change applies to the next request
    const digest: SnapshotDigest = {};
    const record: OpenBaoSnapshotRecord = {
      pod,
      bytesSent: 0,
      completed: false,
    };
    snapshots.push(record);
    const tar = Readable.from(
      snapshotTar(
        {
          stateSize: snap.stateSize ?? 4 * 1024 * 1024,
          index: snap.index ?? 4242,
          term: snap.term ?? 3,
          seed: snap.seed ?? 'openbao-double',
          sealed: snap.sealed ?? true,
          wrongChecksum: f.wrongChecksum,
          omitChecksums: f.omitChecksums,
        },
        digest,
      ),
    );
    const gzip = createGzip({ level: snap.compressionLevel ?? 6 });
    pipeline(tar, gzip, () => {});
    // No Content-Length: Node sends the body chunked, as OpenBao does.
    res.writeHead(200, { 'Content-Type': 'application/gzip' });
    res.flushHeaders();
    const closed = once(res, 'close');
    const write = async (chunk: Buffer) => {
      if (!res.write(chunk)) await Promise.race([once(res, 'drain'), closed]);
      record.bytesSent += chunk.length;
    };
    try {
      for await (const raw of gzip) {
        const chunk: Buffer = raw;
        if (res.destroyed) return;
        const cut = [
          f.truncateAfterBytes,
          f.stallAfterBytes,
          f.leaderChangeAfterBytes,
        ]
          .filter((n): n is number => n !== undefined)
          .reduce((a, b) => Math.min(a, b), Infinity);
        if (record.bytesSent + chunk.length >= cut) {
          await write(chunk.subarray(0, cut - record.bytesSent));
          await new Promise<void>(r => res.write('', () => r()));
          if (cut === f.stallAfterBytes) {
            await closed; // hold the connection open until the client gives up
          } else if (cut === f.leaderChangeAfterBytes) {
            leader = (leader + 1) % podCount;
            res.destroy();
          } else if (f.truncateMode === 'end') {
            res.end();
          } else {
            res.destroy();
          }
          return;
        }
        await write(chunk);
        if (f.rateLimitBytesPerSecond)
          await sleep((chunk.length / f.rateLimitBytesPerSecond) * 1000);
      }
      if (f.trailingGarbage)
        await write(Buffer.from('this is not gzip, it is trailing garbage\n'));
      res.end();
      record.completed = true;
    } finally {
      gzip.destroy();
      tar.destroy();
      record.stateSha256 = digest.stateSha256;
      record.metaSha256 = digest.metaSha256;
    }
  };

  const handle = async (
    pod: number,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ) => {
    if (faults.latencyMs) await sleep(faults.latencyMs);
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname.replace(/^\/v1\//, '');
    const isLeader = pod === leader && !faults.noLeader;
    const leaderAddress =
      faults.noLeader || leader < 0 ? '' : addresses[leader];

    if (req.method === 'GET' && path === 'sys/health') {
      if (sealed.has(pod)) return sendJson(res, 503, healthBody(pod));
      if (isLeader) return sendJson(res, 200, healthBody(pod));
      const standbyOk = url.searchParams.get('standbyok') === 'true';
      return sendJson(res, standbyOk ? 200 : 429, {
        ...healthBody(pod),
        standby: true,
      });
    }
    if (sealed.has(pod)) return sendErrors(res, 503, 'Vault is sealed');
    if (req.method === 'GET' && path === 'sys/leader') {
      return sendJson(res, 200, {
        ha_enabled: true,
        is_self: isLeader,
        active_time: isLeader
          ? new Date().toISOString()
          : '0001-01-01T00:00:00Z',
        leader_address: leaderAddress,
        leader_cluster_address: leaderAddress.replace(/:\d+$/, ':8201'),
        performance_standby: false,
        raft_committed_index: snap.index ?? 4242,
        raft_applied_index: snap.index ?? 4242,
      });
    }
    const loginMatch = /^auth\/(.+)\/login$/.exec(path);
    if (req.method === 'POST' && loginMatch) {
      if (faults.noLeader)
        return sendErrors(
          res,
          503,
          'local node not active but active cluster node not found',
        );
      return login(req, res, loginMatch[1]); // standbys forward requests, so any pod logs in
    }
    if (req.method === 'GET' && path === 'auth/token/lookup-self') {
      const token = req.headers['x-vault-token'] as string | undefined;
      const names = token ? tokens.get(token) : undefined;
      if (!names) return sendErrors(res, 403, 'permission denied');
      return sendJson(res, 200, { data: { policies: names, ttl: 3600 } });
    }
    if (req.method === 'GET' && path === SNAPSHOT_PATH) {
      if (faults.redirectTo) {
        res.writeHead(307, {
          Location: `${faults.redirectTo.replace(/\/$/, '')}${url.pathname}`,
        });
        return res.end();
      }
      if (faults.noLeader)
        return sendErrors(
          res,
          503,
          'local node not active but active cluster node not found',
        );
      if (!isLeader) {
        res.writeHead(307, { Location: `${leaderAddress}${url.pathname}` });
        return res.end();
      }
      if (
        !canRead(
          req.headers['x-vault-token'] as string | undefined,
          SNAPSHOT_PATH,
        )
      ) {
        return sendErrors(res, 403, 'permission denied');
      }
      return streamSnapshot(pod, res);
    }
    return sendErrors(res, 404, `no handler for route "${path}"`);
  };

  for (let pod = 0; pod < podCount; pod++) {
    const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
      handle(pod, req, res).catch(e => {
        if (!res.headersSent) sendErrors(res, 500, String(e?.message ?? e));
        else res.destroy();
      });
    };
    const server = tls
      ? https.createServer({ cert: tls.certPem, key: tls.keyPem }, listener)
      : http.createServer(listener);
    server.listen(0, host);
    await once(server, 'listening');
    servers.push(server);
    addresses.push(
      `${scheme}://${host}:${(server.address() as AddressInfo).port}`,
    );
  }

  return {
    addresses,
    get leaderIndex() {
      return faults.noLeader ? -1 : leader;
    },
    caCertPem: tls?.caCertPem,
    issueJwt,
    addToken: (token, names) => void tokens.set(token, names),
    addJwtRole,
    setFaults: next => {
      faults = { ...next };
    },
    setLeader: index => {
      leader = index;
    },
    setSealed: (index, value) =>
      void (value ? sealed.add(index) : sealed.delete(index)),
    snapshots,
    stop: async () => {
      await Promise.all(
        servers.map(s => {
          const closedPromise = new Promise(r => s.close(r));
          s.closeAllConnections();
          return closedPromise;
        }),
      );
    },
  };
}
