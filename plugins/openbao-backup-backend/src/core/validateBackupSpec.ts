import {
  DEFAULT_CA_SECRET_KEY,
  MAX_CONCURRENCY,
  MAX_PART_SIZE,
  MIN_PART_SIZE,
  OpenBaoCluster,
  parseSchedule,
  tryParseDuration,
} from '@internal/plugin-openbao-backup-common';
import { ObservedSecret } from './types';
import { parseImageReference } from '../imageVerification/imageReference';

/** One thing wrong with `spec.backup`, with the field to fix and a sentence saying how. */
export interface ValidationProblem {
  field: string;
  message: string;
}

const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/** `s3.example.com` for `AKIA:secret@s3.example.com`: what comes before an `@` may be a secret. */
function withoutUserInfo(endpoint: string): string {
  return endpoint.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/]*@/i, '$1<redacted>@');
}

/** Why a referenced Secret cannot serve (missing, or lacking keys); undefined when it can. */
function secretProblem(
  secrets: ObservedSecret[],
  name: string,
  namespace: string,
  keys: string[],
  purpose?: string,
): string | undefined {
  const secret = secrets.find(s => s.name === name);
  if (!secret) return `Secret "${name}" not found in namespace "${namespace}"`;
  const missing = keys.filter(k => !secret.keys.includes(k));
  if (!missing.length) return undefined;
  return `Secret "${name}" lacks key${
    missing.length > 1 ? 's' : ''
  } ${missing.join(', ')}${purpose ? ` (${purpose})` : ''}`;
}

function isInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

/** The Secrets the adapter should read for {@link validateBackupSpec} and the pre-flight. */
export function secretsToObserve(cluster: OpenBaoCluster): string[] {
  const backup = cluster.spec?.backup;
  return [
    backup?.target?.credentialsSecretRef?.name,
    backup?.target?.caSecretRef?.name,
    backup?.tokenSecretRef?.name,
  ].filter(
    (n, i, all): n is string =>
      typeof n === 'string' && n !== '' && all.indexOf(n) === i,
  );
}

/**
 * Every problem in an OpenBaoCluster's backup configuration, each with an actionable message; an
 * empty list means valid. `observedSecrets` are the Secrets found in the cluster's namespace (keys
 * only); pass `undefined` when they could not be read, to skip the Secret checks.
 */
