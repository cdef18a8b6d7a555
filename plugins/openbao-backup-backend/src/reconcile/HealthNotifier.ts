import { DatabaseService, LoggerService } from '@backstage/backend-plugin-api';
import { NotificationService } from '@backstage/plugin-notifications-node';
import {
  BackupHealth,
  ClusterRef,
  stringifyClusterRef,
} from '@internal/plugin-openbao-backup-common';
import { Knex } from 'knex';
import { healthTransition } from './healthTransition';

const TABLE = 'openbao_backup_health';

/** Who to tell about a cluster: the owners of the catalog entities that link it. */
export type OwnerLookup = (
  ref: ClusterRef,
) => Promise<{ owners: string[]; entityRefs: string[] }>;

/**
 * Sends one Backstage notification to the owners when a cluster turns failing or stale and one
 * when it recovers. The last health per cluster lives in the plugin's database, so a restart or
 * another replica never repeats a message while the state persists.
 */
export class HealthNotifier {
  readonly #db: Knex;
  readonly #notifications?: NotificationService;
  readonly #owners: OwnerLookup;
  readonly #logger: LoggerService;

  static async create(options: {
    database: DatabaseService;
    notifications?: NotificationService;
    owners: OwnerLookup;
    logger: LoggerService;
  }): Promise<HealthNotifier> {
    const db = await options.database.getClient();
    if (!(await db.schema.hasTable(TABLE))) {
      await db.schema.createTable(TABLE, table => {
        table.string('cluster', 600).primary();
        table.string('health', 32).notNullable();
        table.timestamp('updated_at').notNullable();
      });
    }
    return new HealthNotifier(db, options);
  }

  private constructor(
    db: Knex,
    options: {
      notifications?: NotificationService;
      owners: OwnerLookup;
      logger: LoggerService;
    },
  ) {
    this.#db = db;
    this.#notifications = options.notifications;
    this.#owners = options.owners;
    this.#logger = options.logger;
  }

  /** Records the cluster's health; notifies on a transition that matters. Returns what was sent. */
  async observe(ref: ClusterRef, health: BackupHealth, reason: string) {
    const cluster = stringifyClusterRef(ref);
    const row = await this.#db(TABLE).where({ cluster }).first();
    const previous = row?.health as BackupHealth | undefined;
    if (previous === health) return undefined;
    await this.#db(TABLE)
      .insert({ cluster, health, updated_at: new Date() })
      .onConflict('cluster')
      .merge();
    const transition = healthTransition(previous, health);
    if (!transition) return undefined;

    const { owners, entityRefs } = await this.#owners(ref);
    const title =
      transition === 'recovered'
        ? `OpenBao backups of ${cluster} recovered`
        : `OpenBao backups of ${cluster} are ${health}`;
    if (!this.#notifications || owners.length === 0) {
      // Without the notifications plugin, or with nobody to tell, the log is the only trace.
      this.#logger.info(title, {
        cluster,
        health,
        reason,
        owners: owners.join(','),
      });
      return transition;
    }
    const [kind, rest] = (entityRefs[0] ?? '').split(':');
    const [namespace, name] = (rest ?? '').split('/');
    await this.#notifications
      .send({
        recipients: { type: 'entity', entityRef: owners },
        payload: {
          title,
          description: reason,
          severity: transition === 'recovered' ? 'normal' : 'high',
          topic: `openbao-backup:${cluster}`,
          link: name
            ? `/catalog/${namespace}/${kind}/${name}/backups`
            : '/openbao-backups',
        },
      })
      .catch(e =>
        this.#logger.warn('cannot send notification', {
          cluster,
          error: String(e),
        }),
      );
    return transition;
  }
}
