/** Seconds → `"1h 2m"`, `"3m 20s"`, `"42s"`; `undefined` → `"—"`. Uses the two largest units. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) {
    return '—';
  }
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const parts: Array<[number, string]> = [
    [Math.floor(s / 86400), 'd'],
    [Math.floor((s % 86400) / 3600), 'h'],
    [Math.floor((s % 3600) / 60), 'm'],
    [s % 60, 's'],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  return parts
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, u]) => `${n}${u}`)
    .join(' ');
}

/** Seconds → the largest whole unit, for RPO columns: `3600` → `"1h"`, `5400` → `"1.5h"`, `172800` → `"2d"`. */
export function formatInterval(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) {
    return '—';
  }
  const units: Array<[number, string]> = [
    [86400, 'd'],
    [3600, 'h'],
    [60, 'm'],
  ];
  for (const [size, unit] of units) {
    if (seconds >= size) {
      const value = Math.round((seconds / size) * 10) / 10;
      return `${value}${unit}`;
    }
  }
  return `${Math.round(seconds)}s`;
}
