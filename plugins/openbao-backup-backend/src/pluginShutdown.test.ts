import { KubeApi, startKubeApi } from '@internal/openbao-backup-sandbox';
import {
  startReconcilingBackend,
  waitFor,
} from './__testUtils__/reconcilingBackend';

/** Longer than the watch's reconnect delay after an error (2 s, ClientNodeKubeGateway). */
const QUIET_MS = 3000;

describe('plugin shutdown', () => {
  let kube: KubeApi;
  afterAll(async () => {
    await kube?.stop();
  });

  it('closes its watches when the backend stops, and opens none afterwards', async () => {
    kube = await startKubeApi({ namespaces: ['vault'], controllers: false });
    let watchRequests = 0;
    kube.server.on('request', req => {
      if (/[?&]watch=(true|1)\b/.test(req.url ?? '')) watchRequests++;
    });
    const backend = await startReconcilingBackend({
      kubes: [{ name: 'k8s', api: kube }],
      clock: { now: () => new Date('2026-03-10T02:00:00Z') },
    });
    // OpenBaoClusters and backup Jobs, cluster-wide.
    await waitFor(
      async () => kube.openWatches(),
      n => n === 2,
      'the plugin to watch',
    );

    const beforeStop = watchRequests;
    await backend.stop();
    await waitFor(
      async () => kube.openWatches(),
      n => n === 0,
      'the watches to close',
    );
    await new Promise(r => setTimeout(r, QUIET_MS));
    expect({
      openWatches: kube.openWatches(),
      watchRequestsAfterStop: watchRequests - beforeStop,
    }).toEqual({ openWatches: 0, watchRequestsAfterStop: 0 });
  }, 30_000);
});
