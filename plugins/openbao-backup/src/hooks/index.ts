export * from './useEntityClusters';
export * from './useClusterDetail';
export * from './useClusterBackup';
export * from './useSnapshots';
export * from './useRetentionPreview';
export * from './useFleet';
export * from './describeError';
