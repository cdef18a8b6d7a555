import { matchesFields, FieldRequirement } from './fieldSelector';
import { LabelRequirement, matchesLabels } from './labelSelector';
import { apiVersionOf } from './resources';
import { KubeObject, ResourceType } from './types';

export interface ListQuery {
  namespace?: string;
  labels: LabelRequirement[];
  fields: FieldRequirement[];
}

/** Whether an object belongs to a list/watch (namespace, label and field selectors). */
export function inQuery(query: ListQuery, obj: KubeObject) {
  if (query.namespace && obj.metadata.namespace !== query.namespace)
    return false;
  return (
    matchesLabels(query.labels, obj.metadata.labels) &&
    matchesFields(query.fields, obj)
  );
}

export interface ContinueToken {
  /** The list's resourceVersion when the first page was served. */
  rv: number;
  /** The etcd-order key of the last item served. */
  start: string;
}

export const encodeContinue = (t: ContinueToken) =>
  Buffer.from(
    JSON.stringify({ v: 'meta.k8s.io/v1', rv: t.rv, start: t.start }),
  ).toString('base64url');

/** Undefined for a token the double did not issue (the apiserver answers 400). */
export function decodeContinue(token: string): ContinueToken | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof parsed.rv === 'number' && typeof parsed.start === 'string')
      return parsed;
  } catch {
    // fall through
  }
  return undefined;
}

export const storageKey = (obj: KubeObject) =>
  `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;

/**
 * One page of a list, as the apiserver shapes it: `<Kind>List`, items after the continue key, a
 * continue token and remainingItemCount when more remain. Built-in lists carry no per-item
 * kind/apiVersion (typed lists omit them on the wire); custom-resource lists keep them.
 */
export function listPage(
  type: ResourceType,
  matching: KubeObject[],
  options: {
    resourceVersion: number;
    limit?: number;
    after?: string;
    selectorsUsed: boolean;
  },
) {
  const remaining = options.after
    ? matching.filter(o => storageKey(o) > options.after!)
    : matching;
  const limit =
    options.limit && options.limit > 0 ? options.limit : remaining.length;
  const page = remaining.slice(0, limit);
  const more = remaining.length > page.length;
  const metadata: Record<string, unknown> = {
    resourceVersion: String(options.resourceVersion),
  };
  if (more) {
    metadata.continue = encodeContinue({
      rv: options.resourceVersion,
      start: storageKey(page[page.length - 1]),
    });
    if (!options.selectorsUsed)
      metadata.remainingItemCount = remaining.length - page.length;
  }
  const items = type.custom
    ? page
    : page.map(({ kind, apiVersion, ...rest }) => rest as KubeObject);
  return {
    kind: `${type.kind}List`,
    apiVersion: apiVersionOf(type),
    metadata,
    items,
  };
}
