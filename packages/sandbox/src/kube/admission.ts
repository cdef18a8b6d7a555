import { KubeObject, ResourceType } from './types';

/** One `details.causes` entry of a 422 Invalid Status. */
export interface Cause {
  field: string;
  message: string;
  reason?:
    | 'FieldValueInvalid'
    | 'FieldValueRequired'
    | 'FieldValueNotSupported'
    | 'FieldValueForbidden';
}

const SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function nameCauses(type: ResourceType, name: string): Cause[] {
  const field = 'metadata.name';
  // Namespaces are DNS labels; Jobs too, because their name becomes a label value on the Pods.
  const asLabel = type.kind === 'Namespace' || type.kind === 'Job';
  const max = asLabel ? 63 : 253;
  const causes: Cause[] = [];
  if (name.length > max) {
    causes.push({
      field,
      message: `Invalid value: "${name}": must be no more than ${max} characters`,
    });
  }
  if (asLabel ? !LABEL.test(name) : !SUBDOMAIN.test(name)) {
    causes.push({
      field,
      message: asLabel
        ? `Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`
        : `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    });
  }
  return causes;
}

function podSpecCauses(spec: any, prefix: string): Cause[] {
  const causes: Cause[] = [];
  const containers = spec?.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    return [
      {
        field: `${prefix}.containers`,
        message: 'Required value',
        reason: 'FieldValueRequired',
      },
    ];
  }
  containers.forEach((c: any, i: number) => {
    if (!c?.name) {
      causes.push({
        field: `${prefix}.containers[${i}].name`,
        message: 'Required value',
        reason: 'FieldValueRequired',
      });
    }
    if (!c?.image) {
      causes.push({
        field: `${prefix}.containers[${i}].image`,
        message: 'Required value',
        reason: 'FieldValueRequired',
      });
    }
  });
  return causes;
}

/** What the apiserver's validation rejects for the kinds used here (a subset, see docs/sandbox.md). */
export function validateObject(type: ResourceType, obj: KubeObject): Cause[] {
  const name = obj.metadata.name ?? '';
  const causes = nameCauses(type, name);
  if (obj.metadata.labels) {
    for (const [k, v] of Object.entries(obj.metadata.labels)) {
      if (
        typeof v !== 'string' ||
        v.length > 63 ||
        !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(v)
      ) {
        causes.push({
          field: 'metadata.labels',
          message: `Invalid value: "${v}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
        });
      }
      if (k.length === 0)
        causes.push({
          field: 'metadata.labels',
          message: 'Invalid value: "": name part must be non-empty',
        });
    }
  }
  if (type.kind === 'Job') {
    const tpl = obj.spec?.template?.spec;
    const rp = tpl?.restartPolicy;
    if (rp !== 'Never' && rp !== 'OnFailure') {
      causes.push(
        rp === undefined
          ? {
              field: 'spec.template.spec.restartPolicy',
              message: 'Required value: valid values: "OnFailure", "Never"',
              reason: 'FieldValueRequired',
            }
          : {
              field: 'spec.template.spec.restartPolicy',
              message: `Unsupported value: "${rp}": supported values: "OnFailure", "Never"`,
              reason: 'FieldValueNotSupported',
            },
      );
    }
    causes.push(...podSpecCauses(tpl, 'spec.template.spec'));
  }
  if (type.kind === 'Pod') causes.push(...podSpecCauses(obj.spec, 'spec'));
  return causes;
}

/** Fields the apiserver refuses to change after creation. */
export function validateUpdate(
  type: ResourceType,
  oldObj: KubeObject,
  newObj: KubeObject,
): Cause[] {
  if (type.kind === 'Job') {
    const causes: Cause[] = [];
    for (const field of [
      'selector',
      'template',
      'completions',
      'completionMode',
    ]) {
      if (
        JSON.stringify(oldObj.spec?.[field]) !==
        JSON.stringify(newObj.spec?.[field])
      ) {
        causes.push({
          field: `spec.${field}`,
          message: `Invalid value: ${JSON.stringify(
            newObj.spec?.[field],
          )}: field is immutable`,
        });
      }
    }
    return causes;
  }
  if (type.kind === 'Pod') {
    const strip = (spec: any) =>
      JSON.stringify({
        ...spec,
        containers: spec?.containers?.map((c: any) => ({
          ...c,
          image: undefined,
        })),
        activeDeadlineSeconds: undefined,
      });
    if (strip(oldObj.spec) !== strip(newObj.spec)) {
      return [
        {
          field: 'spec',
          message:
            'Forbidden: pod updates may not change fields other than `spec.containers[*].image`, `spec.activeDeadlineSeconds`, `spec.tolerations` (only additions to existing tolerations)',
          reason: 'FieldValueForbidden',
        },
      ];
    }
  }
  return [];
}

