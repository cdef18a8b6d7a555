import {
  BatchV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  EventsV1Api,
  KubeConfig,
} from '@kubernetes/client-node';
import { KubeApi } from '../startKubeApi';

/**
 * The real client, configured as the backend would: server URL plus a bearer token. client-node
 * 1.4 refuses to send a token over plain http unless skipTLSVerify is set (the flag then only
 * means "allow http"); with TLS the double's CA is verified.
 */
export function kubeConfigFor(
  api: Pick<KubeApi, 'url' | 'token' | 'caData'>,
  token = api.token,
) {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: 'sandbox',
        server: api.url,
        caData: api.caData,
        skipTLSVerify: api.url.startsWith('http:'),
      },
    ],
    users: [{ name: 'sandbox', token }],
    contexts: [{ name: 'sandbox', cluster: 'sandbox', user: 'sandbox' }],
    currentContext: 'sandbox',
  });
  return kc;
}

export function clientsFor(
  api: Pick<KubeApi, 'url' | 'token' | 'caData'>,
  token?: string,
) {
  const kc = kubeConfigFor(api, token);
  return {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    batch: kc.makeApiClient(BatchV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    coordination: kc.makeApiClient(CoordinationV1Api),
    events: kc.makeApiClient(EventsV1Api),
  };
}

/** Polls until `check` returns a truthy value (controllers act asynchronously). */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    }
    await new Promise(r => setTimeout(r, 20));
  }
}

/** Rejection of a client call, for asserting on `code` and the Status `body`. */
export async function failure(
  promise: Promise<unknown>,
): Promise<{ code: number; body: any }> {
  try {
    await promise;
  } catch (e: any) {
    const body = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
    return { code: e.code, body };
  }
  throw new Error('expected the call to fail');
}

export const cluster = (
  name: string,
  namespace = 'team-a',
  spec: object = { replicas: 3 },
) => ({
  apiVersion: 'openbao.org/v1alpha1',
  kind: 'OpenBaoCluster',
  metadata: { name, namespace },
  spec,
});

export const OPENBAO = {
  group: 'openbao.org',
  version: 'v1alpha1',
  plural: 'openbaoclusters',
};
