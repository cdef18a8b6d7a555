import { randomBytes } from 'node:crypto';
import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
  PermissionsService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  AuthorizeResult,
  BasicPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  ClusterRef,
  EntityClusters,
  FleetEntry,
  OpenBaoCluster,
  PRE_UPGRADE_BACKUP_ANNOTATION,
  TRIGGER_BACKUP_ANNOTATION,
  openBaoBackupReadPermission,
  openBaoBackupTriggerPermission,
  stringifyClusterRef,
} from '@internal/plugin-openbao-backup-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { ClusterService } from './ClusterService';
import { CatalogLinks } from './CatalogLinks';
import { triggerAlreadyRun } from '../core';

export interface RouterOptions {
  logger: LoggerService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  catalog: CatalogService;
  clusters: ClusterService;
  links: CatalogLinks;
  /** Starts the reconcile task now, so a manual trigger does not wait for the next pass. */
  scheduler?: SchedulerService;
  reconcileTaskId?: string;
}

const dnsName = z
  .string()
  .min(1)
  .max(253)
  .regex(
    /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
    'must be a lowercase RFC 1123 name',
  );
const clusterParams = z.object({
  k8s: dnsName,
  namespace: dnsName,
  name: dnsName,
});
const entityParams = z.object({
  kind: z.string().min(1).max(63),
  namespace: z.string().min(1).max(63),
  name: z.string().min(1).max(253),
});
const preUpgradeBody = z.object({
  /** The upgrade system's own id; one run per distinct id. Default: generated. */
  requestId: z
    .string()
    .regex(
      /^[A-Za-z0-9][-A-Za-z0-9_.]{0,62}$/,
      'must be 1-63 letters, digits, "-", "_" or "."',
    )
    .optional(),
  reason: z.string().trim().max(500).optional(),
  /** Answer only when the run has ended (200) or after this many seconds (504). */
  waitSeconds: z.number().int().min(0).max(3600).optional(),
});
const triggerBody = z.object({
  reason: z
    .string()
    .trim()
    .min(1, 'reason is required')
    .max(500, 'reason must be at most 500 characters'),
});

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const details = result.error.issues
      .map(i => `${i.path.join('.') || what}: ${i.message}`)
      .join('; ');
    throw new InputError(`Invalid ${what}: ${details}`);
  }
  return result.data;
}

