import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// dockerfilelint has no types for its programmatic entry point
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dockerfilelint = require('dockerfilelint') as {
  run(
    configPath: string,
    content: string,
  ): Array<{ line: number; title: string; description: string }>;
};

const dir = join(__dirname, '..');
const content = readFileSync(join(dir, 'Dockerfile'), 'utf8');
const instructions = content
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map(l => l.trim())
  .filter(l => l && !l.startsWith('#'));

describe('executor/Dockerfile', () => {
  it('passes dockerfilelint', () => {
    expect(dockerfilelint.run(dir, content)).toEqual([]);
  });

  it('is multi-stage with a distroless, non-root runtime running the bundle', () => {
    const froms = instructions.filter(l => l.startsWith('FROM '));
    expect(froms.length).toBeGreaterThanOrEqual(2);
    expect(froms[froms.length - 1]).toMatch(
      /^FROM gcr\.io\/distroless\/nodejs24-debian12:nonroot$/,
    );
    const runtime = instructions.slice(
      instructions.lastIndexOf(froms[froms.length - 1]),
    );
    expect(runtime).toContain('USER 65532:65532');
    expect(runtime.some(l => l.startsWith('RUN '))).toBe(false); // nothing writes to the runtime layer
    expect(runtime.find(l => l.startsWith('ENTRYPOINT'))).toBe(
      'ENTRYPOINT ["/nodejs/bin/node", "/app/executor.js"]',
    );
    expect(runtime.find(l => l.startsWith('COPY'))).toContain(
      'executor/dist/executor.js',
    );
  });
});
