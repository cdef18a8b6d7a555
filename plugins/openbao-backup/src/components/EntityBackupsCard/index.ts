export { EntityBackupsCard } from './EntityBackupsCard';
