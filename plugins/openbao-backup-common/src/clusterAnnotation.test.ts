import {
  parseClusterAnnotation,
  stringifyClusterRef,
} from './clusterAnnotation';

describe('parseClusterAnnotation', () => {
  it.each([
    [
      'vault/bao',
      [{ kubernetesCluster: 'local', namespace: 'vault', name: 'bao' }],
    ],
    [
      'prod/vault/bao, staging/vault/bao',
      [
        { kubernetesCluster: 'prod', namespace: 'vault', name: 'bao' },
        { kubernetesCluster: 'staging', namespace: 'vault', name: 'bao' },
      ],
    ],
    // duplicates collapse, blanks are ignored
    [
      'vault/bao,,local/vault/bao',
      [{ kubernetesCluster: 'local', namespace: 'vault', name: 'bao' }],
    ],
  ])('reads %j', (value, refs) => {
    expect(parseClusterAnnotation(value, 'local')).toEqual({
      refs,
      errors: [],
    });
  });

  it('reports each bad item and keeps the good ones', () => {
    const parsed = parseClusterAnnotation(
      'bao, a/b/c/d, Vault/bao, ns/bao_1, ok/ok',
      'local',
    );
    expect(parsed.refs.map(stringifyClusterRef)).toEqual(['local/ok/ok']);
    expect(parsed.errors).toEqual([
      '"bao" is not [<kubernetes-cluster>/]<namespace>/<name>',
      '"a/b/c/d" is not [<kubernetes-cluster>/]<namespace>/<name>',
      '"Vault/bao" has an invalid namespace',
      '"ns/bao_1" has an invalid name',
    ]);
  });

  it('treats a missing annotation as no clusters', () => {
    expect(parseClusterAnnotation(undefined, 'local')).toEqual({
      refs: [],
      errors: [],
    });
  });
});
