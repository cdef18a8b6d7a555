/** `group:default/platform` → `platform`: entity refs in the default namespace, as people read them. */
export const shortEntityRef = (ref: string) =>
  ref.replace(/^[^:]+:default\//, '');