export function validateBackupSpec(
  cluster: OpenBaoCluster,
  observedSecrets: ObservedSecret[] | undefined,
): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const add = (field: string, message: string) =>
    problems.push({ field, message });
  const { name, namespace } =
    cluster.metadata ?? ({} as OpenBaoCluster['metadata']);

  if (
    typeof name !== 'string' ||
    !DNS_1035_LABEL.test(name) ||
    name.length > 63
  ) {
    add(
      'metadata.name',
      `cluster name "${name}" must be a DNS label of at most 63 characters (a-z, 0-9, "-", starting with a letter): ` +
        'it is used in Service host names, the Job label openbao.org/cluster and the Secret <cluster>-tls',
    );
  }
  if (
    typeof namespace !== 'string' ||
    !DNS_1123_LABEL.test(namespace) ||
    namespace.length > 63
  ) {
    add(
      'metadata.namespace',
      `namespace "${namespace}" is not a valid DNS label`,
    );
  }
  const replicas = cluster.spec?.replicas;
  if (replicas !== undefined && (!isInt(replicas) || replicas < 1)) {
    add(
      'spec.replicas',
      `replicas must be an integer ≥ 1, got ${JSON.stringify(replicas)}`,
    );
  }

  const backup = cluster.spec?.backup;
  if (!backup) {
    add(
      'spec.backup',
      'spec.backup is not set: add a schedule, executorImage and target to enable backups',
    );
    return problems;
  }
  if (typeof backup !== 'object' || Array.isArray(backup)) {
    add(
      'spec.backup',
      `spec.backup must be an object with schedule, executorImage and target, got ${typeof backup}`,
    );
    return problems;
  }

  const schedule = parseSchedule(backup.schedule, backup.timeZone);
  if (!schedule.ok) {
    add(
      backup.timeZone && schedule.error.startsWith('time zone')
        ? 'spec.backup.timeZone'
        : 'spec.backup.schedule',
      schedule.error,
    );
  }

  const image = backup.executorImage;
  if (typeof image !== 'string' || image.trim() === '') {
    add(
      'spec.backup.executorImage',
      'executorImage is required (e.g. registry.example/openbao-backup-executor@sha256:…)',
    );
  } else if (/\s/.test(image)) {
    add(
      'spec.backup.executorImage',
      `executorImage "${image}" contains whitespace`,
    );
  } else if (cluster.spec?.imageVerification?.enabled) {
    // A tag is fine: verification resolves it and the Job runs `repo@sha256:<verified digest>`.
    try {
      parseImageReference(image);
    } catch (e) {
      add('spec.backup.executorImage', (e as Error).message);
    }
  }
  const verification = cluster.spec?.imageVerification;
  if (
    verification?.enabled &&
    !verification.publicKey &&
    !verification.publicKeySecretRef?.name &&
    !(verification.issuer && verification.subject)
  ) {
    add(
      'spec.imageVerification',
      'imageVerification is enabled but neither publicKey, publicKeySecretRef nor issuer and subject are set',
    );
  }

  const target = backup.target;
  if (!target) {
    add(
      'spec.backup.target',
      'target is required: set at least target.bucket and credentials',
    );
  } else {
    if (typeof target.bucket !== 'string' || target.bucket.trim() === '') {
      add('spec.backup.target.bucket', 'target.bucket is required');
    } else if (
      !DNS_SUBDOMAIN.test(target.bucket) &&
      !/^[A-Za-z0-9._-]+$/.test(target.bucket)
    ) {
      add(
        'spec.backup.target.bucket',
        `bucket "${target.bucket}" is not a valid bucket name`,
      );
    }
    if (target.endpoint !== undefined && target.endpoint !== '') {
      let url: URL | undefined;
      try {
        url = new URL(target.endpoint);
      } catch {
        url = undefined;
      }
      if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
        add(
          'spec.backup.target.endpoint',
          `endpoint "${withoutUserInfo(
            target.endpoint,
          )}" is not an http(s) URL (e.g. https://s3.example.com)`,
        );
      } else if (url.username || url.password) {
        // Never echoed: the status and Events are readable by anyone who can read the cluster.
        add(
          'spec.backup.target.endpoint',
          'endpoint contains credentials (user:password@): remove them from the URL and put the keys in the Secret of target.credentialsSecretRef',
        );
      }
    }
    if (
      target.region !== undefined &&
      (typeof target.region !== 'string' || target.region.trim() === '')
    ) {
      add(
        'spec.backup.target.region',
        'region is empty: remove it (default us-east-1) or set one',
      );
    }
    const secretName = target.credentialsSecretRef?.name;
    if (target.roleArn !== undefined && !/^arn:[^:\s]+:/.test(target.roleArn)) {
      add(
        'spec.backup.target.roleArn',
        `roleArn "${target.roleArn}" is not an ARN (arn:<partition>:iam::<account>:role/<name>)`,
      );
    }
    if (target.roleArn && target.credentialsSecretRef) {
      add(
        'spec.backup.target',
        'set either target.roleArn (web identity) or target.credentialsSecretRef (static keys), not both',
      );
    } else if (!target.roleArn) {
      if (!secretName) {
        add(
          'spec.backup.target.credentialsSecretRef',
          'no credentials: set target.credentialsSecretRef (Secret with accessKeyId and secretAccessKey) or target.roleArn',
        );
      } else if (observedSecrets) {
        const problem = secretProblem(observedSecrets, secretName, namespace, [
          'accessKeyId',
          'secretAccessKey',
        ]);
        if (problem) add('spec.backup.target.credentialsSecretRef', problem);
      }
    }
    const ca = target.caSecretRef;
    if (ca !== undefined && ca !== null) {
      const caKey = ca.key || DEFAULT_CA_SECRET_KEY;
      if (typeof ca.name !== 'string' || !DNS_SUBDOMAIN.test(ca.name)) {
        add(
          'spec.backup.target.caSecretRef',
          "caSecretRef.name must name a Secret in the cluster's namespace",
        );
      } else if (!SECRET_KEY.test(caKey)) {
        add(
          'spec.backup.target.caSecretRef',
          `caSecretRef.key "${caKey}" is not a Secret key (letters, digits, "-", "_", ".")`,
        );
      } else if (observedSecrets) {
        const problem = secretProblem(
          observedSecrets,
          ca.name,
          namespace,
          [caKey],
          'the PEM CA of the S3 endpoint',
        );
        if (problem) add('spec.backup.target.caSecretRef', problem);
      }
    }
    if (
      target.partSize !== undefined &&
      (!isInt(target.partSize) ||
        target.partSize < MIN_PART_SIZE ||
        target.partSize > MAX_PART_SIZE)
    ) {
      add(
        'spec.backup.target.partSize',
        `partSize must be an integer number of bytes from ${MIN_PART_SIZE} (5 MiB) to ${MAX_PART_SIZE} (5 GiB), got ${JSON.stringify(
          target.partSize,
        )}`,
      );
    }
    if (
      target.concurrency !== undefined &&
      (!isInt(target.concurrency) ||
        target.concurrency < 1 ||
        target.concurrency > MAX_CONCURRENCY)
    ) {
      add(
        'spec.backup.target.concurrency',
        `concurrency must be an integer from 1 to ${MAX_CONCURRENCY}, got ${JSON.stringify(
          target.concurrency,
        )}`,
      );
    }
  }

  const hasJwt =
    typeof backup.jwtAuthRole === 'string' && backup.jwtAuthRole !== '';
  const hasToken = !!backup.tokenSecretRef?.name;
  if (hasJwt && hasToken) {
    add('spec.backup', 'set either jwtAuthRole or tokenSecretRef, not both');
  } else if (!hasJwt && !hasToken) {
    add(
      'spec.backup.jwtAuthRole',
      'no OpenBao auth configured: set jwtAuthRole (recommended) or tokenSecretRef',
    );
  } else if (hasToken && observedSecrets) {
    const problem = secretProblem(
      observedSecrets,
      backup.tokenSecretRef!.name,
      namespace,
      ['token'],
    );
    if (problem) add('spec.backup.tokenSecretRef', problem);
  }
  if (
    backup.jwtAuthMount !== undefined &&
    (typeof backup.jwtAuthMount !== 'string' ||
      !/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(backup.jwtAuthMount) ||
      // "." and ".." segments would move the login URL out of auth/ (…/auth/../sys/…).
      backup.jwtAuthMount.split('/').some(seg => /^\.{1,2}$/.test(seg)))
  ) {
    add(
      'spec.backup.jwtAuthMount',
      `jwtAuthMount "${backup.jwtAuthMount}" is not a mount path (e.g. jwt or auth/k8s)`,
    );
  }

  const retention = backup.retention;
  if (
    retention?.maxCount !== undefined &&
    (!isInt(retention.maxCount) || retention.maxCount < 1)
  ) {
    add(
      'spec.backup.retention.maxCount',
      `maxCount must be an integer ≥ 1, got ${JSON.stringify(
        retention.maxCount,
      )}`,
    );
  }
  if (retention?.maxAge !== undefined) {
    const age = tryParseDuration(retention.maxAge);
    if (!age.ok) add('spec.backup.retention.maxAge', age.error);
    else if (age.ms <= 0)
      add(
        'spec.backup.retention.maxAge',
        `maxAge must be positive, got "${retention.maxAge}"`,
      );
  }
  if (
    backup.activeDeadlineSeconds !== undefined &&
    (!isInt(backup.activeDeadlineSeconds) || backup.activeDeadlineSeconds < 1)
  ) {
    add(
      'spec.backup.activeDeadlineSeconds',
      `activeDeadlineSeconds must be an integer ≥ 1, got ${JSON.stringify(
        backup.activeDeadlineSeconds,
      )}`,
    );
  }
  return problems;
}
