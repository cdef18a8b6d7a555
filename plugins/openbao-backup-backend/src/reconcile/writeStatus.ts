import { isError } from '@backstage/errors';
import { OpenBaoCluster } from '@internal/plugin-openbao-backup-common';
import { RunOutcome, isNoopPatch, statusPatchFor } from '../core';
import { KubeGateway } from '../adapters/KubeGateway';

/** Tries per status write before a conflict is given up on (the next pass starts over). */
const MAX_ATTEMPTS = 5;

/**
 * Records `outcome` in the cluster's status. On a 409 the cluster is read again and the patch
 * rebuilt from that fresh copy (conditions are carried over from it, and a write someone else
 * already made becomes a no-op), up to {@link MAX_ATTEMPTS} tries. Returns whether anything was
 * written: a no-op (refusal repeated every pass) writes nothing, so the caller sends no Event.
 */
export async function writeStatus(
  gateway: KubeGateway,
  cluster: OpenBaoCluster,
  outcome: RunOutcome,
  now: Date,
): Promise<boolean> {
  const { namespace, name } = cluster.metadata;
  let current = cluster;
  for (let attempt = 1; ; attempt++) {
    const patch = statusPatchFor(current, outcome, now);
    if (!patch || isNoopPatch(current, patch)) return false;
    try {
      await gateway.patchClusterStatus(namespace, name, patch);
      return true;
    } catch (e) {
      if (!isError(e) || e.name !== 'ConflictError' || attempt >= MAX_ATTEMPTS)
        throw e;
      const fresh = await gateway.getCluster(namespace, name);
      if (!fresh) return false; // deleted meanwhile: nothing left to record on
      current = fresh;
    }
  }
}
