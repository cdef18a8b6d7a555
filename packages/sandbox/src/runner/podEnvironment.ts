import { KubeObject } from '../kube/types';

export type SecretReader = (
  namespace: string,
  name: string,
) => KubeObject | undefined;

/** Why a container cannot be configured (the kubelet's CreateContainerConfigError). */
export class ContainerConfigError extends Error {}

function secretValue(
  read: SecretReader,
  namespace: string,
  ref: { name: string; key: string; optional?: boolean },
) {
  const secret = read(namespace, ref.name);
  if (!secret) {
    if (ref.optional) return undefined;
    throw new ContainerConfigError(`secret "${ref.name}" not found`);
  }
  const encoded = secret.data?.[ref.key];
  if (encoded === undefined) {
    if (ref.optional) return undefined;
    throw new ContainerConfigError(
      `couldn't find key ${ref.key} in Secret ${namespace}/${ref.name}`,
    );
  }
  return Buffer.from(encoded, 'base64').toString('utf8');
}

function fieldValue(pod: KubeObject, fieldPath: string) {
  const fields: Record<string, string | undefined> = {
    'metadata.name': pod.metadata.name,
    'metadata.namespace': pod.metadata.namespace,
    'metadata.uid': pod.metadata.uid,
    'spec.nodeName': pod.spec?.nodeName,
    'spec.serviceAccountName': pod.spec?.serviceAccountName,
    'status.podIP': '127.0.0.1',
    'status.hostIP': '127.0.0.1',
  };
  const label = /^metadata\.labels\['(.+)'\]$/.exec(fieldPath);
  if (label) return pod.metadata.labels?.[label[1]] ?? '';
  const annotation = /^metadata\.annotations\['(.+)'\]$/.exec(fieldPath);
  if (annotation) return pod.metadata.annotations?.[annotation[1]] ?? '';
  if (!(fieldPath in fields))
    throw new ContainerConfigError(`unsupported fieldRef ${fieldPath}`);
  return fields[fieldPath] ?? '';
}

/** `$(VAR)` references to earlier variables expand; `$$(VAR)` escapes; unknown ones stay as written. */
export function expandReferences(value: string, env: Record<string, string>) {
  return value.replace(
    /\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g,
    (match, name) => {
      if (match === '$$') return '$';
      return name in env ? env[name] : match;
    },
  );
}

/**
 * The container's environment as the kubelet builds it: `envFrom` Secrets first, then `env` in
 * order (literal values with `$(VAR)` expansion, secretKeyRef, fieldRef). Throws
 * ContainerConfigError for a missing Secret or key, or a ConfigMap (the sandbox serves none).
 */
export function podEnvironment(
  pod: KubeObject,
  container: any,
  readSecret: SecretReader,
): Record<string, string> {
  const namespace = pod.metadata.namespace!;
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef)
      throw new ContainerConfigError(
        `configmap "${from.configMapRef.name}" not found`,
      );
    if (!from.secretRef) continue;
    const secret = readSecret(namespace, from.secretRef.name);
    if (!secret) {
      if (from.secretRef.optional) continue;
      throw new ContainerConfigError(
        `secret "${from.secretRef.name}" not found`,
      );
    }
    for (const [k, v] of Object.entries<string>(secret.data ?? {})) {
      env[`${from.prefix ?? ''}${k}`] = Buffer.from(v, 'base64').toString(
        'utf8',
      );
    }
  }
  for (const e of container.env ?? []) {
    if (e.valueFrom?.secretKeyRef) {
      const v = secretValue(readSecret, namespace, e.valueFrom.secretKeyRef);
      if (v !== undefined) env[e.name] = v;
    } else if (e.valueFrom?.fieldRef) {
      env[e.name] = fieldValue(pod, e.valueFrom.fieldRef.fieldPath);
    } else if (e.valueFrom?.configMapKeyRef) {
      if (!e.valueFrom.configMapKeyRef.optional) {
        throw new ContainerConfigError(
          `configmap "${e.valueFrom.configMapKeyRef.name}" not found`,
        );
      }
    } else if (e.valueFrom) {
      throw new ContainerConfigError(`unsupported valueFrom for ${e.name}`);
    } else {
      env[e.name] = expandReferences(String(e.value ?? ''), env);
    }
  }
  return env;
}
