/**
 * Shared types, constants, permissions and pure logic of the openbao-backup plugins.
 *
 * @packageDocumentation
 */
export * from './types';
export * from './constants';
export * from './permissions';
export * from './clusterAnnotation';
export * from './api';
export * from './duration';
export * from './objectKeys';
export * from './schedule';
export * from './health';
export * from './skipReason';
