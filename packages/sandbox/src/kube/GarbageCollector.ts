import { controllerLoop } from './controllerLoop';
import { ObjectStore } from './ObjectStore';
import { KubeObject, StoreEvent } from './types';

const withoutFinalizer = (obj: KubeObject, finalizer: string) => {
  obj.metadata.finalizers = (obj.metadata.finalizers ?? []).filter(
    f => f !== finalizer,
  );
  if (obj.metadata.finalizers.length === 0) delete obj.metadata.finalizers;
  return obj;
};

const DELETION_FINALIZERS = ['orphan', 'foregroundDeletion'];

/**
 * The garbage collector's ownerReference semantics: dependents whose owners are all gone are
 * deleted (background), an owner deleted with `Orphan` has its dependents' references removed
 * first, and one deleted with `Foreground` waits until its dependents are gone. Event-driven: each
 * change queues only the uids it can affect.
 */
export class GarbageCollector {
  #store: ObjectStore;
  #loop = controllerLoop(() => this.#drain());
  #unsubscribe: () => void;
  /** Objects to check for owners that no longer exist. */
  #dangling = new Set<string>();
  /** Owners being deleted with the orphan / foregroundDeletion finalizer. */
  #finalizing = new Set<string>();

  constructor(store: ObjectStore) {
    this.#store = store;
    this.#unsubscribe = store.subscribe(e => this.#observe(e));
  }

  stop() {
    this.#unsubscribe();
    this.#loop.stop();
  }

  #observe(e: StoreEvent) {
    const meta = e.object.metadata;
    if (e.type === 'DELETED') {
      for (const dep of this.#store.dependentsOf(meta.uid!))
        this.#dangling.add(dep.object.metadata.uid!);
      // A dependent going away may complete its owner's foreground deletion.
      for (const ref of meta.ownerReferences ?? [])
        this.#finalizing.add(ref.uid);
    } else {
      if (
        meta.deletionTimestamp &&
        meta.finalizers?.some(f => DELETION_FINALIZERS.includes(f))
      ) {
        this.#finalizing.add(meta.uid!);
      }
      if (meta.ownerReferences?.length && !meta.deletionTimestamp)
        this.#dangling.add(meta.uid!);
    }
    if (this.#dangling.size || this.#finalizing.size) this.#loop.kick();
  }

  #drain() {
    const store = this.#store;
    const finalizing = [...this.#finalizing];
    const dangling = [...this.#dangling];
    this.#finalizing.clear();
    this.#dangling.clear();
    for (const uid of finalizing) {
      const hit = store.getByUid(uid);
      if (!hit?.object.metadata.deletionTimestamp) continue;
      const { type, object } = hit;
      const { namespace, name, finalizers = [] } = object.metadata;
      if (finalizers.includes('orphan')) {
        for (const dep of store.dependentsOf(uid)) {
          store.mutate(
            dep.type,
            dep.object.metadata.namespace,
            dep.object.metadata.name!,
            o => {
              o.metadata.ownerReferences = o.metadata.ownerReferences!.filter(
                r => r.uid !== uid,
              );
              if (o.metadata.ownerReferences.length === 0)
                delete o.metadata.ownerReferences;
              return o;
            },
          );
        }
        store.mutate(type, namespace, name!, o =>
          withoutFinalizer(o, 'orphan'),
        );
      }
      if (finalizers.includes('foregroundDeletion')) {
        const deps = store.dependentsOf(uid);
        for (const dep of deps.filter(
          d => !d.object.metadata.deletionTimestamp,
        )) {
          store.delete(
            dep.type,
            dep.object.metadata.namespace,
            dep.object.metadata.name!,
            { propagationPolicy: 'Foreground' },
          );
        }
        if (deps.length === 0)
          store.mutate(type, namespace, name!, o =>
            withoutFinalizer(o, 'foregroundDeletion'),
          );
      }
    }
    for (const uid of dangling) {
      const hit = store.getByUid(uid);
      if (!hit || hit.object.metadata.deletionTimestamp) continue;
      const refs = hit.object.metadata.ownerReferences ?? [];
      if (refs.length && refs.every(r => !store.getByUid(r.uid))) {
        store.delete(
          hit.type,
          hit.object.metadata.namespace,
          hit.object.metadata.name!,
          { propagationPolicy: 'Background' },
        );
      }
    }
  }
}
