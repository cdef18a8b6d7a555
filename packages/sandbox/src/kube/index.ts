export { startKubeApi } from './startKubeApi';
export type { KubeApi, StartKubeApiOptions } from './startKubeApi';
export type { KubeletOptions } from './Kubelet';
export { ObjectStore } from './ObjectStore';
export type {
  ObjectStoreOptions,
  DeleteOptions,
  WriteOptions,
} from './ObjectStore';
export { FaultInjector } from './FaultInjector';
export type { Fault, FaultSpec } from './FaultInjector';
export { createSimulatedPodExecutor } from './SimulatedPodExecutor';
export type { SimulatedOutcome } from './SimulatedPodExecutor';
export type {
  ContainerExit,
  PodExecution,
  PodExecutor,
  PodStartContext,
  PodStartResult,
} from './PodExecutor';
export { ServiceAccountTokenIssuer } from './ServiceAccountTokenIssuer';
export type {
  ServiceAccountClaims,
  TokenRequest,
} from './ServiceAccountTokenIssuer';
export { RESOURCE_TYPES, lookupResource, resourceKey } from './resources';
export { StatusError, statusBodies } from './statusBodies';
export type { StatusBody } from './statusBodies';
export type {
  KubeObject,
  ObjectMeta,
  OwnerReference,
  PropagationPolicy,
  ResourceType,
  StoreEvent,
  WatchEventType,
} from './types';
export { kubeRequest } from './kubeRequest';
export { authorize, effectiveGroups, verbOf } from './rbac';
export type {
  AuthorizationVerdict,
  KubeUser,
  RbacObjects,
  RequestAttributes,
} from './rbac';
export { selfSignedCertificate } from './selfSignedCertificate';
export { startTlsProxy } from './startTlsProxy';
export type { TlsProxyHandle } from './startTlsProxy';
