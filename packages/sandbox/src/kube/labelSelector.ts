/** One requirement of a label selector, as the apiserver parses `?labelSelector=`. */
export type LabelRequirement =
  | { key: string; op: 'exists' | '!exists' }
  | { key: string; op: '=' | '!='; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] };

export class SelectorParseError extends Error {}

const KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Splits on commas that are not inside `( … )`. */
function splitTopLevel(selector: string) {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts.map(p => p.trim()).filter(p => p !== '');
}

function checkKey(key: string) {
  if (!KEY.test(key))
    throw new SelectorParseError(`invalid label key "${key}"`);
  return key;
}

function checkValue(value: string) {
  if (!VALUE.test(value) || value.length > 63) {
    throw new SelectorParseError(`invalid label value: "${value}"`);
  }
  return value;
}

/** Parses `a=b,c!=d,e in (f,g),h notin (i),j,!k`; throws SelectorParseError on bad syntax. */
export function parseLabelSelector(
  selector: string | undefined,
): LabelRequirement[] {
  if (!selector) return [];
  return splitTopLevel(selector).map(part => {
    const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(part);
    if (set) {
      const values = set[3].split(',').map(v => checkValue(v.trim()));
      return { key: checkKey(set[1]), op: set[2] as 'in' | 'notin', values };
    }
    const eq = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
    if (eq) {
      return {
        key: checkKey(eq[1]),
        op: eq[2] === '!=' ? '!=' : '=',
        value: checkValue(eq[3]),
      };
    }
    if (part.startsWith('!'))
      return { key: checkKey(part.slice(1).trim()), op: '!exists' };
    if (/^\S+$/.test(part)) return { key: checkKey(part), op: 'exists' };
    throw new SelectorParseError(`unable to parse requirement: "${part}"`);
  });
}

/** Kubernetes semantics: `!=` and `notin` also match objects that lack the label. */
export function matchesLabels(
  requirements: LabelRequirement[],
  labels: Record<string, string> | undefined,
) {
  const l = labels ?? {};
  return requirements.every(r => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case '!exists':
        return !has;
      case '=':
        return has && l[r.key] === r.value;
      case '!=':
        return !has || l[r.key] !== r.value;
      case 'in':
        return has && r.values.includes(l[r.key]);
      case 'notin':
        return !has || !r.values.includes(l[r.key]);
      default:
        return false;
    }
  });
}
