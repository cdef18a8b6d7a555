import { GatewayDeadlines } from './GatewayDeadlines';

const gw = (name: string) => ({ name });

/** A part that ends when `release()` is called, noting whether it was told to stop. */
function heldPart() {
  let release = () => {};
  const done = new Promise<void>(r => (release = r));
  const seen: { stop?: AbortSignal } = {};
  return {
    release: () => release(),
    seen,
    part: (_: unknown, stop: AbortSignal) => {
      seen.stop = stop;
      return done;
    },
  };
}

describe('GatewayDeadlines', () => {
  it('waits for parts that end in time and reports none', async () => {
    const deadlines = GatewayDeadlines.create({ timeoutMs: 1000 });
    const ran: string[] = [];
    const missed = await deadlines.run([gw('a'), gw('b')], async g => {
      ran.push(g.name);
    });
    expect(missed).toEqual([]);
    expect(ran).toEqual(['a', 'b']);
  });

  it('stops waiting for a hung part at its deadline, tells it to stop, and skips its server until it ends', async () => {
    const deadlines = GatewayDeadlines.create({ timeoutMs: 50 });
    const hung = heldPart();
    const ran: string[] = [];
    const missed = await deadlines.run([gw('hung'), gw('ok')], (g, stop) =>
      g.name === 'hung'
        ? hung.part(g, stop)
        : (ran.push(g.name), Promise.resolve()),
    );
    expect(ran).toEqual(['ok']);
    expect(hung.seen.stop?.aborted).toBe(true);
    expect(missed).toEqual([
      {
        kubernetesCluster: 'hung',
        message:
          'Kubernetes API server hung did not finish its part of the pass within 0.05 s (openbaoBackup.kubernetes.passTimeout); its clusters are retried next pass',
      },
    ]);

    // Still running: the next pass does not start another part on that server.
    const started: string[] = [];
    const next = await deadlines.run([gw('hung'), gw('ok')], async g => {
      started.push(g.name);
    });
    expect(started).toEqual(['ok']);
    expect(next).toEqual([
      expect.objectContaining({
        kubernetesCluster: 'hung',
        message: expect.stringMatching(/still busy with an earlier pass/),
      }),
    ]);

    // Once it has ended, the server takes part again.
    hung.release();
    await new Promise(r => setImmediate(r));
    started.length = 0;
    expect(
      await deadlines.run([gw('hung')], async g => {
        started.push(g.name);
      }),
    ).toEqual([]);
    expect(started).toEqual(['hung']);
  });

  it("ends the wait when the task's abort signal fires", async () => {
    const deadlines = GatewayDeadlines.create({ timeoutMs: 60_000 });
    const hung = heldPart();
    const abort = new AbortController();
    const pass = deadlines.run([gw('hung')], hung.part, abort.signal);
    abort.abort();
    expect(await pass).toEqual([
      {
        kubernetesCluster: 'hung',
        message:
          'Kubernetes API server hung was not waited for: the pass was aborted',
      },
    ]);
    expect(hung.seen.stop?.aborted).toBe(true);
    hung.release();
  });

  it('passes on the error of a part that fails before its deadline, once the other parts have ended', async () => {
    const deadlines = GatewayDeadlines.create({ timeoutMs: 1000 });
    let slowEnded = false;
    await expect(
      deadlines.run([gw('a'), gw('b')], async g => {
        if (g.name === 'a') throw new Error('bug');
        await new Promise(r => setTimeout(r, 50));
        slowEnded = true;
      }),
    ).rejects.toThrow('bug');
    // Not left running untracked: the next pass would otherwise start a second part on b.
    expect(slowEnded).toBe(true);
  });
});
