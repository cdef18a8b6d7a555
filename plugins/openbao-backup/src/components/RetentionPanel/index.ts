export { RetentionPanel } from './RetentionPanel';
