import { resolveRedirect } from './resolveRedirect';

const allowed = [
  'https://c1-0.c1.ns.svc:8200',
  'https://c1-1.c1.ns.svc:8200',
  'http://127.0.0.1:4000',
];
const from = 'https://c1-0.c1.ns.svc:8200/v1/sys/storage/raft/snapshot';

describe('resolveRedirect', () => {
  it.each([
    [
      'https://c1-1.c1.ns.svc:8200/v1/sys/storage/raft/snapshot',
      'https://c1-1.c1.ns.svc:8200/v1/sys/storage/raft/snapshot',
    ],
    [
      '/v1/sys/storage/raft/snapshot',
      'https://c1-0.c1.ns.svc:8200/v1/sys/storage/raft/snapshot',
    ],
  ])('follows %s', (location, url) => {
    expect(resolveRedirect(from, location, allowed)).toEqual({ ok: true, url });
  });

  it.each([
    [
      'https://evil.example:8200/v1/sys/storage/raft/snapshot',
      'not in OPENBAO_ADDRESSES',
    ],
    [
      'https://c1-1.c1.ns.svc:8201/v1/sys/storage/raft/snapshot',
      'not in OPENBAO_ADDRESSES',
    ],
    [
      'http://c1-1.c1.ns.svc:8200/v1/sys/storage/raft/snapshot',
      'from https to http refused',
    ],
    [
      'http://127.0.0.1:4000/v1/sys/storage/raft/snapshot',
      'from https to http refused',
    ],
    [undefined, 'without a Location'],
    ['http://[bad', 'invalid URL'],
  ])('refuses %s', (location, reason) => {
    expect(resolveRedirect(from, location, allowed)).toEqual({
      ok: false,
      reason: expect.stringContaining(reason),
    });
  });

  it('allows http to http within the list', () => {
    expect(
      resolveRedirect(
        'http://127.0.0.1:3999/v1/x',
        'http://127.0.0.1:4000/v1/x',
        allowed,
      ),
    ).toEqual({
      ok: true,
      url: 'http://127.0.0.1:4000/v1/x',
    });
  });
});
