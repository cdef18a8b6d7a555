/**
 * Parses `sha256sum` output (`<64 hex>  <name>` or `<64 hex> *<name>` per line).
 * Returns name → lowercase hex, or the problems found.
 */
export function parseSha256Sums(text: string): {
  sums: Map<string, string>;
  problems: string[];
} {
  const sums = new Map<string, string>();
  const problems: string[] = [];
  text.split('\n').forEach((line, i) => {
    const l = line.replace(/\r$/, '');
    if (l.trim() === '') return;
    const m = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(l);
    if (!m) {
      problems.push(`SHA256SUMS line ${i + 1} is not "<sha256>  <name>"`);
      return;
    }
    const name = m[2].replace(/^\.\//, '');
    if (sums.has(name)) problems.push(`SHA256SUMS lists ${name} twice`);
    sums.set(name, m[1].toLowerCase());
  });
  if (sums.size === 0 && problems.length === 0)
    problems.push('SHA256SUMS is empty');
  return { sums, problems };
}

/** Files every OpenBao snapshot must carry a checksum for. */
export const REQUIRED_SUMMED_FILES = ['meta.json', 'state.bin'];

/**
 * Compares the hashes computed in the stream with the SHA256SUMS entries: every listed file
 * must be present and match, meta.json and state.bin must be listed, nothing may be unlisted.
 */
export function compareChecksums(
  sums: Map<string, string>,
  computed: Map<string, string>,
): string[] {
  const problems: string[] = [];
  for (const name of REQUIRED_SUMMED_FILES) {
    if (!sums.has(name)) problems.push(`SHA256SUMS has no entry for ${name}`);
  }
  for (const [name, expected] of sums) {
    const actual = computed.get(name);
    if (actual === undefined)
      problems.push(
        `${name} is listed in SHA256SUMS but missing from the snapshot`,
      );
    else if (actual !== expected)
      problems.push(
        `${name} checksum mismatch: SHA256SUMS says ${expected}, stream has ${actual}`,
      );
  }
  for (const name of computed.keys()) {
    if (!sums.has(name))
      problems.push(`${name} is in the snapshot but not in SHA256SUMS`);
  }
  return problems;
}
