import { setTimeout as sleep } from 'node:timers/promises';
import { withOpenBaoTlsHint } from '../openbao/openBaoTlsHint';
import { errorMessage, ExitCode, StageError } from '../StageError';
import type { Stage } from '../types';

export type PodHealth = {
  address: string;
  state: 'active' | 'standby' | 'sealed' | 'error';
  detail: string;
};

/** Health code → pod state (OpenBao's sys/health defaults). */
export function classifyHealth(status: number): PodHealth['state'] {
  if (status === 200) return 'active';
  if (status === 429 || status === 473) return 'standby';
  if (status === 503 || status === 501) return 'sealed';
  return 'error';
}

/**
 * Stage 3: probe sys/health on every pod at once, with bounded retries and backoff
 * (an election takes a few seconds). Exit 3 with every pod's state when no leader.
 */
export const findLeader: Stage = {
  name: 'leader',
  exitCode: ExitCode.leader,
  async run(ctx) {
    const { config, openbao, deps } = ctx;
    if (!config || !openbao) throw new Error('config stage did not run');
    let last: PodHealth[] = [];
    const failures: unknown[] = [];
    for (let attempt = 1; attempt <= config.leaderAttempts; attempt++) {
      last = await Promise.all(
        config.addresses.map(async (address): Promise<PodHealth> => {
          try {
            const r = await openbao.json(`${address}/v1/sys/health`, {
              signal: ctx.signal,
            });
            return {
              address,
              state: classifyHealth(r.status),
              detail: `HTTP ${r.status}`,
            };
          } catch (e) {
            failures.push(e);
            return { address, state: 'error', detail: errorMessage(e) };
          }
        }),
      );
      const active = last.filter(p => p.state === 'active');
      if (active.length > 0) {
        if (active.length > 1)
          deps.log.warn('more than one pod reports active; using the first', {
            active: active.map(p => p.address),
          });
        deps.log.info('leader found', { leader: active[0].address, attempt });
        return { ...ctx, leaderUrl: active[0].address };
      }
      if (attempt < config.leaderAttempts) {
        const wait = Math.min(500 * 2 ** (attempt - 1), 5000);
        deps.log.warn('no active pod yet, retrying', {
          attempt,
          waitMs: wait,
          pods: last,
        });
        await sleep(wait, undefined, { signal: ctx.signal });
      }
    }
    throw new StageError(
      'leader',
      ExitCode.leader,
      withOpenBaoTlsHint(
        `no active OpenBao pod after ${config.leaderAttempts} attempt(s): ${last
          .map(p => `${p.address} ${p.state} (${p.detail})`)
          .join(', ')}`,
        failures,
      ),
    );
  },
};
