export { startRegistry, pushExecutorImages } from './startRegistry';
export type {
  RegistryHandle,
  RegistryOptions,
  RegistryRequest,
} from './startRegistry';
export { cosignSignatureManifest, simpleSigningPayload } from './cosign';
export { createKeylessSigner } from './keylessSigner';
export type { KeylessSigner } from './keylessSigner';