function clusterRefOf(req: Request): ClusterRef {
  const p = parse(clusterParams, req.params, 'cluster path');
  return { kubernetesCluster: p.k8s, namespace: p.namespace, name: p.name };
}

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { httpAuth, permissions, auditor, clusters, links, logger } = options;
  const router = Router();
  router.use(express.json({ limit: '16kb' }));

  /**
   * Is `permission` allowed on this cluster? Checked against every catalog entity that links the
   * cluster (allowed if any allows, so "owners may trigger" policies work); a cluster no entity
   * links is checked without a resource, where only unconditional policies can allow it.
   */
  async function allowedOn(
    ref: ClusterRef,
    permission: ResourcePermission<'catalog-entity'>,
    credentials: BackstageCredentials,
  ): Promise<boolean> {
    const { entityRefs } = await links.linksOf(ref);
    if (entityRefs.length === 0) {
      const [d] = await permissions.authorize(
        [{ permission: permission as unknown as BasicPermission }],
        { credentials },
      );
      return d.result === AuthorizeResult.ALLOW;
    }
    const decisions = await permissions.authorize(
      entityRefs.map(resourceRef => ({ permission, resourceRef })),
      { credentials },
    );
    return decisions.some(d => d.result === AuthorizeResult.ALLOW);
  }

  async function requireOn(
    ref: ClusterRef,
    permission: ResourcePermission<'catalog-entity'>,
    credentials: BackstageCredentials,
  ) {
    if (!(await allowedOn(ref, permission, credentials))) {
      throw new NotAllowedError(
        `Not allowed: ${permission.name} on ${stringifyClusterRef(ref)}`,
      );
    }
  }

  async function withLinks<T extends FleetEntry>(entry: T): Promise<T> {
    const l = await links.linksOf(entry.ref);
    return { ...entry, entityRefs: l.entityRefs, owners: l.owners };
  }

  /**
   * Asks for a run: sets the request annotation the reconciler consumes, records who asked as an
   * Event on the cluster, and starts a pass now (best effort: a running pass picks it up next).
   */
  async function requestRun(
    ref: ClusterRef,
    cluster: OpenBaoCluster,
    annotation: string,
    value: string,
    event: { reason: string; message: string },
  ) {
    const gateway = clusters.gateway(ref.kubernetesCluster);
    await gateway.setClusterAnnotation(
      ref.namespace,
      ref.name,
      annotation,
      value,
    );
    await gateway.recordEvent(cluster, { type: 'Normal', ...event }).catch(e =>
      logger.warn(`cannot record ${event.reason} event`, {
        error: String(e),
      }),
    );
    if (options.scheduler && options.reconcileTaskId) {
      await options.scheduler
        .triggerTask(options.reconcileTaskId)
        .catch(() => {});
    }
  }

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/clusters', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const fleet = await clusters.fleet();
    const visible = await Promise.all(
      fleet.items.map(async e =>
        (await allowedOn(e.ref, openBaoBackupReadPermission, credentials))
          ? withLinks(e)
          : undefined,
      ),
    );
    res.json({ items: visible.filter(Boolean), errors: fleet.errors });
  });

  router.get('/entity/:kind/:namespace/:name', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const p = parse(entityParams, req.params, 'entity path');
    const entityRef = stringifyEntityRef(p);
    const entity = await options.catalog.getEntityByRef(entityRef, {
      credentials,
    });
    if (!entity) throw new NotFoundError(`Entity ${entityRef} not found`);
    const [decision] = await permissions.authorize(
      [{ permission: openBaoBackupReadPermission, resourceRef: entityRef }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `Not allowed: ${openBaoBackupReadPermission.name} on ${entityRef}`,
      );
    }
    const parsed = links.refsOf(entity);
    const body: EntityClusters = {
      items: await Promise.all(
        parsed.refs.map(async ref => withLinks(await clusters.entry(ref))),
      ),
      errors: parsed.errors,
    };
    res.json(body);
  });

  router.get('/clusters/:k8s/:namespace/:name', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const ref = clusterRefOf(req);
    await requireOn(ref, openBaoBackupReadPermission, credentials);
    const detail = await clusters.detail(ref);
    res.json(await withLinks(detail));
  });

  router.get('/clusters/:k8s/:namespace/:name/backups', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const ref = clusterRefOf(req);
    await requireOn(ref, openBaoBackupReadPermission, credentials);
    res.json({ items: await clusters.snapshots(ref) });
  });

  router.get(
    '/clusters/:k8s/:namespace/:name/retention/preview',
    async (req, res) => {
      const credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      const ref = clusterRefOf(req);
      await requireOn(ref, openBaoBackupReadPermission, credentials);
      res.json(await clusters.retentionPreview(ref));
    },
  );

  router.post('/clusters/:k8s/:namespace/:name/trigger', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const ref = clusterRefOf(req);
    const { reason } = parse(triggerBody, req.body ?? {}, 'request body');
    const auditorEvent = await auditor.createEvent({
      eventId: 'backup-trigger',
      severityLevel: 'medium',
      request: req,
      meta: {
        cluster: stringifyClusterRef(ref),
        reason,
      },
    });
    try {
      await requireOn(ref, openBaoBackupTriggerPermission, credentials);
      const observed = await clusters.observe(ref);
      const verdict = clusters.preflightManual(observed);
      if (!verdict.ok) {
        throw new ConflictError(
          `Backup not started: ${verdict.reason}: ${verdict.message}`,
        );
      }
      const triggerId = newTriggerId();
      const who =
        'userEntityRef' in credentials.principal
          ? credentials.principal.userEntityRef
          : `service ${
              (credentials.principal as { subject?: string }).subject ?? ''
            }`.trim();
      await requestRun(
        ref,
        observed.cluster,
        TRIGGER_BACKUP_ANNOTATION,
        triggerId,
        {
          reason: 'BackupRequested',
          message: `Manual backup ${triggerId} requested by ${who}: ${reason}`,
        },
      );
      await auditorEvent.success({ meta: { triggerId } });
      res.status(202).json({ triggerId });
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      throw error;
    }
  });

  /**
   * Pre-upgrade snapshot, for the upgrade path (service-to-service only): 202 with the request id,
   * or with `waitSeconds` the outcome once the run has ended (504 if it has not by then).
   */
  router.post(
    '/clusters/:k8s/:namespace/:name/pre-upgrade',
    async (req, res) => {
      const credentials = await httpAuth.credentials(req, {
        allow: ['service'],
      });
      const ref = clusterRefOf(req);
      const body = parse(preUpgradeBody, req.body ?? {}, 'request body');
      const requestId = body.requestId ?? newTriggerId();
      const auditorEvent = await auditor.createEvent({
        eventId: 'pre-upgrade-backup',
        severityLevel: 'medium',
        request: req,
        meta: {
          cluster: stringifyClusterRef(ref),
          requestId,
          reason: body.reason,
        },
      });
      try {
        const observed = await clusters.observe(ref);
        // Not only the latest run: a manual run since would hide it from observedTrigger.
        if (triggerAlreadyRun(observed, requestId)) {
          throw new ConflictError(
            `Pre-upgrade backup ${requestId} was already requested`,
          );
        }
        const service =
          credentials.principal.type === 'service'
            ? credentials.principal.subject
            : 'service';
        await requestRun(
          ref,
          observed.cluster,
          PRE_UPGRADE_BACKUP_ANNOTATION,
          requestId,
          {
            reason: 'PreUpgradeBackupRequested',
            message: `Pre-upgrade backup ${requestId} requested by ${service}${
              body.reason ? `: ${body.reason}` : ''
            }`,
          },
        );
        if (!body.waitSeconds) {
          await auditorEvent.success({ meta: { requestId } });
          res.status(202).json({ requestId });
          return;
        }
        const outcome = await clusters.waitForRun(
          ref,
          requestId,
          body.waitSeconds * 1000,
        );
        await auditorEvent.success({ meta: { requestId, ok: outcome?.ok } });
        if (!outcome) {
          res.status(504).json({
            requestId,
            error: {
              name: 'TimeoutError',
              message: `Pre-upgrade backup ${requestId} has not ended after ${body.waitSeconds} s`,
            },
          });
          return;
        }
        res.status(200).json({ requestId, ...outcome });
      } catch (error) {
        await auditorEvent.fail({ error: error as Error });
        throw error;
      }
    },
  );

  return router;
}

function newTriggerId() {
  return `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(
    3,
  ).toString('hex')}`;
}