function defaultPodSpec(spec: any) {
  if (!spec) return;
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  for (const c of spec.containers ?? []) {
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
    const image = String(c.image ?? '');
    const tag = image.includes('@') ? 'digest' : /:[^/]+$/.exec(image)?.[0];
    c.imagePullPolicy ??= !tag || tag === ':latest' ? 'Always' : 'IfNotPresent';
    c.resources ??= {};
  }
}

/**
 * Create-time defaults and admission, as the apiserver applies them (mutates `obj`): status is
 * reset, Pods get their service account, Jobs their generated selector and controller-uid labels.
 */
export function prepareForCreate(type: ResourceType, obj: KubeObject) {
  const uid = obj.metadata.uid!;
  if (type.hasStatus) delete obj.status;
  applyDefaults(type, obj);
  switch (type.kind) {
    case 'Namespace':
      obj.metadata.labels = {
        ...obj.metadata.labels,
        'kubernetes.io/metadata.name': obj.metadata.name!,
      };
      obj.spec = { finalizers: ['kubernetes'], ...obj.spec };
      obj.status = { phase: 'Active' };
      break;
    case 'Pod':
      obj.spec.serviceAccountName ??= obj.spec.serviceAccount ?? 'default';
      obj.spec.serviceAccount ??= obj.spec.serviceAccountName;
      obj.status = { phase: 'Pending', qosClass: 'BestEffort' };
      break;
    case 'Job': {
      const spec = obj.spec;
      if (!spec.manualSelector) {
        const name = obj.metadata.name!;
        spec.selector = {
          matchLabels: { 'batch.kubernetes.io/controller-uid': uid },
        };
        spec.template.metadata = {
          ...spec.template.metadata,
          labels: {
            ...spec.template.metadata?.labels,
            'batch.kubernetes.io/controller-uid': uid,
            'batch.kubernetes.io/job-name': name,
            'controller-uid': uid,
            'job-name': name,
          },
        };
      }
      obj.status = {};
      break;
    }
    default:
      break;
  }
}

/** Defaults applied to every write, as the apiserver defaults on every decode (idempotent). */
export function applyDefaults(type: ResourceType, obj: KubeObject) {
  switch (type.kind) {
    case 'Secret':
      obj.type ??= 'Opaque';
      if (obj.stringData) {
        obj.data = { ...obj.data };
        for (const [k, v] of Object.entries(obj.stringData)) {
          obj.data[k] = Buffer.from(String(v)).toString('base64');
        }
        delete obj.stringData;
      }
      break;
    case 'Pod':
      defaultPodSpec(obj.spec);
      break;
    case 'Job': {
      const spec = obj.spec ?? {};
      spec.backoffLimit ??= 6;
      spec.completions ??= 1;
      spec.parallelism ??= 1;
      spec.suspend ??= false;
      spec.completionMode ??= 'NonIndexed';
      spec.podReplacementPolicy ??= 'TerminatingOrFailed';
      defaultPodSpec(spec.template?.spec);
      break;
    }
    default:
      break;
  }
}

const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** `generateName` + 5 characters from the apiserver's alphabet, the base cut to fit 63. */
export function generatedName(
  generateName: string,
  random: () => number = Math.random,
) {
  let suffix = '';
  for (let i = 0; i < 5; i++)
    suffix +=
      GENERATE_ALPHABET[Math.floor(random() * GENERATE_ALPHABET.length)];
  return generateName.slice(0, 58) + suffix;
}
