import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import {
  Entity,
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  ClusterRef,
  OPENBAO_CLUSTER_ANNOTATION,
  parseClusterAnnotation,
  stringifyClusterRef,
} from '@internal/plugin-openbao-backup-common';

export interface ClusterLinks {
  entityRefs: string[];
  owners: string[];
}

const CACHE_MS = 30_000;

/**
 * Which catalog entities link which OpenBao clusters (annotation `openbao.org/cluster`), read
 * with the plugin's own credentials and cached briefly. Permission checks on cluster routes are
 * made against these entities.
 */
export class CatalogLinks {
  readonly #catalog: CatalogService;
  readonly #auth: AuthService;
  readonly #logger: LoggerService;
  readonly #defaultCluster: string;
  #cache?: { at: number; links: Map<string, ClusterLinks> };

  static create(options: {
    catalog: CatalogService;
    auth: AuthService;
    logger: LoggerService;
    defaultCluster: string;
  }) {
    return new CatalogLinks(options);
  }

  private constructor(options: {
    catalog: CatalogService;
    auth: AuthService;
    logger: LoggerService;
    defaultCluster: string;
  }) {
    this.#catalog = options.catalog;
    this.#auth = options.auth;
    this.#logger = options.logger;
    this.#defaultCluster = options.defaultCluster;
  }

  /** Cluster refs of one entity's annotation, with the items that could not be parsed. */
  refsOf(entity: Entity) {
    return parseClusterAnnotation(
      entity.metadata.annotations?.[OPENBAO_CLUSTER_ANNOTATION],
      this.#defaultCluster,
    );
  }

  async linksOf(ref: ClusterRef): Promise<ClusterLinks> {
    const links = await this.#all();
    return (
      links.get(stringifyClusterRef(ref)) ?? { entityRefs: [], owners: [] }
    );
  }

  async #all(): Promise<Map<string, ClusterLinks>> {
    if (this.#cache && Date.now() - this.#cache.at < CACHE_MS)
      return this.#cache.links;
    const links = new Map<string, ClusterLinks>();
    try {
      const { items } = await this.#catalog.getEntities(
        {
          filter: {
            [`metadata.annotations.${OPENBAO_CLUSTER_ANNOTATION}`]:
              CATALOG_FILTER_EXISTS,
          },
          fields: ['kind', 'metadata', 'relations'],
        },
        { credentials: await this.#auth.getOwnServiceCredentials() },
      );
      for (const entity of items) {
        const entityRef = stringifyEntityRef(entity);
        const owners = (entity.relations ?? [])
          .filter(r => r.type === RELATION_OWNED_BY)
          .map(r => r.targetRef);
        for (const ref of this.refsOf(entity).refs) {
          const key = stringifyClusterRef(ref);
          const entry = links.get(key) ?? { entityRefs: [], owners: [] };
          entry.entityRefs.push(entityRef);
          entry.owners.push(...owners.filter(o => !entry.owners.includes(o)));
          links.set(key, entry);
        }
      }
      this.#cache = { at: Date.now(), links };
    } catch (e) {
      // Without the catalog, clusters are still shown, just without owners.
      this.#logger.warn('cannot read catalog links', { error: String(e) });
    }
    return links;
  }
}
