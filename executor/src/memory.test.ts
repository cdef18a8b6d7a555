import { MemoryPeak, ScavengePacer } from './memory';

describe('ScavengePacer', () => {
  it('runs beforeCollect once per `everyBytes` of stream, whatever the chunk sizes', () => {
    let calls = 0;
    const pacer = new ScavengePacer(1000, () => calls++);
    for (let i = 0; i < 25; i++) pacer.advance(100); // 2500 bytes
    expect(calls).toBe(2);
    pacer.advance(5000); // one big chunk: one collection
    expect(calls).toBe(3);
  });
});

describe('MemoryPeak', () => {
  it('keeps the largest Buffer memory sampled, in MiB', () => {
    const peak = new MemoryPeak();
    peak.sample();
    const before = peak.figures().peakArrayBuffersMiB;
    let big: Buffer | undefined = Buffer.alloc(64 * 1024 * 1024, 1);
    peak.sample();
    big = undefined;
    peak.sample();
    const { peakArrayBuffersMiB, peakExternalMiB } = peak.figures();
    expect(big).toBeUndefined();
    expect(peakArrayBuffersMiB).toBeGreaterThanOrEqual(before + 64);
    expect(peakExternalMiB).toBeGreaterThanOrEqual(peakArrayBuffersMiB);
  });
});
