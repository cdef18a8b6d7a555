import { controllerLoop } from './controllerLoop';
import { ObjectStore } from './ObjectStore';
import { KubeObject } from './types';

const withoutFinalizer = (obj: KubeObject, finalizer: string) => {
  obj.metadata.finalizers = (obj.metadata.finalizers ?? []).filter(f => f !== finalizer);
  if (obj.metadata.finalizers.length === 0) delete obj.metadata.finalizers;
  return obj;
};

/**
 * The garbage collector's ownerReference semantics: dependents of a deleted owner are deleted
 * (background), an owner deleted with `Orphan` has its dependents' references removed first, and
 * one deleted with `Foreground` waits until its dependents are gone.
 */
export class GarbageCollector {
  #store: ObjectStore;
  #loop = controllerLoop(() => this.#sweep());
  #unsubscribe: () => void;

  constructor(store: ObjectStore) {
    this.#store = store;
    this.#unsubscribe = store.subscribe(() => this.#loop.kick());
  }

  stop() {
    this.#unsubscribe();
    this.#loop.stop();
  }

  #sweep() {
    const store = this.#store;
    for (const type of store.types) {
      for (const obj of store.list(type)) {
        const { uid, namespace, name, deletionTimestamp, finalizers = [], ownerReferences = [] } = obj.metadata;
        if (deletionTimestamp && finalizers.includes('orphan')) {
          for (const dep of store.dependentsOf(uid!)) {
            store.mutate(dep.type, dep.object.metadata.namespace, dep.object.metadata.name!, o => {
              o.metadata.ownerReferences = o.metadata.ownerReferences!.filter(r => r.uid !== uid);
              if (o.metadata.ownerReferences.length === 0) delete o.metadata.ownerReferences;
              return o;
            });
          }
          store.mutate(type, namespace, name!, o => withoutFinalizer(o, 'orphan'));
        }
        if (deletionTimestamp && finalizers.includes('foregroundDeletion')) {
          const deps = store.dependentsOf(uid!);
          for (const dep of deps.filter(d => !d.object.metadata.deletionTimestamp)) {
            store.delete(dep.type, dep.object.metadata.namespace, dep.object.metadata.name!, { propagationPolicy: 'Foreground' });
          }
          if (deps.length === 0) store.mutate(type, namespace, name!, o => withoutFinalizer(o, 'foregroundDeletion'));
        }
        if (ownerReferences.length && !deletionTimestamp) {
          const ownersLeft = ownerReferences.filter(r => store.getByUid(r.uid));
          if (ownersLeft.length === 0) {
            store.delete(type, namespace, name!, { propagationPolicy: 'Background' });
          }
        }
      }
    }
  }
}
