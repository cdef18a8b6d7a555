/*
 * The pure decision core of the backend: no I/O, no clock, no environment (STYLE.md §5).
 */
export * from './types';
export * from './jobNameFor';
export * from './validateBackupSpec';
export * from './preflight';
export * from './jobState';
export * from './decideRun';
export * from './isNextSlot';
export * from './nextSlotOutdated';
export * from './triggerPending';
export * from './lightPass';
export * from './buildBackupJob';
export * from './statusPatchFor';
export * from './outcomeForDecision';
export * from './planRetention';
export * from './planOrphanUploadAborts';
export * from './batchDeletes';
export * from './retentionApplies';
export * from './orphanedPods';
