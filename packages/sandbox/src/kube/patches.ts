import { applyPatch as applyJsonPatchOps, Operation } from 'fast-json-patch';

export const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

export class PatchError extends Error {}

const isPlainObject = (v: unknown): v is Record<string, any> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386: objects merge key by key, `null` deletes, everything else (arrays too) replaces. */
export function applyMergePatch(target: unknown, patch: unknown): any {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const result: Record<string, any> = isPlainObject(target)
    ? structuredClone(target)
    : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

/**
 * Merge keys of the list fields this project's kinds use (from the Kubernetes API's
 * `patchMergeKey` tags). Lists not named here are replaced, as in a merge patch.
 */
const MERGE_KEYS: Record<string, string> = {
  conditions: 'type',
  containers: 'name',
  initContainers: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  env: 'name',
  ports: 'containerPort',
  containerStatuses: 'name',
  ownerReferences: 'uid',
  imagePullSecrets: 'name',
};

function mergeList(key: string, current: unknown, patch: any[]): any[] {
  const mergeKey = MERGE_KEYS[key];
  if (!mergeKey || !Array.isArray(current)) {
    return patch.filter(p => !(isPlainObject(p) && p.$patch === 'delete'));
  }
  const result = structuredClone(current) as any[];
  for (const item of patch) {
    if (!isPlainObject(item) || !(mergeKey in item)) {
      result.push(structuredClone(item));
      continue;
    }
    const index = result.findIndex(
      r => isPlainObject(r) && r[mergeKey] === item[mergeKey],
    );
    if (item.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) {
      result[index] = applyStrategicMergePatch(result[index], item);
    } else {
      result.push(applyStrategicMergePatch(undefined, item));
    }
  }
  return result;
}

/**
 * Strategic merge patch for the kinds this project uses: a merge patch, except that the lists in
 * MERGE_KEYS merge item by item on their key, and `$patch: delete` / `$patch: replace` are honoured.
 */
export function applyStrategicMergePatch(target: unknown, patch: unknown): any {
  if (!isPlainObject(patch)) return structuredClone(patch);
  if (patch.$patch === 'replace') {
    const { $patch, ...rest } = patch;
    return structuredClone(rest);
  }
  const result: Record<string, any> = isPlainObject(target)
    ? structuredClone(target)
    : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch') continue;
    if (value === null) delete result[key];
    else if (Array.isArray(value))
      result[key] = mergeList(key, result[key], value);
    else result[key] = applyStrategicMergePatch(result[key], value);
  }
  return result;
}

/** RFC 6902. A failed `test` or a bad path is the client's error (the apiserver answers 422). */
export function applyJsonPatch(target: unknown, ops: unknown): any {
  if (!Array.isArray(ops))
    throw new PatchError('json patch body must be an array of operations');
  try {
    return applyJsonPatchOps(
      structuredClone(target),
      ops as Operation[],
      true,
      false,
    ).newDocument;
  } catch (e) {
    throw new PatchError(
      `the server rejected our request due to an error in our request: ${
        (e as Error).message.split('\n')[0]
      }`,
    );
  }
}

/** Picks the patch by Content-Type; undefined for a type the double does not serve. */
export function patcherFor(contentType: string | undefined) {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  switch (type) {
    case PATCH_TYPES.json:
      return { type, apply: applyJsonPatch };
    case PATCH_TYPES.merge:
      return { type, apply: applyMergePatch };
    case PATCH_TYPES.strategic:
      return { type, apply: applyStrategicMergePatch };
    default:
      return undefined;
  }
}
