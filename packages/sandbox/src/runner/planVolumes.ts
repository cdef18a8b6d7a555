import { KubeObject } from '../kube/types';
import { SecretReader } from './podEnvironment';

/** A file the container would see, at its in-container path. */
export interface PlannedFile {
  path: string;
  content: string | Buffer;
  mode: number;
}

export interface VolumePlan {
  /** In-container mount points (directories, or files for subPath mounts). */
  mounts: string[];
  files: PlannedFile[];
}

/** A volume cannot be set up (the kubelet's FailedMount; the Pod stays ContainerCreating). */
export class MountError extends Error {}

export type TokenHook = (request: {
  namespace: string;
  serviceAccount: string;
  audience: string;
  expirationSeconds?: number;
  pod: { name: string; uid: string };
}) => string;

/** The apiserver's default audience for a projected token that names none. */
export const DEFAULT_TOKEN_AUDIENCE =
  'https://kubernetes.default.svc.cluster.local';

function secretFiles(
  read: SecretReader,
  namespace: string,
  volume: string,
  source: {
    secretName?: string;
    name?: string;
    items?: any[];
    optional?: boolean;
    defaultMode?: number;
  },
  defaultMode: number,
): { path: string; content: Buffer; mode: number }[] {
  const name = source.secretName ?? source.name!;
  const secret = read(namespace, name);
  if (!secret) {
    if (source.optional) return [];
    throw new MountError(
      `MountVolume.SetUp failed for volume "${volume}" : secret "${name}" not found`,
    );
  }
  const data: Record<string, string> = secret.data ?? {};
  const mode = source.defaultMode ?? defaultMode;
  const items =
    source.items ?? Object.keys(data).map(key => ({ key, path: key }));
  return items.flatMap((item: any) => {
    if (data[item.key] === undefined) {
      if (source.optional) return [];
      throw new MountError(
        `MountVolume.SetUp failed for volume "${volume}" : references non-existent secret key: ${item.key}`,
      );
    }
    return [
      {
        path: item.path,
        content: Buffer.from(data[item.key], 'base64'),
        mode: item.mode ?? mode,
      },
    ];
  });
}

/**
 * The files the kubelet would put in the container's volume mounts (pure apart from the readers):
 * Secret volumes, projected volumes (serviceAccountToken, secret), emptyDirs; `subPath` mounts.
 * Other volume types become empty directories.
 */
export function planVolumes(
  pod: KubeObject,
  container: any,
  readSecret: SecretReader,
  issueToken: TokenHook,
): VolumePlan {
  const namespace = pod.metadata.namespace!;
  const plan: VolumePlan = { mounts: [], files: [] };
  const volumes: any[] = pod.spec?.volumes ?? [];
  for (const mount of container.volumeMounts ?? []) {
    const volume = volumes.find(v => v.name === mount.name);
    if (!volume)
      throw new MountError(`volume "${mount.name}" not found in pod spec`);
    let files: { path: string; content: string | Buffer; mode: number }[] = [];
    if (volume.secret) {
      files = secretFiles(
        readSecret,
        namespace,
        volume.name,
        volume.secret,
        0o644,
      );
    } else if (volume.projected) {
      const mode = volume.projected.defaultMode ?? 0o644;
      for (const source of volume.projected.sources ?? []) {
        if (source.serviceAccountToken) {
          const t = source.serviceAccountToken;
          files.push({
            path: t.path,
            mode: 0o600,
            content: issueToken({
              namespace,
              serviceAccount: pod.spec.serviceAccountName ?? 'default',
              audience: t.audience ?? DEFAULT_TOKEN_AUDIENCE,
              expirationSeconds: t.expirationSeconds,
              pod: { name: pod.metadata.name!, uid: pod.metadata.uid! },
            }),
          });
        } else if (source.secret) {
          files.push(
            ...secretFiles(
              readSecret,
              namespace,
              volume.name,
              source.secret,
              mode,
            ),
          );
        } else if (source.configMap && !source.configMap.optional) {
          throw new MountError(
            `MountVolume.SetUp failed for volume "${volume.name}" : configmap "${source.configMap.name}" not found`,
          );
        }
      }
    }
    if (mount.subPath) {
      const sub = String(mount.subPath);
      files = files
        .filter(f => f.path === sub || f.path.startsWith(`${sub}/`))
        .map(f => ({
          ...f,
          path: f.path === sub ? '' : f.path.slice(sub.length + 1),
        }));
    }
    const root = String(mount.mountPath).replace(/\/+$/, '');
    plan.mounts.push(root);
    for (const f of files)
      plan.files.push({ ...f, path: f.path ? `${root}/${f.path}` : root });
  }
  return plan;
}
