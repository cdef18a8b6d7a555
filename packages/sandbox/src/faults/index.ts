export { recordFaultCase, faultReportDir } from './faultReport';
export type { FaultCase } from './faultReport';
