import { controllerLoop } from './controllerLoop';
import { ObjectStore } from './ObjectStore';
import { reconcileJob } from './reconcileJob';
import { KubeObject } from './types';

/**
 * The Job controller (plus the TTL-after-finished controller): creates each Job's Pod from its
 * template, tracks the Pods into the Job's status and conditions, enforces activeDeadlineSeconds
 * and deletes finished Jobs after ttlSecondsAfterFinished. Decisions are in reconcileJob.
 */
export class JobController {
  #store: ObjectStore;
  #loop = controllerLoop(() => this.#sweep());
  #unsubscribe: () => void;
  #timers = new Map<string, NodeJS.Timeout>();

  constructor(store: ObjectStore) {
    this.#store = store;
    this.#unsubscribe = store.subscribe(e => {
      if (e.resource.kind === 'Job' || e.resource.kind === 'Pod')
        this.#loop.kick();
    });
    this.#loop.kick();
  }

  stop() {
    this.#unsubscribe();
    this.#loop.stop();
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }

  #sweep() {
    const store = this.#store;
    const jobs = store.type('jobs.batch');
    const podsType = store.type('pods');
    for (const job of store.list(jobs)) {
      const uid = job.metadata.uid!;
      const owned = store
        .dependentsOf(uid)
        .filter(
          d =>
            d.type === podsType &&
            d.object.metadata.ownerReferences?.some(
              r => r.uid === uid && r.controller,
            ),
        )
        .map(d => d.object);
      const d = reconcileJob(job, owned, store.now());
      for (const name of d.deletePods) {
        if (store.get(podsType, job.metadata.namespace, name)) {
          store.delete(podsType, job.metadata.namespace, name, {
            propagationPolicy: 'Background',
          });
        }
      }
      for (let i = 0; i < d.createPods; i++)
        store.create(podsType, this.#podFor(job));
      if (d.status) {
        store.mutate(jobs, job.metadata.namespace, job.metadata.name!, o =>
          o.metadata.uid === uid ? { ...o, status: d.status } : undefined,
        );
      }
      if (d.deleteJob) {
        // As the TTL-after-finished controller does: foreground, so the Pods go first.
        store.delete(jobs, job.metadata.namespace, job.metadata.name!, {
          propagationPolicy: 'Foreground',
          preconditions: { uid },
        });
      }
      this.#requeue(uid, d.requeueAt);
    }
  }

  #requeue(uid: string, at: Date | undefined) {
    clearTimeout(this.#timers.get(uid));
    this.#timers.delete(uid);
    if (!at) return;
    const delay = Math.max(0, at.getTime() - this.#store.now().getTime()) + 20;
    const timer = setTimeout(() => {
      this.#timers.delete(uid);
      this.#loop.kick();
    }, delay);
    timer.unref();
    this.#timers.set(uid, timer);
  }

  #podFor(job: KubeObject): KubeObject {
    const template = job.spec.template ?? {};
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: `${job.metadata.name}-`,
        namespace: job.metadata.namespace,
        labels: { ...template.metadata?.labels },
        annotations: { ...template.metadata?.annotations },
        ownerReferences: [
          {
            apiVersion: 'batch/v1',
            kind: 'Job',
            name: job.metadata.name!,
            uid: job.metadata.uid!,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: structuredClone(template.spec),
    };
  }
}
