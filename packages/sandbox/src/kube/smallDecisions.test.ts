import { generatedName, validateObject } from './admission';
import { faultMatches } from './FaultInjector';
import { jsonEqual } from './jsonEqual';
import { decodeContinue, encodeContinue, listPage } from './listing';
import { parseApiPath } from './parseApiPath';
import { terminationMessage } from './podStatus';
import { lookupResource, RESOURCE_TYPES } from './resources';
import { KubeObject, StoreEvent } from './types';
import { watchEventFor } from './watchEvents';

describe('parseApiPath', () => {
  const kinds = (p: string) => {
    const r = parseApiPath(p, RESOURCE_TYPES);
    return r.kind === 'resource'
      ? `${r.type.plural}|${r.namespace ?? ''}|${r.name ?? ''}|${
          r.subresource ?? ''
        }`
      : r.kind;
  };
  it.each([
    ['/api', 'root'],
    ['/apis', 'root'],
    ['/apis/batch', 'group'],
    ['/apis/apps', 'unknown'],
    ['/api/v1', 'groupVersion'],
    ['/apis/openbao.org/v1alpha1', 'groupVersion'],
    ['/api/v1/namespaces', 'namespaces|||'],
    ['/api/v1/namespaces/ns', 'namespaces||ns|'],
    ['/api/v1/namespaces/ns/status', 'namespaces||ns|status'],
    ['/api/v1/namespaces/ns/pods', 'pods|ns||'],
    ['/api/v1/namespaces/ns/pods/p/log', 'pods|ns|p|log'],
    ['/api/v1/pods', 'pods|||'],
    ['/api/v1/pods/p', 'unknown'],
    ['/apis/batch/v1/namespaces/ns/jobs/j/status', 'jobs|ns|j|status'],
    ['/apis/openbao.org/v1alpha1/openbaoclusters', 'openbaoclusters|||'],
    ['/apis/events.k8s.io/v1/namespaces/ns/events', 'events|ns||'],
    ['/apis/batch/v1/namespaces/ns/jobs/j/status/extra', 'unknown'],
  ])('%s → %s', (path, expected) => {
    expect(kinds(path)).toBe(expected);
  });
});

describe('faultMatches', () => {
  const req = {
    method: 'GET',
    path: '/apis/batch/v1/namespaces/ns/jobs/j',
    watch: false,
  };
  it.each([
    [{}, true],
    [{ method: 'get' }, true],
    [{ method: 'PUT' }, false],
    [{ pathPattern: '/apis/batch/v1/namespaces/*/jobs/*' }, true],
    [{ pathPattern: '/apis/batch/v1/namespaces/*/jobs' }, false],
    [{ pathPattern: '/apis/**' }, true],
    [{ pathPattern: '/apis/*/jobs/j' }, false],
    [{ pathPattern: /jobs\/j$/ }, true],
    [{ watch: true }, false],
    [{ watch: false }, true],
  ])('%j → %s', (fault, expected) => {
    expect(faultMatches(fault, req)).toBe(expected);
  });
});

describe('admission', () => {
  it('generates names with the apiserver alphabet, cutting the base to fit 63', () => {
    expect(generatedName('x-', () => 0)).toBe('x-bbbbb');
    expect(generatedName('a'.repeat(70), () => 0.999)).toBe(
      `${'a'.repeat(58)}99999`,
    );
  });

  it.each([
    ['secrets', 'ok.name-1', 0],
    ['secrets', 'Upper', 1],
    ['secrets', 'a'.repeat(254), 1],
    ['namespaces', 'has.dot', 1],
    ['jobs.batch', 'a'.repeat(64), 1],
  ])('%s named %j → %i causes', (type, name, count) => {
    const obj: KubeObject = {
      metadata: { name },
      spec: {
        template: {
          spec: {
            restartPolicy: 'Never',
            containers: [{ name: 'c', image: 'i' }],
          },
        },
      },
    };
    expect(validateObject(lookupResource(type), obj)).toHaveLength(count);
  });
});

describe('terminationMessage', () => {
  it.each([
    ['File', { exitCode: 1, message: 'from file' }, 'log', 'from file'],
    ['File', { exitCode: 1, message: '' }, 'log', ''],
    ['FallbackToLogsOnError', { exitCode: 1, message: '' }, 'a\nb', 'a\nb'],
    ['FallbackToLogsOnError', { exitCode: 0, message: '' }, 'a\nb', ''],
    ['File', { exitCode: 0, message: 'x'.repeat(5000) }, '', 'x'.repeat(4096)],
  ])('%s %j → %j', (policy, exit, log, expected) => {
    expect(terminationMessage(policy, exit, log)).toBe(expected);
  });
});

describe('watchEventFor', () => {
  const type = lookupResource('secrets');
  const obj = (labels?: Record<string, string>): KubeObject => ({
    metadata: { name: 's', namespace: 'ns', labels },
  });
  const q = {
    labels: [{ key: 'a', op: '=' as const, value: '1' }],
    fields: [],
  };
  const ev = (
    t: StoreEvent['type'],
    object: KubeObject,
    oldObject?: KubeObject,
  ): StoreEvent => ({
    type: t,
    resource: type,
    object,
    oldObject,
    resourceVersion: 1,
  });
  it.each([
    [ev('ADDED', obj({ a: '1' })), 'ADDED'],
    [ev('ADDED', obj()), undefined],
    [ev('MODIFIED', obj({ a: '1' }), obj({ a: '1' })), 'MODIFIED'],
    [ev('MODIFIED', obj({ a: '1' }), obj()), 'ADDED'],
    [ev('MODIFIED', obj(), obj({ a: '1' })), 'DELETED'],
    [ev('MODIFIED', obj(), obj()), undefined],
    [ev('DELETED', obj({ a: '1' }), obj({ a: '1' })), 'DELETED'],
  ])('%#', (e, expected) => {
    expect(watchEventFor(q, e)).toBe(expected);
  });
});

describe('listing', () => {
  const items = ['a', 'b', 'c'].map(name => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'ns' },
  }));
  it('pages with a continue token and remainingItemCount', () => {
    const type = lookupResource('secrets');
    const page = listPage(type, items, {
      resourceVersion: 7,
      limit: 2,
      selectorsUsed: false,
    });
    expect(page.items.map(i => i.metadata.name)).toEqual(['a', 'b']);
    expect(page.items[0].kind).toBeUndefined();
    expect(page.metadata.remainingItemCount).toBe(1);
    const token = decodeContinue(page.metadata.continue as string)!;
    expect(token).toMatchObject({ rv: 7, start: 'ns/b' });
    expect(
      listPage(type, items, {
        resourceVersion: 7,
        after: token.start,
        selectorsUsed: false,
      }).items.map(i => i.metadata.name),
    ).toEqual(['c']);
    expect(decodeContinue('%%%')).toBeUndefined();
    expect(decodeContinue(encodeContinue({ rv: 1, start: 'x' }))).toMatchObject(
      { rv: 1, start: 'x' },
    );
  });
});

describe('jsonEqual', () => {
  it.each([
    [{ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 }, true],
    [{ a: 1, x: undefined }, { a: 1 }, true],
    [{ a: 1 }, { a: 2 }, false],
    [[1, 2], [2, 1], false],
    [{ a: null }, {}, false],
    [[], {}, false],
  ])('%j vs %j → %s', (a, b, expected) => {
    expect(jsonEqual(a, b)).toBe(expected);
  });
});
