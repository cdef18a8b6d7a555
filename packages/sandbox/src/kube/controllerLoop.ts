/**
 * Runs `work` once soon after any number of `kick()` calls: controllers react to store events
 * asynchronously, as real ones do through their informers, and never inside the writer's call.
 */
export function controllerLoop(
  work: () => void,
  onError: (e: unknown) => void = () => {},
) {
  let scheduled: NodeJS.Immediate | undefined;
  let stopped = false;
  return {
    kick() {
      if (scheduled || stopped) return;
      scheduled = setImmediate(() => {
        scheduled = undefined;
        try {
          work();
        } catch (e) {
          onError(e);
        }
      });
    },
    stop() {
      stopped = true;
      if (scheduled) clearImmediate(scheduled);
      scheduled = undefined;
    },
  };
}
