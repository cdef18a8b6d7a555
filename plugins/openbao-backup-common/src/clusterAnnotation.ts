import { ClusterRef } from './types';

/** Result of reading the `openbao.org/cluster` annotation: the refs, plus one message per bad item. */
export interface ParsedClusterAnnotation {
  refs: ClusterRef[];
  errors: string[];
}

// RFC 1123 label (namespace) / subdomain (resource name, Kubernetes cluster name in config).
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * Parses `[<k8s-cluster>/]<namespace>/<name>` items separated by commas. Items without a Kubernetes
 * cluster use `defaultKubernetesCluster`. Bad items are reported, never silently dropped.
 */
export function parseClusterAnnotation(
  value: string | undefined,
  defaultKubernetesCluster: string,
): ParsedClusterAnnotation {
  const refs: ClusterRef[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const raw of (value ?? '').split(',')) {
    const item = raw.trim();
    if (!item) continue;
    const parts = item.split('/');
    if (parts.length < 2 || parts.length > 3) {
      errors.push(
        `"${item}" is not [<kubernetes-cluster>/]<namespace>/<name>`,
      );
      continue;
    }
    const [kubernetesCluster, namespace, name] =
      parts.length === 3 ? parts : [defaultKubernetesCluster, ...parts];
    const problems = [
      !DNS_SUBDOMAIN.test(kubernetesCluster) && 'Kubernetes cluster name',
      (!DNS_LABEL.test(namespace) || namespace.length > 63) && 'namespace',
      (!DNS_SUBDOMAIN.test(name) || name.length > 253) && 'name',
    ].filter(Boolean);
    if (problems.length) {
      errors.push(`"${item}" has an invalid ${problems.join(' and ')}`);
      continue;
    }
    const key = `${kubernetesCluster}/${namespace}/${name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    refs.push({ kubernetesCluster, namespace, name });
  }
  return { refs, errors };
}

/** `k8s/namespace/name`, the form used in URLs, logs and the fleet list. */
export function stringifyClusterRef(ref: ClusterRef): string {
  return `${ref.kubernetesCluster}/${ref.namespace}/${ref.name}`;
}
