export * from './formatBytes';
export * from './formatDuration';
export * from './formatTime';
export * from './describeSchedule';
export * from './staleness';
export * from './shortEntityRef';
export * from './skipTitle';
