import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (options?: { type?: 'major' | 'minor'; execution?: 'sync' }) => void;
let gc: Gc | undefined | null;

function collectGarbage(type: 'major' | 'minor'): void {
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

/**
 * Runs a young-generation GC (scavenge) after every `everyBytes` of stream. Each socket read
 * and each gunzip output is a fresh ArrayBuffer that dies at once, but V8 sees little JS
 * allocation and scavenges rarely, so dead buffers pile up until their external size forces
 * a full mark-compact (about every 8 MiB of snapshot). A scavenge every MiB costs well under
 * a millisecond and frees them first: measured on 1 GiB, 125 → 6 mark-compacts, ~2 fewer
 * CPU-seconds and ~65 MiB less peak RSS (docs/executor.md § Memory).
 */
export class ScavengePacer {
  #sinceLast = 0;
  /** `beforeCollect` runs just before each scavenge: the moment the most garbage is held. */
  constructor(
    private readonly everyBytes: number,
    private readonly beforeCollect: () => void = () => {},
  ) {}

  advance(bytes: number): void {
    this.#sinceLast += bytes;
    if (this.#sinceLast >= this.everyBytes) {
      this.#sinceLast = 0;
      this.beforeCollect();
      collectGarbage('minor');
    }
  }
}

const MiB = 1024 * 1024;

/**
 * The most Buffer memory the process held at the moments it was sampled. Unlike peak RSS
 * (which depends on when the kernel and the allocator return pages), `arrayBuffers` counts the
 * Buffers alive, so sampled at fixed points of the stream it says how much of the snapshot the
 * executor holds at once: ≈ (concurrency + 1) × partSize plus socket and gunzip Buffers (more
 * of those under load), whatever the snapshot's size.
 */
export class MemoryPeak {
  #arrayBuffers = 0;
  #external = 0;

  sample(): void {
    const { arrayBuffers, external } = process.memoryUsage();
    this.#arrayBuffers = Math.max(this.#arrayBuffers, arrayBuffers);
    this.#external = Math.max(this.#external, external);
  }

  /** In MiB, rounded to one decimal: the figures the stream stage logs. */
  figures(): { peakArrayBuffersMiB: number; peakExternalMiB: number } {
    const mib = (n: number) => Math.round((n / MiB) * 10) / 10;
    return {
      peakArrayBuffersMiB: mib(this.#arrayBuffers),
      peakExternalMiB: mib(this.#external),
    };
  }
}
