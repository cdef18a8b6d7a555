/** A local command standing in for an image's entrypoint, or a function of the container. */
export type ImageCommand = string[] | ((container: any) => string[]);

/** `registry:5000/org/name:tag@sha256:…` → `registry:5000/org/name`. */
export function imageRepository(image: string) {
  const noDigest = image.split('@')[0];
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.indexOf(':', lastSlash + 1);
  return colon >= 0 ? noDigest.slice(0, colon) : noDigest;
}

/**
 * The command for a container's image: a key matches the whole repository or its trailing path
 * (`openbao-backup-executor` matches `ghcr.io/acme/openbao-backup-executor:1.2@sha256:…`).
 * Container `args` are appended, as they follow the image's entrypoint in Kubernetes.
 */
export function commandForImage(
  images: Record<string, ImageCommand>,
  container: { image?: string; args?: string[] },
): string[] | undefined {
  const repo = imageRepository(container.image ?? '');
  const key = Object.keys(images)
    .filter(k => repo === k || repo.endsWith(`/${k}`))
    .sort((a, b) => b.length - a.length)[0];
  if (key === undefined) return undefined;
  const entry = images[key];
  const base = typeof entry === 'function' ? entry(container) : entry;
  return [...base, ...(container.args ?? [])];
}
