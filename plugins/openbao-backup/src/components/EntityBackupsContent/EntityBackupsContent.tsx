import { MissingAnnotationEmptyState } from '@backstage/plugin-catalog-react';
import { useEntity } from '@backstage/plugin-catalog-react';
import { OPENBAO_CLUSTER_ANNOTATION } from '@internal/plugin-openbao-backup-common';
import { Content } from '@backstage/core-components';

/** The "Backups" entity tab: one panel per OpenBao cluster the entity links. */
export function EntityBackupsContent() {
  const { entity } = useEntity();
  if (!entity.metadata.annotations?.[OPENBAO_CLUSTER_ANNOTATION]) {
    return (
      <MissingAnnotationEmptyState annotation={OPENBAO_CLUSTER_ANNOTATION} />
    );
  }
  return <Content>Backups</Content>;
}
