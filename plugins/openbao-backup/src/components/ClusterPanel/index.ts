export { ClusterPanel } from './ClusterPanel';
export type { ClusterPanelProps } from './ClusterPanel';
