import { randomUUID } from 'node:crypto';
import { jsonEqual } from './jsonEqual';
import {
  applyDefaults,
  generatedName,
  prepareForCreate,
  validateObject,
  validateUpdate,
} from './admission';
import { RESOURCE_TYPES, resourceKey } from './resources';
import { StatusError, statusBodies } from './statusBodies';
import {
  KubeObject,
  PropagationPolicy,
  ResourceType,
  StoreEvent,
} from './types';

export interface ObjectStoreOptions {
  types?: ResourceType[];
  /** Change events kept per resource type for watch resumption (the apiserver's watch cache). */
  watchCacheSize?: number;
  now?: () => Date;
}

export interface WriteOptions {
  /** `status` writes only the status; a main-resource write keeps the stored status. */
  subresource?: 'status';
}

export interface DeleteOptions {
  propagationPolicy?: PropagationPolicy;
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** Kubernetes timestamps are RFC 3339 with second precision. */
export function timestamp(date: Date) {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** etcd returns keys in byte order, not locale order. */
function byteOrder(a: string, b: string) {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

const tracksGeneration = (type: ResourceType) =>
  type.hasStatus && type.kind !== 'Namespace';

/** Everything in an object except metadata and status: a change here bumps `generation`. */
function specOf(obj: KubeObject) {
  const { metadata, status, ...rest } = obj;
  return rest;
}

/**
 * The double's etcd: objects by type, one global resourceVersion counter, a bounded log of changes
 * for watch resumption, and the apiserver's write semantics (admission, optimistic concurrency,
 * generation, status isolation, graceful deletion and finalizers). Callers get deep copies.
 */
export class ObjectStore {
  readonly types: ResourceType[];
  #rv = 0;
  #objects = new Map<string, Map<string, KubeObject>>();
  #byUid = new Map<string, { type: ResourceType; key: string }>();
  /** owner uid → uids of objects naming it in ownerReferences (the garbage collector's graph). */
  #dependents = new Map<string, Set<string>>();
  /** Per type, as the apiserver keeps one watch cache per resource. */
  #logs = new Map<
    ResourceType,
    { events: StoreEvent[]; trimmedThrough: number }
  >();
  #compactedThrough = 0;
  #watchCacheSize: number;
  #listeners = new Set<(event: StoreEvent) => void>();
  #now: () => Date;

  constructor(options: ObjectStoreOptions = {}) {
    this.types = options.types ?? RESOURCE_TYPES;
    this.#watchCacheSize = options.watchCacheSize ?? 1000;
    this.#now = options.now ?? (() => new Date());
    for (const t of this.types) this.#objects.set(resourceKey(t), new Map());
  }

  /** The newest resourceVersion handed out (as lists report it). */
  get resourceVersion() {
    return this.#rv;
  }

  /** The last etcd compaction: continue tokens from before it are 410 Expired. */
  get compactedThrough() {
    return this.#compactedThrough;
  }

  /** Watches of this type cannot resume from before this resourceVersion (410 Expired). */
  watchableFrom(type: ResourceType) {
    return Math.max(
      this.#compactedThrough,
      this.#logs.get(type)?.trimmedThrough ?? 0,
    );
  }

  /** Forgets all history, as an etcd compaction does: older watch positions become 410 Gone. */
  compact() {
    this.#compactedThrough = this.#rv;
    this.#logs.clear();
  }

  now() {
    return this.#now();
  }

  type(key: string) {
    const found = this.types.find(t => resourceKey(t) === key);
    if (!found) throw new Error(`unknown resource ${key}`);
    return found;
  }

  subscribe(listener: (event: StoreEvent) => void) {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Logged changes of a type after a resourceVersion, oldest first. */
  eventsAfter(type: ResourceType, resourceVersion: number) {
    return (this.#logs.get(type)?.events ?? []).filter(
      e => e.resourceVersion > resourceVersion,
    );
  }

  get(type: ResourceType, namespace: string | undefined, name: string) {
    const obj = this.#bucket(type).get(this.#key(type, namespace, name));
    return obj ? structuredClone(obj) : undefined;
  }

  getByUid(uid: string) {
    const ref = this.#byUid.get(uid);
    if (!ref) return undefined;
    const obj = this.#bucket(ref.type).get(ref.key);
    return obj ? { type: ref.type, object: structuredClone(obj) } : undefined;
  }

  /** Objects of a type (in one namespace, or all), in etcd key order. */
  list(type: ResourceType, namespace?: string) {
    return [...this.#bucket(type).entries()]
      .filter(
        ([, o]) =>
          !namespace || !type.namespaced || o.metadata.namespace === namespace,
      )
      .sort(([a], [b]) => byteOrder(a, b))
      .map(([, o]) => structuredClone(o));
  }

  /** Every object that names `uid` among its ownerReferences. */
  dependentsOf(uid: string) {
    const found: { type: ResourceType; object: KubeObject }[] = [];
    for (const dependent of this.#dependents.get(uid) ?? []) {
      const hit = this.getByUid(dependent);
      if (hit) found.push(hit);
    }
    return found;
  }

  #index(obj: KubeObject | undefined, add: boolean) {
    for (const ref of obj?.metadata.ownerReferences ?? []) {
      const set = this.#dependents.get(ref.uid) ?? new Set<string>();
      if (add) set.add(obj!.metadata.uid!);
      else set.delete(obj!.metadata.uid!);
      if (set.size) this.#dependents.set(ref.uid, set);
      else this.#dependents.delete(ref.uid);
    }
  }

  create(type: ResourceType, input: KubeObject): KubeObject {
    const obj = structuredClone(input);
    obj.metadata = { ...obj.metadata };
    const namespace = type.namespaced ? obj.metadata.namespace : undefined;
    if (type.namespaced) this.#checkNamespaceWritable(namespace!);
    if (!obj.metadata.name && obj.metadata.generateName) {
      for (let i = 0; i < 8 && !obj.metadata.name; i++) {
        const candidate = generatedName(obj.metadata.generateName);
        if (!this.#bucket(type).has(this.#key(type, namespace, candidate)))
          obj.metadata.name = candidate;
      }
    }
    const name = obj.metadata.name;
    if (!name) {
      throw new StatusError(
        statusBodies.invalid(type, '', [
          {
            field: 'metadata.name',
            message: 'Required value: name or generateName is required',
            reason: 'FieldValueRequired',
          },
        ]),
      );
    }
    const causes = validateObject(type, obj);
    if (causes.length)
      throw new StatusError(statusBodies.invalid(type, name, causes));
    const key = this.#key(type, namespace, name);
    if (this.#bucket(type).has(key))
      throw new StatusError(statusBodies.alreadyExists(type, name));
    for (const f of [
      'resourceVersion',
      'deletionTimestamp',
      'deletionGracePeriodSeconds',
      'generation',
      'selfLink',
    ]) {
      delete obj.metadata[f];
    }
    obj.metadata.uid = randomUUID();
    obj.metadata.creationTimestamp = timestamp(this.#now());
    if (tracksGeneration(type)) obj.metadata.generation = 1;
    obj.apiVersion = type.group
      ? `${type.group}/${type.version}`
      : type.version;
    obj.kind = type.kind;
    prepareForCreate(type, obj);
    return this.#commit('ADDED', type, key, obj);
  }

  /** PUT semantics: replace, with optimistic concurrency when the body carries a resourceVersion. */
  update(
    type: ResourceType,
    input: KubeObject,
    options: WriteOptions = {},
  ): KubeObject {
    const name = input.metadata?.name ?? '';
    const namespace = type.namespaced ? input.metadata.namespace : undefined;
    const current = this.#bucket(type).get(this.#key(type, namespace, name));
    if (!current) throw new StatusError(statusBodies.notFound(type, name));
    const rv = input.metadata.resourceVersion;
    if (rv === undefined || rv === '') {
      if (type.custom) {
        throw new StatusError(
          statusBodies.invalid(type, name, [
            {
              field: 'metadata.resourceVersion',
              message: 'Invalid value: 0x0: must be specified for an update',
            },
          ]),
        );
      }
    } else if (rv !== current.metadata.resourceVersion) {
      throw new StatusError(statusBodies.conflict(type, name));
    }
    return this.#write(type, current, structuredClone(input), options);
  }

  /**
   * PATCH semantics: `apply` turns the current object into the patched one. A resourceVersion in
   * the patched result must still match (a patch carrying a stale one conflicts).
   */
  patch(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    apply: (current: KubeObject) => KubeObject,
    options: WriteOptions = {},
  ): KubeObject {
    const current = this.#bucket(type).get(
      this.#key(type, type.namespaced ? namespace : undefined, name),
    );
    if (!current) throw new StatusError(statusBodies.notFound(type, name));
    const patched = apply(structuredClone(current));
    if (
      typeof patched !== 'object' ||
      patched === null ||
      Array.isArray(patched)
    ) {
      throw new StatusError(
        statusBodies.badRequest('the patched object is not a JSON object'),
      );
    }
    patched.metadata ??= {};
    const rv = patched.metadata.resourceVersion;
    if (
      rv !== undefined &&
      rv !== null &&
      rv !== current.metadata.resourceVersion
    ) {
      throw new StatusError(statusBodies.conflict(type, name));
    }
    return this.#write(type, current, patched, options);
  }

  /**
   * Controller-side write (kubelet, job controller, garbage collector): no concurrency check and
   * no isolation; `change` returns the new object, or undefined to leave it alone.
   */
  mutate(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    change: (current: KubeObject) => KubeObject | undefined,
  ) {
    const current = this.#bucket(type).get(this.#key(type, namespace, name));
    if (!current) return undefined;
    const next = change(structuredClone(current));
    if (!next) return structuredClone(current);
    next.metadata = {
      ...next.metadata,
      resourceVersion: current.metadata.resourceVersion,
    };
    return this.#write(type, current, next, { internal: true });
  }

  /**
   * DELETE semantics. Returns the object and whether it is gone now; otherwise it carries a
   * deletionTimestamp until its finalizers are removed (or, for a Pod, the kubelet has stopped it).
   */
  delete(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions = {},
  ): { object: KubeObject; deleted: boolean } {
    const key = this.#key(type, type.namespaced ? namespace : undefined, name);
    const current = this.#bucket(type).get(key);
    if (!current) throw new StatusError(statusBodies.notFound(type, name));
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== current.metadata.uid) {
      throw new StatusError(
        statusBodies.conflict(
          type,
          name,
          `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`,
        ),
      );
    }
    if (
      pre?.resourceVersion &&
      pre.resourceVersion !== current.metadata.resourceVersion
    ) {
      throw new StatusError(
        statusBodies.conflict(
          type,
          name,
          `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
        ),
      );
    }
    const next = structuredClone(current);
    const finalizers = new Set(next.metadata.finalizers ?? []);
    const policy =
      options.propagationPolicy ?? type.defaultPropagation ?? 'Background';
    const hasDependents = this.dependentsOf(current.metadata.uid!).length > 0;
    if (policy === 'Orphan' && hasDependents) finalizers.add('orphan');
    if (policy === 'Foreground' && hasDependents)
      finalizers.add('foregroundDeletion');
    const grace = this.#gracePeriod(type, current, options.gracePeriodSeconds);
    const nsPending =
      type.kind === 'Namespace' && (next.spec?.finalizers?.length ?? 0) > 0;
    if (
      finalizers.size === 0 &&
      grace === 0 &&
      !nsPending &&
      !current.metadata.deletionTimestamp
    ) {
      return { object: this.#remove(type, key, current), deleted: true };
    }
    if (
      current.metadata.deletionTimestamp &&
      finalizers.size === (current.metadata.finalizers?.length ?? 0)
    ) {
      // Already terminating: a second delete may only shorten a Pod's grace period.
      if (
        type.kind !== 'Pod' ||
        grace >= (current.metadata.deletionGracePeriodSeconds ?? 0)
      ) {
        return { object: structuredClone(current), deleted: false };
      }
    }
    next.metadata.deletionTimestamp ??= timestamp(this.#now());
    next.metadata.deletionGracePeriodSeconds = grace;
    next.metadata.finalizers = finalizers.size ? [...finalizers] : undefined;
    if (next.metadata.finalizers === undefined) delete next.metadata.finalizers;
    if (tracksGeneration(type))
      next.metadata.generation = (current.metadata.generation ?? 0) + 1;
    if (type.kind === 'Namespace')
      next.status = { ...next.status, phase: 'Terminating' };
    const written = this.#commit('MODIFIED', type, key, next, current);
    return { object: written, deleted: false };
  }

  /** Removes an object outright (the last step of a graceful deletion). */
  remove(type: ResourceType, namespace: string | undefined, name: string) {
    const key = this.#key(type, namespace, name);
    const current = this.#bucket(type).get(key);
    return current ? this.#remove(type, key, current) : undefined;
  }

  #gracePeriod(type: ResourceType, pod: KubeObject, requested?: number) {
    if (type.kind !== 'Pod') return 0;
    // Unscheduled and finished Pods have nothing to stop: the apiserver deletes them at once.
    if (
      !pod.spec?.nodeName ||
      ['Succeeded', 'Failed'].includes(pod.status?.phase)
    )
      return 0;
    return Math.max(
      0,
      requested ?? pod.spec?.terminationGracePeriodSeconds ?? 30,
    );
  }

  #write(
    type: ResourceType,
    current: KubeObject,
    next: KubeObject,
    options: WriteOptions & { internal?: boolean },
  ) {
    const name = current.metadata.name!;
    let obj: KubeObject;
    if (options.internal) {
      obj = next;
    } else if (options.subresource === 'status') {
      obj = { ...structuredClone(current), status: next.status };
    } else {
      obj = next;
      if (type.hasStatus) {
        if (current.status === undefined) delete obj.status;
        else obj.status = structuredClone(current.status);
      }
    }
    // Fields the server owns are never taken from the request.
    obj.apiVersion = current.apiVersion;
    obj.kind = current.kind;
    obj.metadata = {
      ...obj.metadata,
      name,
      namespace: current.metadata.namespace,
      uid: current.metadata.uid,
      creationTimestamp: current.metadata.creationTimestamp,
      resourceVersion: current.metadata.resourceVersion,
    };
    if (!type.namespaced) delete obj.metadata.namespace;
    // Only DELETE (and the kubelet ending a grace period) may touch the deletion fields.
    for (const f of [
      'deletionTimestamp',
      'deletionGracePeriodSeconds',
    ] as const) {
      if (
        options.internal &&
        f === 'deletionGracePeriodSeconds' &&
        obj.metadata.deletionTimestamp
      )
        continue;
      if (current.metadata[f] === undefined) delete obj.metadata[f];
      else (obj.metadata as Record<string, unknown>)[f] = current.metadata[f];
    }
    if (tracksGeneration(type))
      obj.metadata.generation = current.metadata.generation;
    else delete obj.metadata.generation;
    if (!options.internal) {
      applyDefaults(type, obj);
      const causes = [
        ...validateObject(type, obj),
        ...validateUpdate(type, current, obj),
      ];
      if (causes.length)
        throw new StatusError(statusBodies.invalid(type, name, causes));
    }
    if (tracksGeneration(type) && !jsonEqual(specOf(obj), specOf(current))) {
      obj.metadata.generation = (current.metadata.generation ?? 0) + 1;
    }
    const key = this.#key(type, current.metadata.namespace, name);
    if (jsonEqual(obj, current)) return structuredClone(current); // no-op: no new revision
    if (this.#finalizable(type, obj)) return this.#remove(type, key, current);
    return this.#commit('MODIFIED', type, key, obj, current);
  }

  /** A terminating object whose finalizers (and for a Pod, grace period) are all done. */
  #finalizable(type: ResourceType, obj: KubeObject) {
    if (!obj.metadata.deletionTimestamp) return false;
    if (obj.metadata.finalizers?.length) return false;
    if (type.kind === 'Namespace' && obj.spec?.finalizers?.length) return false;
    if (
      type.kind === 'Pod' &&
      (obj.metadata.deletionGracePeriodSeconds ?? 0) > 0
    )
      return false;
    return true;
  }

  #checkNamespaceWritable(namespace: string) {
    const ns = this.#bucket(this.type('namespaces')).get(namespace);
    if (!ns) throw new StatusError(statusBodies.namespaceNotFound(namespace));
    if (ns.metadata.deletionTimestamp) {
      throw new StatusError(
        statusBodies.forbidden(
          `unable to create new content in namespace ${namespace} because it is being terminated`,
        ),
      );
    }
  }

  #remove(type: ResourceType, key: string, current: KubeObject) {
    const obj = structuredClone(current);
    this.#bucket(type).delete(key);
    this.#byUid.delete(obj.metadata.uid!);
    return this.#commit('DELETED', type, key, obj, current, true);
  }

  #commit(
    eventType: StoreEvent['type'],
    type: ResourceType,
    key: string,
    obj: KubeObject,
    old?: KubeObject,
    removed = false,
  ) {
    this.#rv += 1;
    obj.metadata.resourceVersion = String(this.#rv);
    this.#index(old, false);
    if (!removed) {
      this.#bucket(type).set(key, obj);
      this.#byUid.set(obj.metadata.uid!, { type, key });
      this.#index(obj, true);
    }
    const event: StoreEvent = {
      type: eventType,
      resource: type,
      object: structuredClone(obj),
      oldObject: old ? structuredClone(old) : undefined,
      resourceVersion: this.#rv,
    };
    const log = this.#logs.get(type) ?? { events: [], trimmedThrough: 0 };
    this.#logs.set(type, log);
    log.events.push(event);
    while (log.events.length > this.#watchCacheSize) {
      log.trimmedThrough = log.events.shift()!.resourceVersion;
    }
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch {
        // A failing listener (a closed watch) must not fail the write.
      }
    }
    return structuredClone(obj);
  }

  #bucket(type: ResourceType) {
    const bucket = this.#objects.get(resourceKey(type));
    if (!bucket) throw new Error(`unknown resource ${resourceKey(type)}`);
    return bucket;
  }

  #key(type: ResourceType, namespace: string | undefined, name: string) {
    return type.namespaced ? `${namespace ?? ''}/${name}` : name;
  }
}
