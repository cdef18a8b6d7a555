import { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  ClusterDetail,
  ClusterRef,
  EntityClusters,
  FleetResponse,
  RetentionPreview,
  SnapshotList,
  TriggerResponse,
} from '@internal/plugin-openbao-backup-common';
import { OpenBaoBackupApi } from './OpenBaoBackupApi';

const clusterPath = (ref: ClusterRef) =>
  `/clusters/${[ref.kubernetesCluster, ref.namespace, ref.name]
    .map(encodeURIComponent)
    .join('/')}`;

/** Talks to the openbao-backup backend through Backstage's discovery and authenticated fetch. */
export class OpenBaoBackupClient implements OpenBaoBackupApi {
  readonly #discoveryApi: DiscoveryApi;
  readonly #fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.#discoveryApi = options.discoveryApi;
    this.#fetchApi = options.fetchApi;
  }

  getFleet() {
    return this.#request<FleetResponse>('/clusters');
  }

  getEntityClusters(entity: { kind: string; namespace: string; name: string }) {
    const path = [entity.kind, entity.namespace, entity.name]
      .map(encodeURIComponent)
      .join('/');
    return this.#request<EntityClusters>(`/entity/${path}`);
  }

  getCluster(ref: ClusterRef) {
    return this.#request<ClusterDetail>(clusterPath(ref));
  }

  listSnapshots(ref: ClusterRef) {
    return this.#request<SnapshotList>(`${clusterPath(ref)}/backups`);
  }

  previewRetention(ref: ClusterRef) {
    return this.#request<RetentionPreview>(
      `${clusterPath(ref)}/retention/preview`,
    );
  }

  triggerBackup(ref: ClusterRef, reason: string) {
    return this.#request<TriggerResponse>(`${clusterPath(ref)}/trigger`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ reason }),
    });
  }

  async #request<T>(path: string, init?: RequestInit): Promise<T> {
    const baseUrl = await this.#discoveryApi.getBaseUrl('openbao-backup');
    const response = await this.#fetchApi.fetch(`${baseUrl}${path}`, init);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
