export { ClusterSummary, TimeAgo } from './ClusterSummary';
