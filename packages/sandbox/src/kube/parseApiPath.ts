import { ResourceType } from './types';

export type ApiPath =
  | { kind: 'root'; what: 'api' | 'apis' }
  | { kind: 'group'; group: string }
  | { kind: 'groupVersion'; group: string; version: string }
  | {
      kind: 'resource';
      type: ResourceType;
      /** Set for namespaced requests (`/namespaces/<ns>/<plural>…`). */
      namespace?: string;
      name?: string;
      subresource?: string;
    }
  | { kind: 'unknown' };

/**
 * Maps a URL path onto what the apiserver serves there. `namespaces/<ns>` is a Namespace unless a
 * resource plural follows it, exactly as in the apiserver's request-info resolver.
 */
export function parseApiPath(pathname: string, types: ResourceType[]): ApiPath {
  const segs = pathname
    .split('/')
    .filter(s => s !== '')
    .map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api') {
    if (segs.length === 1) return { kind: 'root', what: 'api' };
    group = '';
    version = segs[1];
    rest = segs.slice(2);
  } else if (segs[0] === 'apis') {
    if (segs.length === 1) return { kind: 'root', what: 'apis' };
    group = segs[1];
    if (segs.length === 2) {
      return types.some(t => t.group === group)
        ? { kind: 'group', group }
        : { kind: 'unknown' };
    }
    version = segs[2];
    rest = segs.slice(3);
  } else {
    return { kind: 'unknown' };
  }
  const inGV = types.filter(t => t.group === group && t.version === version);
  if (inGV.length === 0) return { kind: 'unknown' };
  if (rest.length === 0) return { kind: 'groupVersion', group, version };
  const find = (plural: string) => inGV.find(t => t.plural === plural);
  if (
    rest[0] === 'namespaces' &&
    rest.length >= 3 &&
    find(rest[2])?.namespaced
  ) {
    const [, namespace, plural, name, subresource, ...extra] = rest;
    if (extra.length) return { kind: 'unknown' };
    return {
      kind: 'resource',
      type: find(plural)!,
      namespace,
      name,
      subresource,
    };
  }
  const type = find(rest[0]);
  if (!type || rest.length > 3) return { kind: 'unknown' };
  if (type.namespaced && rest.length > 1) return { kind: 'unknown' };
  return { kind: 'resource', type, name: rest[1], subresource: rest[2] };
}
