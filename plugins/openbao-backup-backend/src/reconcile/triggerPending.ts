// Moved to the pure core (the light pass's decision needs it); kept for existing imports.
export { triggerPending } from '../core/triggerPending';
