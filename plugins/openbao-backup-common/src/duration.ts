const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60 * 1000,
  h: 60 * 60 * 1000,
  d: 24 * 60 * 60 * 1000,
  w: 7 * 24 * 60 * 60 * 1000,
};

const TERM = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/y;

/** Result of {@link tryParseDuration}. */
export type DurationParseResult =
  | { ok: true; ms: number }
  | { ok: false; error: string };

/**
 * Reads a Go-style duration extended with days and weeks: `90s`, `72h`, `30d`, `1h30m`, `1.5h`, `2w`.
 * Units: `ms`, `s`, `m`, `h`, `d` (24 h), `w` (7 d). No sign, no spaces, at least one term, and the
 * total must be a finite number of milliseconds. `0s` is valid (callers decide whether zero is).
 */
export function tryParseDuration(value: string): DurationParseResult {
  if (typeof value !== 'string' || value.trim() === '') {
    return {
      ok: false,
      error: 'duration is empty (expected e.g. 72h, 30d, 1h30m)',
    };
  }
  const text = value.trim();
  let total = 0;
  TERM.lastIndex = 0;
  while (TERM.lastIndex < text.length) {
    const at = TERM.lastIndex;
    const match = TERM.exec(text);
    if (!match) {
      return {
        ok: false,
        error: `"${value}" is not a duration: unexpected "${text.slice(
          at,
        )}" (expected e.g. 72h, 30d, 1h30m, 90s; units ms, s, m, h, d, w)`,
      };
    }
    total += Number(match[1]) * UNIT_MS[match[2]];
  }
  if (!Number.isFinite(total)) {
    return { ok: false, error: `"${value}" is too long a duration` };
  }
  return { ok: true, ms: Math.round(total) };
}

/** Like {@link tryParseDuration} but returns milliseconds or throws an `Error` with a clear message. */
export function parseDuration(value: string): number {
  const result = tryParseDuration(value);
  if (!result.ok) throw new Error(result.error);
  return result.ms;
}

/** Formats milliseconds compactly for people: `1d2h`, `90m` → `1h30m`, `45s`, `0s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const sign = ms < 0 ? '-' : '';
  let rest = Math.round(Math.abs(ms) / 1000);
  if (rest === 0) return '0s';
  const parts: string[] = [];
  for (const [unit, seconds] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(rest / seconds);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * seconds;
  }
  return sign + parts.join('');
}
