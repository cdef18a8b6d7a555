import { MAX_REPORT_BYTES, shapeReport } from './shapeReport';

const upload = {
  size: 10,
  sha256: 'a'.repeat(64),
  stateSha256: 'b'.repeat(64),
  raftIndex: 7,
  raftTerm: 2,
  sealedChecksums: true,
};

describe('shapeReport', () => {
  it('reports a success with every field', () => {
    expect(
      JSON.parse(
        shapeReport({
          ok: true,
          stage: 'done',
          durationSeconds: 1.23456,
          key: 'k',
          upload,
        }),
      ),
    ).toEqual({
      ok: true,
      stage: 'done',
      key: 'k',
      size: 10,
      durationSeconds: 1.235,
      sha256: 'a'.repeat(64),
      stateSha256: 'b'.repeat(64),
      raftIndex: 7,
      raftTerm: 2,
      sealedChecksums: true,
      error: null,
    });
  });

  it('reports a failure without upload facts and with secrets masked', () => {
    const line = shapeReport(
      {
        ok: false,
        stage: 'auth',
        error: 'bad token s.SECRET',
        durationSeconds: 0.5,
        key: 'k',
        upload,
      },
      t => t.replace('s.SECRET', '[redacted]'),
    );
    expect(JSON.parse(line)).toMatchObject({
      ok: false,
      stage: 'auth',
      size: null,
      sha256: null,
      raftIndex: null,
      error: 'bad token [redacted]',
    });
  });

  it.each([5000, 20000])('keeps a %i-character error within 4 KiB', n => {
    const line = shapeReport({
      ok: false,
      stage: 'stream',
      error: 'é'.repeat(n),
      durationSeconds: 1,
    });
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(MAX_REPORT_BYTES);
    expect(JSON.parse(line).error.endsWith('…')).toBe(true);
  });
});
