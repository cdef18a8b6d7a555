/** A parsed `WWW-Authenticate` challenge, e.g. `Bearer realm="…",service="…",scope="…"`. */
export interface AuthChallenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses one challenge (registries send one); parameter names lower-cased, quotes removed. */
export function parseAuthChallenge(header: string): AuthChallenge | undefined {
  const match = /^\s*([A-Za-z][\w-]*)\s*(.*)$/.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  const pair = /([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?/g;
  for (const m of match[2].matchAll(pair)) {
    params[m[1].toLowerCase()] =
      m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3];
  }
  return { scheme: match[1].toLowerCase(), params };
}

/** Registry credentials from a pull secret. */
export interface RegistryCredentials {
  username: string;
  password: string;
}

/** Keys a `.dockerconfigjson` may use for Docker Hub. */
const DOCKER_HUB_ALIASES = [
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
  'https://index.docker.io/v1/',
];

function hostOf(key: string): string {
  // Entries may be URLs (`https://host/v1/`) or bare hosts with a path.
  return key.replace(/^https?:\/\//, '').split('/')[0];
}

/**
 * Credentials for `registry` from the contents of `kubernetes.io/dockerconfigjson` Secrets (the
 * `.dockerconfigjson` value), first match wins, as the kubelet tries pull secrets in order.
 * Accepts `auth` (base64 `user:password`) or `username` + `password`.
 */
export function credentialsFor(
  registry: string,
  dockerConfigs: string[],
): RegistryCredentials | undefined {
  const wanted = DOCKER_HUB_ALIASES.includes(registry)
    ? DOCKER_HUB_ALIASES.map(hostOf)
    : [registry];
  for (const text of dockerConfigs) {
    let auths: Record<string, any>;
    try {
      auths = JSON.parse(text)?.auths ?? {};
    } catch {
      throw new Error("a pull secret's .dockerconfigjson is not JSON");
    }
    for (const [key, entry] of Object.entries(auths)) {
      if (!wanted.includes(hostOf(key))) continue;
      if (entry?.username && entry?.password) {
        return { username: entry.username, password: entry.password };
      }
      if (typeof entry?.auth === 'string') {
        const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon > 0) {
          return {
            username: decoded.slice(0, colon),
            password: decoded.slice(colon + 1),
          };
        }
      }
    }
  }
  return undefined;
}
