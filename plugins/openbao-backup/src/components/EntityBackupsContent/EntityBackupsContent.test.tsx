import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { screen } from '@testing-library/react';
import { EntityBackupsContent } from './EntityBackupsContent';

const entity = (annotations: Record<string, string>) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments', annotations },
  spec: {},
});

describe('EntityBackupsContent', () => {
  it('explains the missing openbao.org/cluster annotation', async () => {
    await renderInTestApp(
      <EntityProvider entity={entity({})}>
        <EntityBackupsContent />
      </EntityProvider>,
    );
    expect(screen.getByText('Missing Annotation')).toBeInTheDocument();
    expect(screen.getAllByText(/openbao\.org\/cluster/).length).toBeGreaterThan(
      0,
    );
  });
});
