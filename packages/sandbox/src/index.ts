export * from './kube';
export * from './runner';
export * from './openbao';
export * from './faults';
export * from './registry';
