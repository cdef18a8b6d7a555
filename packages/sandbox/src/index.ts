export * from './kube';
export * from './runner';
export * from './openbao';
export * from './faults';
export * from './registry';
export { renderChart } from './chart/renderChart';
export type { RenderedChart, RenderOptions } from './chart/renderChart';
