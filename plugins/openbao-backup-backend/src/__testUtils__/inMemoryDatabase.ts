/*
 * The database service of test backends: what startTestBackend's default gives (an in-memory
 * better-sqlite3 per plugin), but destroyed when the backend stops. Backstage's DatabaseManager
 * skips destroying SQLite clients on shutdown, and a knex pool keeps one connection (min 1), so its
 * tarn reaper (a referenced 1 s setInterval) would outlive the test and hold Jest's worker
 * ("A worker process has failed to exit gracefully"). PostgreSQL clients are destroyed by the
 * real DatabaseManager (twoReplicas.ts), as in production.
 */
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import knexFactory, { Knex } from 'knex';

export const inMemoryDatabaseFactory = createServiceFactory({
  service: coreServices.database,
  deps: { rootLifecycle: coreServices.rootLifecycle },
  createRootContext({ rootLifecycle }) {
    const clients = new Set<Knex>();
    // The root lifecycle stops after every plugin's: no pass still uses the client then.
    rootLifecycle.addShutdownHook(async () => {
      await Promise.all([...clients].map(c => c.destroy()));
      clients.clear();
    });
    return clients;
  },
  factory(_deps, clients) {
    const knex = knexFactory({
      client: 'better-sqlite3',
      connection: ':memory:',
      useNullAsDefault: true,
    });
    clients.add(knex);
    return { getClient: async () => knex };
  },
});
