/** Everything the executor needs, validated up front from env (docs/contract.md §3). */
export interface ExecutorConfig {
  clusterNamespace: string;
  clusterName: string;
  /** Pod base URLs, no trailing slash. */
  addresses: string[];
  auth:
    | { method: 'jwt'; role: string; mount: string; jwtPath: string }
    | { method: 'token'; tokenPath: string };
  /** CA bundle for OpenBao; undefined → system roots. */
  tlsCaPath?: string;
  storage: {
    endpoint?: string;
    bucket: string;
    key: string;
    region: string;
    forcePathStyle: boolean;
    partSize: number;
    concurrency: number;
    insecureSkipVerify: boolean;
    /** Optional PEM CA of the S3 endpoint (`<BACKUP_CREDENTIALS_PATH>/caCert`), whatever the credentials. */
    caCertPath: string;
    /** How a multipart object gets `openbao-state-sha256`: server-side self-copy, or not at all. */
    stateChecksumMetadata: 'copy' | 'skip';
    credentials:
      | { kind: 'static'; path: string }
      | { kind: 'webIdentity'; roleArn: string; tokenFile: string };
  };
  timeouts: { connectMs: number; headerMs: number; idleMs: number };
  leaderAttempts: number;
  /** Optional self-imposed deadline; the Job's activeDeadlineSeconds usually sends SIGTERM first. */
  deadlineSeconds?: number;
  terminationLogPath: string;
}

export type Env = Record<string, string | undefined>;

export const DEFAULT_PATHS = {
  tlsCa: '/etc/bao/tls/ca.crt',
  credentials: '/etc/bao/backup/credentials',
  jwt: '/var/run/secrets/tokens/openbao-token',
  token: '/etc/bao/token/token',
  terminationLog: '/dev/termination-log',
};

const MiB = 1024 * 1024;

/** `16777216`, `16Mi`, `16MiB`, `16M` → bytes (binary units). */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+)\s*(|k|ki|kib|m|mi|mib|g|gi|gib)\s*$/i.exec(text);
  if (!m) return undefined;
  const factors: Record<string, number> = { k: 1024, m: MiB, g: 1024 * MiB };
  return Number(m[1]) * (factors[m[2].toLowerCase()[0]] ?? 1);
}

export function parseBool(text: string | undefined): boolean | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const t = text.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(t)) return true;
  if (['false', '0', 'no', 'off'].includes(t)) return false;
  return undefined;
}

/**
 * Parses and validates the environment. Pure: `exists` answers whether a path exists,
 * so tests need no files. Returns every problem at once, never throws.
 */
