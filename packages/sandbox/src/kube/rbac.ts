/*
 * RBAC as the apiserver's authorizer applies it (rbac.authorization.k8s.io/v1): a request's
 * attributes (verb, API group, resource, subresource, namespace, name) are allowed when one rule of
 * a Role or ClusterRole bound to the user (by RoleBinding in the request's namespace, or by
 * ClusterRoleBinding anywhere) matches them. Pure functions: the API server feeds them its objects.
 */
import { KubeObject } from './types';

/** Who a bearer token belongs to. */
export interface KubeUser {
  username: string;
  groups?: string[];
}

/** What the apiserver's request-info resolver extracts from a resource request. */
export interface RequestAttributes {
  verb: string;
  /** '' for the core group. */
  apiGroup: string;
  /** Plural, e.g. `jobs`. */
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface RbacObjects {
  roles: KubeObject[];
  clusterRoles: KubeObject[];
  roleBindings: KubeObject[];
  clusterRoleBindings: KubeObject[];
}

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
}

/** The verb of a request, as the apiserver names it. */
export function verbOf(
  method: string,
  hasName: boolean,
  isWatch: boolean,
): string {
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (isWatch) return 'watch';
      return hasName ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return hasName ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}

/** The groups the apiserver adds to every authenticated user, plus a service account's own. */
export function effectiveGroups(user: KubeUser): string[] {
  const groups = new Set(user.groups ?? []);
  groups.add('system:authenticated');
  const sa = /^system:serviceaccount:([^:]+):[^:]+$/.exec(user.username);
  if (sa) {
    groups.add('system:serviceaccounts');
    groups.add(`system:serviceaccounts:${sa[1]}`);
  }
  return [...groups];
}

function subjectMatches(subject: any, user: KubeUser, groups: string[]) {
  switch (subject?.kind) {
    case 'ServiceAccount':
      return (
        user.username ===
        `system:serviceaccount:${subject.namespace}:${subject.name}`
      );
    case 'User':
      return user.username === subject.name;
    case 'Group':
      return groups.includes(subject.name);
    default:
      return false;
  }
}

function ruleMatches(rule: PolicyRule, a: RequestAttributes): boolean {
  const has = (list: string[] | undefined, value: string) =>
    !!list && (list.includes('*') || list.includes(value));
  if (!has(rule.verbs, a.verb) || !has(rule.apiGroups, a.apiGroup))
    return false;
  const resources = rule.resources ?? [];
  const resourceOk = a.subresource
    ? resources.some(
        r =>
          r === '*' ||
          r === `${a.resource}/${a.subresource}` ||
          r === `*/${a.subresource}` ||
          r === `${a.resource}/*`,
      )
    : resources.includes('*') || resources.includes(a.resource);
  if (!resourceOk) return false;
  const names = rule.resourceNames ?? [];
  // A rule limited to names never matches a request without one (list, watch, create).
  return names.length === 0 || (!!a.name && names.includes(a.name));
}

/** The rules bound to `user` that apply to a request in `namespace` (undefined: cluster scope). */
function rulesFor(
  user: KubeUser,
  namespace: string | undefined,
  rbac: RbacObjects,
) {
  const groups = effectiveGroups(user);
  const bound = (binding: KubeObject) =>
    (binding.subjects ?? []).some((s: any) => subjectMatches(s, user, groups));
  const clusterRole = (name: string) =>
    rbac.clusterRoles.find(r => r.metadata.name === name);
  const rules: PolicyRule[] = [];
  for (const b of rbac.clusterRoleBindings) {
    if (bound(b) && b.roleRef?.kind === 'ClusterRole')
      rules.push(...(clusterRole(b.roleRef.name)?.rules ?? []));
  }
  if (namespace) {
    for (const b of rbac.roleBindings) {
      if (b.metadata.namespace !== namespace || !bound(b)) continue;
      const role =
        b.roleRef?.kind === 'ClusterRole'
          ? clusterRole(b.roleRef.name)
          : rbac.roles.find(
              r =>
                r.metadata.namespace === namespace &&
                r.metadata.name === b.roleRef?.name,
            );
      rules.push(...(role?.rules ?? []));
    }
  }
  return rules;
}

export type AuthorizationVerdict =
  | { allowed: true }
  | { allowed: false; message: string };

/**
 * Is the request allowed? When not, `message` is the apiserver's own sentence, e.g. `jobs.batch is
 * forbidden: User "system:serviceaccount:x:y" cannot create resource "jobs" in API group "batch" in
 * the namespace "vault"`.
 */
export function authorize(
  user: KubeUser,
  a: RequestAttributes,
  rbac: RbacObjects,
): AuthorizationVerdict {
  if (rulesFor(user, a.namespace, rbac).some(r => ruleMatches(r, a)))
    return { allowed: true };
  const qualified = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
  const resource = a.subresource
    ? `${a.resource}/${a.subresource}`
    : a.resource;
  const scope = a.namespace
    ? `in the namespace "${a.namespace}"`
    : 'at the cluster scope';
  return {
    allowed: false,
    message: `${qualified}${a.name ? ` "${a.name}"` : ''} is forbidden: User "${
      user.username
    }" cannot ${a.verb} resource "${resource}" in API group "${
      a.apiGroup
    }" ${scope}`,
  };
}
