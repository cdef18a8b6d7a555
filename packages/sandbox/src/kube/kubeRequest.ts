import https from 'node:https';
import http from 'node:http';
import type { KubeApi } from './startKubeApi';

/**
 * One JSON request to the API double as any client would send it: bearer token, the double's own
 * CA for HTTPS, merge-patch content type for PATCH. Resolves the parsed body; rejects with the
 * status and body on anything but 2xx. For seeding tests and the demo, like `kubectl`.
 */
export function kubeRequest(
  api: Pick<KubeApi, 'url' | 'token' | 'caData'>,
  method: string,
  path: string,
  body?: object,
): Promise<any> {
  const client = api.url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      `${api.url}${path}`,
      {
        method,
        ca: api.caData ? Buffer.from(api.caData, 'base64') : undefined,
        headers: {
          Authorization: `Bearer ${api.token}`,
          'Content-Type':
            method === 'PATCH'
              ? 'application/merge-patch+json'
              : 'application/json',
        },
      },
      res => {
        let text = '';
        res.on('data', c => (text += c));
        res.on('end', () =>
          res.statusCode! < 300
            ? resolve(text ? JSON.parse(text) : undefined)
            : reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}
