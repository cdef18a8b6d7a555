import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (options?: { type?: 'major' | 'minor'; execution?: 'sync' }) => void;
let gc: Gc | undefined | null;

/**
 * Runs a full garbage collection. Each multipart part is a partSize Buffer that lives long
 * enough to reach V8's old generation, where it would wait for the next major GC — V8 lets
 * up to ~64 MiB of such dead external memory pile up. Collecting after every part keeps the
 * peak near concurrency × partSize + a constant, at a cost of a few ms per part.
 */
export function collectGarbage(type: 'major' | 'minor' = 'major'): void {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as Gc;
    } catch {
      gc = null;
    }
  }
  gc?.({ type, execution: 'sync' });
}
