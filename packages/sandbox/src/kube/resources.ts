import { ResourceType } from './types';

const core = (r: Omit<ResourceType, 'group' | 'version' | 'custom'>) =>
  ({ group: '', version: 'v1', custom: false, ...r } as ResourceType);

/** Every resource type the double serves. Add one here and discovery, CRUD and watch follow. */
export const RESOURCE_TYPES: ResourceType[] = [
  core({
    plural: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    namespaced: false,
    hasStatus: true,
    shortNames: ['ns'],
    extraFields: ['status.phase'],
  }),
  core({
    plural: 'pods',
    singular: 'pod',
    kind: 'Pod',
    namespaced: true,
    hasStatus: true,
    returnsDeletedObject: true,
    shortNames: ['po'],
    extraFields: [
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.serviceAccountName',
      'status.phase',
      'status.podIP',
    ],
  }),
  core({
    plural: 'secrets',
    singular: 'secret',
    kind: 'Secret',
    namespaced: true,
    hasStatus: false,
    extraFields: ['type'],
  }),
  core({
    plural: 'serviceaccounts',
    singular: 'serviceaccount',
    kind: 'ServiceAccount',
    namespaced: true,
    hasStatus: false,
    returnsDeletedObject: true,
    shortNames: ['sa'],
  }),
  core({
    plural: 'events',
    singular: 'event',
    kind: 'Event',
    namespaced: true,
    hasStatus: false,
    shortNames: ['ev'],
    extraFields: [
      'involvedObject.kind',
      'involvedObject.namespace',
      'involvedObject.name',
      'involvedObject.uid',
      'involvedObject.apiVersion',
      'involvedObject.resourceVersion',
      'involvedObject.fieldPath',
      'reason',
      'reportingComponent',
      'source',
      'type',
    ],
  }),
  {
    group: 'events.k8s.io',
    version: 'v1',
    plural: 'events',
    singular: 'event',
    kind: 'Event',
    namespaced: true,
    hasStatus: false,
    custom: false,
    shortNames: ['ev'],
    extraFields: [
      'regarding.kind',
      'regarding.namespace',
      'regarding.name',
      'regarding.uid',
      'reason',
      'reportingController',
      'type',
    ],
  },
  {
    group: 'batch',
    version: 'v1',
    plural: 'jobs',
    singular: 'job',
    kind: 'Job',
    namespaced: true,
    hasStatus: true,
    custom: false,
    extraFields: ['status.successful'],
    defaultPropagation: 'Orphan',
  },
  {
    group: 'coordination.k8s.io',
    version: 'v1',
    plural: 'leases',
    singular: 'lease',
    kind: 'Lease',
    namespaced: true,
    hasStatus: false,
    custom: false,
  },
  ...(
    [
      ['roles', 'Role', true],
      ['rolebindings', 'RoleBinding', true],
      ['clusterroles', 'ClusterRole', false],
      ['clusterrolebindings', 'ClusterRoleBinding', false],
    ] as const
  ).map(
    ([plural, kind, namespaced]): ResourceType => ({
      group: 'rbac.authorization.k8s.io',
      version: 'v1',
      plural,
      singular: kind.toLowerCase(),
      kind,
      namespaced,
      hasStatus: false,
      custom: false,
    }),
  ),
  {
    group: 'openbao.org',
    version: 'v1alpha1',
    plural: 'openbaoclusters',
    singular: 'openbaocluster',
    kind: 'OpenBaoCluster',
    namespaced: true,
    hasStatus: true,
    custom: true,
  },
  {
    group: 'openbao.org',
    version: 'v1alpha1',
    plural: 'openbaorestores',
    singular: 'openbaorestore',
    kind: 'OpenBaoRestore',
    namespaced: true,
    hasStatus: true,
    custom: true,
  },
];

/** `plural` for the core group, `plural.group` otherwise: the name kubectl and RBAC use. */
export function resourceKey(type: Pick<ResourceType, 'plural' | 'group'>) {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}

export function apiVersionOf(type: Pick<ResourceType, 'group' | 'version'>) {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** Finds a served type by `plural[.group]` (e.g. `jobs.batch`, `pods`), throwing for unknown ones. */
export function lookupResource(key: string, types = RESOURCE_TYPES) {
  const found = types.find(t => resourceKey(t) === key);
  if (!found) {
    throw new Error(`unknown resource ${key}`);
  }
  return found;
}

/** Finds the type an ownerReference / object points at, by apiVersion and kind. */
export function resourceForKind(
  apiVersion: string,
  kind: string,
  types = RESOURCE_TYPES,
) {
  return types.find(t => apiVersionOf(t) === apiVersion && t.kind === kind);
}
