import { ServerClock } from './ServerClock';

describe('ServerClock', () => {
  it('is unknown until a response carries a Date header', () => {
    const clock = new ServerClock(() => 0);
    expect(clock.now()).toBeUndefined();
    clock.observe(undefined);
    clock.observe('not a date');
    expect(clock.now()).toBeUndefined();
  });

  it('is the latest Date header plus the monotonic time elapsed since, whatever the local wall clock says', () => {
    let mono = 1_000;
    const clock = new ServerClock(() => mono);
    clock.observe('Tue, 03 Mar 2026 10:00:00 GMT');
    mono += 2_500;
    expect(clock.now()?.toISOString()).toBe('2026-03-03T10:00:02.500Z');
    // A later response resets the reference (the server's clock may have been stepped).
    clock.observe('Tue, 03 Mar 2026 09:00:00 GMT');
    mono += 1_000;
    expect(clock.now()?.toISOString()).toBe('2026-03-03T09:00:01.000Z');
  });
});
