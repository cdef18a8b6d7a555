import {
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';

/** Where the plugin reads the time: every scheduling decision and health verdict. */
export interface Clock {
  now(): Date;
}

/**
 * The plugin's clock, the wall clock by default. A test seam: cron has minute resolution, so the
 * multi-replica and schedule tests install a virtual clock that runs faster than real time.
 */
export const clockServiceRef = createServiceRef<Clock>({
  id: 'openbao-backup.clock',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {},
      factory: () => ({ now: () => new Date() }),
    }),
});

/** A factory installing `clock` (for `startTestBackend` features). */
export function clockServiceFactory(clock: Clock) {
  return createServiceFactory({
    service: clockServiceRef,
    deps: {},
    factory: () => clock,
  });
}