export function parseConfig(
  env: Env,
  exists: (path: string) => boolean,
):
  | { config: ExecutorConfig; problems: [] }
  | { config?: undefined; problems: string[] } {
  const problems: string[] = [];
  const str = (name: string) => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const required = (name: string) => {
    const v = str(name);
    if (!v) problems.push(`${name} is required`);
    return v ?? '';
  };
  const int = (name: string, def: number, min: number, max: number) => {
    const v = str(name);
    if (v === undefined) return def;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(
        `${name} must be an integer between ${min} and ${max}, got "${v}"`,
      );
      return def;
    }
    return n;
  };
  const bool = (name: string, def: boolean) => {
    const v = str(name);
    if (v === undefined) return def;
    const b = parseBool(v);
    if (b === undefined)
      problems.push(`${name} must be true or false, got "${v}"`);
    return b ?? def;
  };

  const clusterNamespace = required('CLUSTER_NAMESPACE');
  const clusterName = required('CLUSTER_NAME');

  const addresses: string[] = [];
  const rawAddresses = required('OPENBAO_ADDRESSES');
  for (const raw of rawAddresses
    .split(',')
    .map(s => s.trim())
    .filter(Boolean)) {
    try {
      const u = new URL(raw);
      if (u.protocol !== 'https:' && u.protocol !== 'http:')
        throw new Error('scheme');
      if (u.pathname !== '/' || u.search || u.username || u.password)
        throw new Error('path');
      addresses.push(u.origin);
    } catch {
      problems.push(
        `OPENBAO_ADDRESSES: "${raw}" is not an http(s) URL without path`,
      );
    }
  }
  if (rawAddresses && addresses.length === 0 && problems.length === 0) {
    problems.push('OPENBAO_ADDRESSES lists no address');
  }

  const role = str('BACKUP_JWT_AUTH_ROLE');
  const method = str('BACKUP_AUTH_METHOD') ?? (role ? 'jwt' : 'token');
  let auth: ExecutorConfig['auth'] = { method: 'token', tokenPath: '' };
  if (method === 'jwt') {
    const jwtPath = str('JWT_TOKEN_PATH') ?? DEFAULT_PATHS.jwt;
    if (!role)
      problems.push(
        'BACKUP_JWT_AUTH_ROLE is required when BACKUP_AUTH_METHOD=jwt',
      );
    if (!exists(jwtPath))
      problems.push(
        `JWT token file ${jwtPath} does not exist (JWT_TOKEN_PATH)`,
      );
    const mount = (str('BACKUP_JWT_AUTH_MOUNT') ?? 'jwt').replace(
      /^\/+|\/+$/g,
      '',
    );
    if (!/^[A-Za-z0-9_.\-/]+$/.test(mount))
      problems.push(`BACKUP_JWT_AUTH_MOUNT "${mount}" is not a mount path`);
    auth = { method: 'jwt', role: role ?? '', mount, jwtPath };
  } else if (method === 'token') {
    const tokenPath = str('BACKUP_TOKEN_PATH') ?? DEFAULT_PATHS.token;
    if (!exists(tokenPath))
      problems.push(
        `token file ${tokenPath} does not exist (BACKUP_TOKEN_PATH)`,
      );
    auth = { method: 'token', tokenPath };
  } else {
    problems.push(`BACKUP_AUTH_METHOD must be jwt or token, got "${method}"`);
  }

  let tlsCaPath: string | undefined;
  const explicitCa = str('TLS_CA_PATH');
  if (explicitCa) {
    if (!exists(explicitCa))
      problems.push(`TLS_CA_PATH ${explicitCa} does not exist`);
    tlsCaPath = explicitCa;
  } else if (exists(DEFAULT_PATHS.tlsCa)) {
    tlsCaPath = DEFAULT_PATHS.tlsCa;
  }

  const endpoint = str('BACKUP_ENDPOINT');
  if (endpoint) {
    try {
      const u = new URL(endpoint);
      if (u.protocol !== 'https:' && u.protocol !== 'http:')
        throw new Error('scheme');
    } catch {
      problems.push(`BACKUP_ENDPOINT "${endpoint}" is not an http(s) URL`);
    }
  }
  const bucket = required('BACKUP_BUCKET');
  const key = required('BACKUP_KEY');
  if (key && (key.startsWith('/') || key.includes('//') || key.length > 1024)) {
    problems.push(
      `BACKUP_KEY "${key}" must not start with "/" or contain "//"`,
    );
  }
  const rawPart = str('BACKUP_PART_SIZE');
  let partSize = 16 * MiB;
  if (rawPart !== undefined) {
    const n = parseSize(rawPart);
    if (n === undefined || n < 5 * MiB || n > 5 * 1024 * MiB) {
      problems.push(
        `BACKUP_PART_SIZE must be between 5 MiB and 5 GiB, got "${rawPart}"`,
      );
    } else partSize = n;
  }
  const concurrency = int('BACKUP_CONCURRENCY', 4, 1, 16);

  const roleArn = str('AWS_ROLE_ARN');
  const credentialsPath =
    str('BACKUP_CREDENTIALS_PATH') ?? DEFAULT_PATHS.credentials;
  let credentials: ExecutorConfig['storage']['credentials'];
  if (roleArn) {
    const tokenFile = str('AWS_WEB_IDENTITY_TOKEN_FILE') ?? '';
    if (!tokenFile)
      problems.push(
        'AWS_WEB_IDENTITY_TOKEN_FILE is required with AWS_ROLE_ARN',
      );
    else if (!exists(tokenFile))
      problems.push(`AWS_WEB_IDENTITY_TOKEN_FILE ${tokenFile} does not exist`);
    credentials = { kind: 'webIdentity', roleArn, tokenFile };
  } else {
    for (const f of ['accessKeyId', 'secretAccessKey']) {
      if (!exists(`${credentialsPath}/${f}`))
        problems.push(
          `credentials file ${credentialsPath}/${f} does not exist (BACKUP_CREDENTIALS_PATH, or set AWS_ROLE_ARN)`,
        );
    }
    credentials = { kind: 'static', path: credentialsPath };
  }

  const timeouts = {
    connectMs: int('OPENBAO_CONNECT_TIMEOUT_SECONDS', 10, 1, 600) * 1000,
    headerMs: int('OPENBAO_HEADER_TIMEOUT_SECONDS', 30, 1, 3600) * 1000,
    idleMs: int('OPENBAO_IDLE_TIMEOUT_SECONDS', 60, 1, 3600) * 1000,
  };
  const leaderAttempts = int('OPENBAO_LEADER_ATTEMPTS', 5, 1, 100);
  const deadline = str('BACKUP_DEADLINE_SECONDS')
    ? int('BACKUP_DEADLINE_SECONDS', 0, 1, 7 * 86400)
    : undefined;

  const region = str('BACKUP_REGION') ?? 'us-east-1';
  const forcePathStyle = bool('BACKUP_USE_PATH_STYLE', false);
  const insecureSkipVerify = bool('BACKUP_INSECURE_SKIP_VERIFY', false);
  const stateChecksumMetadata = str('BACKUP_STATE_CHECKSUM_METADATA') ?? 'skip';
  if (stateChecksumMetadata !== 'copy' && stateChecksumMetadata !== 'skip') {
    problems.push(
      `BACKUP_STATE_CHECKSUM_METADATA must be copy or skip, got "${stateChecksumMetadata}"`,
    );
  }

  if (problems.length) return { problems };
  return {
    problems: [],
    config: {
      clusterNamespace,
      clusterName,
      addresses,
      auth,
      tlsCaPath,
      storage: {
        endpoint,
        bucket,
        key,
        region,
        forcePathStyle,
        partSize,
        concurrency,
        insecureSkipVerify,
        caCertPath: `${credentialsPath}/caCert`,
        stateChecksumMetadata: stateChecksumMetadata as 'copy' | 'skip',
        credentials,
      },
      timeouts,
      leaderAttempts,
      deadlineSeconds: deadline,
      terminationLogPath:
        str('TERMINATION_LOG_PATH') ?? DEFAULT_PATHS.terminationLog,
    },
  };
}
