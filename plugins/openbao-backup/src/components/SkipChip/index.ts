export { SkipChip } from './SkipChip';
