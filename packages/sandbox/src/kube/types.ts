/** A Kubernetes object as JSON: only the envelope is typed, the rest is whatever the client sent. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: any;
  status?: any;
  [field: string]: any;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  [field: string]: any;
}

/** One served resource type, as discovery describes it. */
export interface ResourceType {
  /** '' for the core group. */
  group: string;
  version: string;
  /** Lower-case plural used in URLs, e.g. `jobs`. */
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  /** Has a `status` subresource (spec and status writes are isolated). */
  hasStatus: boolean;
  /** Served from a CRD: unstructured (lists keep item kinds, no strategic merge patch). */
  custom: boolean;
  shortNames?: string[];
  /** Field-selector labels supported besides metadata.name / metadata.namespace. */
  extraFields?: string[];
  /** DELETE answers with the deleted object instead of a Status (the registry's ReturnDeletedObject). */
  returnsDeletedObject?: boolean;
  /** Default deletion propagation when the client names none (batch/v1 Jobs orphan their Pods). */
  defaultPropagation?: PropagationPolicy;
}

export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** A change recorded by the store, in resourceVersion order. */
export interface StoreEvent {
  type: WatchEventType;
  resource: ResourceType;
  /** The object after the change (for DELETED: the last state, with the deletion's resourceVersion). */
  object: KubeObject;
  /** The object before the change (MODIFIED and DELETED only). */
  oldObject?: KubeObject;
  resourceVersion: number;
}
