import { controllerLoop } from './controllerLoop';
import { ObjectStore } from './ObjectStore';

/**
 * The namespace lifecycle: a terminating namespace has its content deleted, then loses its
 * `kubernetes` finalizer and goes away. New namespaces get their `default` ServiceAccount.
 */
export class NamespaceController {
  #store: ObjectStore;
  #loop = controllerLoop(() => this.#sweep());
  #unsubscribe: () => void;

  constructor(store: ObjectStore) {
    this.#store = store;
    this.#unsubscribe = store.subscribe(e => {
      if (e.resource.kind === 'Namespace' || e.type === 'DELETED')
        this.#loop.kick();
    });
    this.#loop.kick();
  }

  stop() {
    this.#unsubscribe();
    this.#loop.stop();
  }

  #sweep() {
    const store = this.#store;
    const namespaces = store.type('namespaces');
    const serviceAccounts = store.type('serviceaccounts');
    for (const ns of store.list(namespaces)) {
      const name = ns.metadata.name!;
      if (!ns.metadata.deletionTimestamp) {
        if (!store.get(serviceAccounts, name, 'default')) {
          store.create(serviceAccounts, {
            apiVersion: 'v1',
            kind: 'ServiceAccount',
            metadata: { name: 'default', namespace: name },
          });
        }
        continue;
      }
      let remaining = 0;
      for (const type of store.types.filter(t => t.namespaced)) {
        for (const obj of store.list(type, name)) {
          remaining += 1;
          if (!obj.metadata.deletionTimestamp) {
            store.delete(type, name, obj.metadata.name!, {
              propagationPolicy: 'Background',
            });
          }
        }
      }
      if (remaining === 0) {
        store.mutate(namespaces, undefined, name, o => {
          o.spec = { ...o.spec, finalizers: [] };
          return o;
        });
      }
    }
  }
}
