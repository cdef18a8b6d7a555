import { apiVersionOf } from './resources';
import { ResourceType } from './types';

const VERBS = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];

function groupVersions(types: ResourceType[]) {
  const groups = new Map<string, string[]>();
  for (const t of types.filter(x => x.group !== '')) {
    const versions = groups.get(t.group) ?? [];
    if (!versions.includes(t.version)) versions.push(t.version);
    groups.set(t.group, versions);
  }
  return groups;
}

function apiGroup(name: string, versions: string[]) {
  const list = versions.map(v => ({
    groupVersion: `${name}/${v}`,
    version: v,
  }));
  return { name, versions: list, preferredVersion: list[0] };
}

/** `GET /api` (legacy core group versions). */
export function apiVersionsDoc(serverAddress: string) {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

/** `GET /apis`. */
export function apiGroupListDoc(types: ResourceType[]) {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groupVersions(types)].map(([name, versions]) =>
      apiGroup(name, versions),
    ),
  };
}

/** `GET /apis/<group>`. */
export function apiGroupDoc(types: ResourceType[], group: string) {
  return {
    kind: 'APIGroup',
    apiVersion: 'v1',
    ...apiGroup(group, groupVersions(types).get(group) ?? []),
  };
}

/** `GET /api/v1`, `GET /apis/<group>/<version>`: resources with their subresources. */
export function apiResourceListDoc(
  types: ResourceType[],
  group: string,
  version: string,
) {
  const resources = types
    .filter(t => t.group === group && t.version === version)
    .flatMap(t => {
      const entries: object[] = [
        {
          name: t.plural,
          singularName: t.singular,
          namespaced: t.namespaced,
          kind: t.kind,
          verbs: VERBS,
          ...(t.shortNames ? { shortNames: t.shortNames } : {}),
          ...(['Pod', 'Job'].includes(t.kind) ? { categories: ['all'] } : {}),
        },
      ];
      if (t.hasStatus) {
        entries.push({
          name: `${t.plural}/status`,
          singularName: '',
          namespaced: t.namespaced,
          kind: t.kind,
          verbs: ['get', 'patch', 'update'],
        });
      }
      if (t.kind === 'Pod') {
        entries.push({
          name: 'pods/log',
          singularName: '',
          namespaced: true,
          kind: 'Pod',
          verbs: ['get'],
        });
      }
      return entries;
    });
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: apiVersionOf({ group, version }),
    resources,
  };
}
