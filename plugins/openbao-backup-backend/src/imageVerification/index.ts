export { ImageVerifier, imageVerifierFromConfig } from './ImageVerifier';
export type {
  ImageVerificationResult,
  ImageVerifierOptions,
} from './ImageVerifier';
export { OciRegistryClient } from './OciRegistryClient';
export { RegistryError } from './RegistryClient';
export type { RegistryClient, RepositoryRef, Manifest } from './RegistryClient';
