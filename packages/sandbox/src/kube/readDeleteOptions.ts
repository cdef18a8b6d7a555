import { IncomingMessage } from 'node:http';
import { parseJson, readBody } from './http';
import { DeleteOptions } from './ObjectStore';
import { StatusError, statusBodies } from './statusBodies';
import { PropagationPolicy } from './types';

/** DeleteOptions from the query and/or the body, including the legacy `orphanDependents`. */
export async function readDeleteOptions(
  req: IncomingMessage,
  q: URLSearchParams,
): Promise<DeleteOptions> {
  const text = await readBody(req);
  const body = text.trim() ? parseJson(text) : {};
  const policy = (q.get('propagationPolicy') ?? body.propagationPolicy) as
    | PropagationPolicy
    | undefined;
  if (policy && !['Orphan', 'Background', 'Foreground'].includes(policy)) {
    throw new StatusError(
      statusBodies.badRequest(
        `propagationPolicy: Unsupported value: "${policy}"`,
      ),
    );
  }
  const orphan = q.get('orphanDependents') ?? body.orphanDependents;
  const grace = q.get('gracePeriodSeconds') ?? body.gracePeriodSeconds;
  let legacyPolicy: PropagationPolicy | undefined;
  if (orphan !== undefined && orphan !== null) {
    legacyPolicy = String(orphan) === 'true' ? 'Orphan' : 'Background';
  }
  return {
    propagationPolicy: policy ?? legacyPolicy,
    gracePeriodSeconds:
      grace === undefined || grace === null ? undefined : Number(grace),
    preconditions: body.preconditions,
  };
}
