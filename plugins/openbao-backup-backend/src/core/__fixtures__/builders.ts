import { OpenBaoCluster } from '@internal/plugin-openbao-backup-common';
import { ObservedCluster } from '../types';
import sample from './openbaocluster.json';

type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> | null : T[K] | null;
};

function merge(base: any, patch: any): any {
  if (patch === undefined) return base;
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch))
    return patch;
  const out: any = { ...(base ?? {}) };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    if (v === null) delete out[k];
    else out[k] = merge(out[k], v);
  }
  return out;
}

/** The sample OpenBaoCluster with a merge patch applied (`null` deletes a field). */
export function makeCluster(
  patch: DeepPartial<OpenBaoCluster> = {},
): OpenBaoCluster {
  return merge(JSON.parse(JSON.stringify(sample)), patch);
}

/** An observation of the sample cluster: its credentials Secret exists, no restores, no Jobs. */
export function makeObserved(
  patch: DeepPartial<OpenBaoCluster> = {},
  rest: Partial<Omit<ObservedCluster, 'cluster'>> = {},
): ObservedCluster {
  const cluster = makeCluster(patch);
  return {
    ref: {
      kubernetesCluster: 'local',
      namespace: cluster.metadata.namespace,
      name: cluster.metadata.name,
    },
    cluster,
    secrets: [
      { name: 's3-credentials', keys: ['accessKeyId', 'secretAccessKey'] },
    ],
    restores: [],
    jobs: [],
    pods: {},
    ...rest,
  };
}
