import { VolumePlan } from './planVolumes';

/** Env vars the executor reads instead of its fixed in-container paths (docs/contract.md §3). */
export const DEFAULT_PATH_OVERRIDES: Record<string, string> = {
  TLS_CA_PATH: '/etc/bao/tls/ca.crt',
  BACKUP_CREDENTIALS_PATH: '/etc/bao/backup/credentials',
  JWT_TOKEN_PATH: '/var/run/secrets/tokens/openbao-token',
  BACKUP_TOKEN_PATH: '/etc/bao/token/token',
  AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/secrets/aws/token',
};

const under = (path: string, root: string) =>
  path === root || path.startsWith(`${root}/`);

/**
 * Env additions that point the process at the materialised files (pure): pod env values that name
 * a path inside a mount are rewritten to the local copy; each override var is set when its
 * in-container path was mounted (and the pod did not set it); TERMINATION_LOG_PATH always.
 */
export function pathOverrides(options: {
  plan: VolumePlan;
  podEnv: Record<string, string>;
  /** Local directory that stands for the container's `/`. */
  root: string;
  terminationLogPath: string;
  overrides?: Record<string, string>;
}): Record<string, string> {
  const { plan, podEnv, root } = options;
  const local = (p: string) => `${root}${p}`;
  const mounted = (p: string) =>
    plan.mounts.some(m => under(p, m)) &&
    (plan.mounts.includes(p) || plan.files.some(f => under(f.path, p)));
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(podEnv)) {
    if (value.startsWith('/') && plan.mounts.some(m => under(value, m)))
      result[name] = local(value);
  }
  for (const [name, path] of Object.entries(
    options.overrides ?? DEFAULT_PATH_OVERRIDES,
  )) {
    if (!(name in podEnv) && mounted(path)) result[name] = local(path);
  }
  result.TERMINATION_LOG_PATH = options.terminationLogPath;
  return result;
}
