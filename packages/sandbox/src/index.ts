export * from './kube';
export * from './runner';
export * from './openbao';
export * from './faults';
