import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

const TABLE = 'openbao_backup_passes';
const FULL = 'full';

/**
 * When the last full reconcile pass started, in the plugin's database: shared by every replica,
 * so the replica that holds the task's lock next knows whether a full pass is due or a light one
 * will do. Only the lock holder reads or writes it, hence no race between replicas.
 */
export class FullPassLedger {
  readonly #db: Knex;

  static async create(database: DatabaseService): Promise<FullPassLedger> {
    const db = await database.getClient();
    if (!(await db.schema.hasTable(TABLE))) {
      await db.schema
        .createTable(TABLE, table => {
          table.string('pass', 32).primary();
          table.bigInteger('started_at_ms').notNullable();
        })
        .catch(async e => {
          // Another replica starting at the same moment created it first.
          if (!(await db.schema.hasTable(TABLE))) throw e;
        });
    }
    return new FullPassLedger(db);
  }

  private constructor(db: Knex) {
    this.#db = db;
  }

  /** Wall-clock milliseconds of the last full pass's start; undefined before the first. */
  async lastFullPassAt(): Promise<number | undefined> {
    const row = await this.#db(TABLE).where({ pass: FULL }).first();
    // PostgreSQL returns bigint columns as strings.
    return row ? Number(row.started_at_ms) : undefined;
  }

  async recordFullPass(startedAtMs: number): Promise<void> {
    await this.#db(TABLE)
      .insert({ pass: FULL, started_at_ms: startedAtMs })
      .onConflict('pass')
      .merge();
  }
}
