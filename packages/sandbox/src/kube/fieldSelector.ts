import { SelectorParseError } from './labelSelector';
import { KubeObject, ResourceType } from './types';

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

/**
 * Parses `metadata.name=x,status.phase!=Running`. Only fields the resource type indexes are
 * accepted, as the apiserver answers 400 "field label not supported" for the others.
 */
export function parseFieldSelector(
  selector: string | undefined,
  type: Pick<ResourceType, 'extraFields'>,
): FieldRequirement[] {
  if (!selector) return [];
  const allowed = [
    'metadata.name',
    'metadata.namespace',
    ...(type.extraFields ?? []),
  ];
  return selector
    .split(',')
    .map(p => p.trim())
    .filter(p => p !== '')
    .map(part => {
      const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(part);
      if (!m)
        throw new SelectorParseError(
          `invalid selector: '${part}'; can't understand '${part}'`,
        );
      if (!allowed.includes(m[1])) {
        throw new SelectorParseError(`field label not supported: ${m[1]}`);
      }
      return { field: m[1], op: m[2] === '!=' ? '!=' : '=', value: m[3] };
    });
}

function fieldValue(obj: KubeObject, path: string): string {
  let cur: any = obj;
  for (const seg of path.split('.')) {
    cur = cur?.[seg];
  }
  if (path === 'source' && typeof cur === 'object') return cur?.component ?? '';
  if (cur === undefined || cur === null) return '';
  return String(cur);
}

/** Missing fields compare as the empty string, as in the apiserver's field sets. */
export function matchesFields(
  requirements: FieldRequirement[],
  obj: KubeObject,
) {
  return requirements.every(r =>
    r.op === '='
      ? fieldValue(obj, r.field) === r.value
      : fieldValue(obj, r.field) !== r.value,
  );
}
