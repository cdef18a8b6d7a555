import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { DEMO_CLUSTERS } from './demoClusters';

/**
 * The demo's catalog (examples/*.yaml) and its sandbox (DEMO_CLUSTERS) are written apart: a
 * renamed cluster would leave an entity whose Backups tab finds nothing. Every annotation item
 * must name a demo cluster on its Kubernetes cluster, every demo cluster must be linked, and
 * the two teams of the issue must own them.
 */
const EXAMPLES = join(__dirname, '../../../../examples');

function entities(file: string) {
  return parseAllDocuments(readFileSync(join(EXAMPLES, file), 'utf8')).map(d =>
    d.toJS(),
  );
}

describe('the demo catalog', () => {
  const components = entities('entities.yaml');
  const groups = entities('org.yaml').filter(e => e.kind === 'Group');
  const linked = components.flatMap(e =>
    (e.metadata.annotations?.['openbao.org/cluster'] ?? '')
      .split(',')
      .map((item: string) => item.trim())
      .filter(Boolean)
      .map((item: string) => ({ item, owner: e.spec.owner })),
  );

  it('links every demo cluster, with its Kubernetes cluster, and nothing else', () => {
    expect(linked.map(l => l.item).sort()).toEqual(
      DEMO_CLUSTERS.map(
        c => `${c.kubernetesCluster}/${c.namespace}/${c.name}`,
      ).sort(),
    );
    expect(
      new Set(DEMO_CLUSTERS.map(c => c.kubernetesCluster)).size,
    ).toBeGreaterThanOrEqual(2);
  });

  it('has the linked clusters owned by two teams that exist as Groups', () => {
    const owners = new Set(linked.map(l => l.owner));
    expect(owners.size).toBeGreaterThanOrEqual(2);
    for (const owner of owners) {
      expect(groups.map(g => `group:default/${g.metadata.name}`)).toContain(
        owner,
      );
    }
  });
});
