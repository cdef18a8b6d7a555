import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  MissingAnnotationEmptyState,
  useEntity,
} from '@backstage/plugin-catalog-react';
import {
  OPENBAO_CLUSTER_ANNOTATION,
  stringifyClusterRef,
} from '@internal/plugin-openbao-backup-common';
import Grid from '@material-ui/core/Grid';
import { useEntityClusters } from '../../hooks';
import { ClusterPanel } from '../ClusterPanel';

function LinkedClusters(props: {
  entity: Entity;
  annotation: string;
  pollIntervalMs?: number;
}) {
  const { entity, annotation } = props;
  const { value, loading, error } = useEntityClusters(entity);
  if (loading && !value) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  const items = value?.items ?? [];
  const problems = value?.errors ?? [];
  if (!items.length && !problems.length) {
    return (
      <EmptyState
        missing="data"
        title="No OpenBao clusters found"
        description={`The ${OPENBAO_CLUSTER_ANNOTATION} annotation ("${annotation}") names no cluster the backend manages.`}
      />
    );
  }
  const entityRef = stringifyEntityRef(entity);
  return (
    <Grid container spacing={3} direction="column">
      {problems.length > 0 && (
        <Grid item>
          <WarningPanel
            title={`Some items of the ${OPENBAO_CLUSTER_ANNOTATION} annotation are invalid`}
            message={problems.join('; ')}
          />
        </Grid>
      )}
      {items.map(entry => (
        <Grid item key={stringifyClusterRef(entry.ref)}>
          {entry.error ? (
            <WarningPanel
              title={`Cannot read ${stringifyClusterRef(entry.ref)}`}
              message={`Its Kubernetes API could not be reached: ${entry.error}`}
            />
          ) : (
            <ClusterPanel
              entry={entry}
              entityRef={entityRef}
              pollIntervalMs={props.pollIntervalMs}
            />
          )}
        </Grid>
      ))}
    </Grid>
  );
}

/** The "Backups" entity tab: one panel per OpenBao cluster the entity links. */
export function EntityBackupsContent(props: { pollIntervalMs?: number }) {
  const { entity } = useEntity();
  const annotation = entity.metadata.annotations?.[OPENBAO_CLUSTER_ANNOTATION];
  if (!annotation) {
    return (
      <MissingAnnotationEmptyState annotation={OPENBAO_CLUSTER_ANNOTATION} />
    );
  }
  return (
    <LinkedClusters
      entity={entity}
      annotation={annotation}
      pollIntervalMs={props.pollIntervalMs}
    />
  );
}
