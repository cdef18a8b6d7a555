import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { openBaoBackupPermissions } from '@internal/plugin-openbao-backup-common';
import { readOpenBaoBackupConfig } from './config';
import { ClientNodeKubeGateway } from './adapters/ClientNodeKubeGateway';
import { KubeGateway } from './adapters/KubeGateway';
import { objectStoreFor } from './adapters/objectStoreFor';
import { Reconciler } from './reconcile/Reconciler';
import { HealthNotifier } from './reconcile/HealthNotifier';
import { BackupMetrics } from './reconcile/BackupMetrics';
import { PassRequester } from './reconcile/PassRequester';
import { FullPassLedger } from './reconcile/FullPassLedger';
import { ReconcileTask } from './reconcile/ReconcileTask';
import { GatewayDeadlines } from './reconcile/GatewayDeadlines';
import { clockServiceRef } from './clock';
import { ClusterService } from './service/ClusterService';
import { CatalogLinks } from './service/CatalogLinks';
import { createRouter } from './service/router';
import { imageVerifierFromConfig } from './imageVerification';

/**
 * The scheduler task that reconciles OpenBaoClusters (one replica at a time): a light pass every
 * `lightPassInterval`, a full pass every `reconcileInterval` (see ReconcileTask).
 */
export const RECONCILE_TASK_ID = 'openbao-backup:reconcile';

/**
 * The openbao-backup backend plugin: schedules OpenBao Raft snapshots as Kubernetes Jobs,
 * records their outcome on the OpenBaoCluster, applies retention and serves the REST API.
 */
export const openBaoBackupPlugin = createBackendPlugin({
  pluginId: 'openbao-backup',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.lifecycle,
        database: coreServices.database,
        catalog: catalogServiceRef,
        notifications: notificationService,
        clock: clockServiceRef,
      },
      async init(deps) {
        const { logger, scheduler } = deps;
        const now = () => deps.clock.now();
        const config = readOpenBaoBackupConfig(deps.config);
        const gateways = config.clusters.map(c =>
          ClientNodeKubeGateway.create(c, {
            requestTimeoutMs: config.requestTimeoutMs,
          }),
        );
        // Shared by full and light passes: a server still busy with one is skipped by the other.
        const deadlines = GatewayDeadlines.create({
          timeoutMs: config.passTimeoutMs,
        });
        deps.permissionsRegistry.addPermissions(openBaoBackupPermissions);

        const links = CatalogLinks.create({
          catalog: deps.catalog,
          auth: deps.auth,
          logger,
          defaultCluster: config.defaultCluster ?? 'default',
        });
        const notifier = await HealthNotifier.create({
          database: deps.database,
          notifications: deps.notifications,
          owners: ref => links.linksOf(ref),
          logger,
        });
        const reconciler = Reconciler.create({
          notifier,
          metrics: BackupMetrics.create(),
          health: config.health,
          gateways,
          deadlines,
          openStore: objectStoreFor,
          logger,
          jobSettings: config.job,
          startingDeadlineSeconds: config.startingDeadlineSeconds,
          podStartTimeoutSeconds: config.podStartTimeoutSeconds,
          now,
          imageVerifier: imageVerifierFromConfig(config.imageVerification, {
            now: () => now().getTime(),
          }),
        });
        const task = ReconcileTask.create({
          reconciler,
          ledger: await FullPassLedger.create(deps.database),
          reconcileIntervalMs: config.reconcileIntervalMs,
          logger,
          now,
          deadlines,
        });
        // One task, so the scheduler's lock keeps two replicas from reconciling a cluster at once.
        // Its cadence is also the database scheduler's poll: what a watched trigger waits for.
        await scheduler.scheduleTask({
          id: RECONCILE_TASK_ID,
          scope: 'global',
          frequency: {
            milliseconds: Math.min(
              config.lightPassIntervalMs,
              config.reconcileIntervalMs,
            ),
          },
          timeout: { minutes: 10 },
          // The scheduler waits for this function: the abort signal (task timeout, shutdown) ends it.
          fn: async signal => {
            await task.run(signal);
          },
        });

        // A trigger annotation set with kubectl, an edited schedule or a slot that has come feeds
        // the light pass, and asks for a run at once (where the scheduler can start one early).
        const passes = PassRequester.create({
          scheduler,
          taskId: RECONCILE_TASK_ID,
          logger,
        });
        // A backup Job's end likewise: recorded by the next light pass, not the next full one.
        const interrupted =
          (what: string, gateway: KubeGateway) => (error: Error) =>
            logger.warn(`${what} watch interrupted; reconnecting`, {
              kubernetesCluster: gateway.name,
              error: error.message,
            });
        const stopWatches = gateways.flatMap(gateway => [
          gateway.watchClusters(
            cluster => {
              if (task.observe(gateway, cluster)) passes.request();
            },
            interrupted('OpenBaoCluster', gateway),
            cluster => task.forget(gateway, cluster),
          ),
          gateway.watchJobs((type, job) => {
            if (task.observeJob(gateway, type, job)) passes.request();
          }, interrupted('backup Job', gateway)),
        ]);
        deps.lifecycle.addShutdownHook(() => {
          passes.stop();
          stopWatches.forEach(stop => stop());
        });

        deps.httpRouter.use(
          await createRouter({
            logger,
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            auditor: deps.auditor,
            catalog: deps.catalog,
            clusters: ClusterService.create({
              gateways,
              openStore: objectStoreFor,
              health: config.health,
              now,
            }),
            links,
            scheduler,
            reconcileTaskId: RECONCILE_TASK_ID,
          }),
        );
        deps.httpRouter.addAuthPolicy({
          path: '/health',
          allow: 'unauthenticated',
        });
        logger.info('openbao-backup started', {
          kubernetesClusters:
            config.clusters.map(c => c.name).join(',') || 'none',
        });
      },
    });
  },
});
