export { recordFaultCase, faultReportDir } from './faultReport';
export type { FaultCase } from './faultReport';
export { startFaultProxy } from './FaultProxy';
export type {
  FaultProxy,
  FaultProxyOptions,
  HttpFault,
  ProxiedRequest,
} from './FaultProxy';
