import { IncomingMessage, ServerResponse } from 'node:http';
import { apiGroupDoc, apiGroupListDoc, apiResourceListDoc, apiVersionsDoc } from './discovery';
import { FaultInjector } from './FaultInjector';
import { parseFieldSelector } from './fieldSelector';
import { parseLabelSelector, SelectorParseError } from './labelSelector';
import { decodeContinue, inQuery, ListQuery, listPage } from './listing';
import { DeleteOptions, ObjectStore } from './ObjectStore';
import { parseApiPath } from './parseApiPath';
import { patcherFor, PATCH_TYPES, PatchError } from './patches';
import { apiVersionOf } from './resources';
import { deletedStatus, StatusBody, StatusError, statusBodies } from './statusBodies';
import { KubeObject, PropagationPolicy, ResourceType } from './types';
import { watchEventFor } from './watchEvents';

/** What the apiserver would read from the kubelet for `pods/<name>/log`. */
export interface PodLogSource {
  /** The container's log so far (and whether it is still running), or why it has not started. */
  podLog(pod: KubeObject): { log: string; running?: boolean } | { waiting: string };
}

export interface KubeApiServerOptions {
  store: ObjectStore;
  faults: FaultInjector;
  /** Accepted bearer tokens. */
  tokens: string[];
  podLogs?: PodLogSource;
  /** How often a watch with allowWatchBookmarks=true gets a BOOKMARK (the apiserver: ~1 min). */
  bookmarkIntervalMs?: number;
  /** Served publicly at /openid/v1/jwks and /.well-known/openid-configuration when set. */
  serviceAccountIssuer?: { issuer: string; jwks(): object };
  /** host:port for /api's serverAddressByClientCIDRs. */
  serverAddress?: () => string;
}

const JOB_ORPHAN_WARNING =
  '299 - "child pods are preserved by default when jobs are deleted; set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning"';

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}) {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', ...headers });
  res.end(text);
}

function sendStatus(res: ServerResponse, body: StatusBody, headers: Record<string, string> = {}) {
  sendJson(res, body.code, body, headers);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new StatusError(statusBodies.badRequest(`error decoding request body: ${(e as Error).message}`));
  }
}

/**
 * The HTTP face of the Kubernetes API double: auth, faults, discovery and the REST verbs over an
 * ObjectStore, with the apiserver's URL layout, query parameters and Status bodies.
 */
export class KubeApiServer {
  #o: KubeApiServerOptions;
  #watches = new Set<() => void>();

  constructor(options: KubeApiServerOptions) {
    this.#o = options;
  }

  /** Ends every open watch (server shutdown). */
  closeWatches() {
    for (const close of [...this.#watches]) close();
  }

  handle = (req: IncomingMessage, res: ServerResponse) => {
    this.#handle(req, res).catch(error => {
      if (error instanceof StatusError) sendStatus(res, error.body, error.headers);
      else sendStatus(res, statusBodies.internalError(String((error as Error)?.message ?? error)));
    });
  };

  async #handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const method = (req.method ?? 'GET').toUpperCase();
    const q = url.searchParams;
    const isWatch = method === 'GET' && ['1', 'true'].includes(q.get('watch') ?? '');

    if (['/healthz', '/livez', '/readyz'].includes(url.pathname)) {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('ok');
      return;
    }
    if (url.pathname === '/version') {
      sendJson(res, 200, { major: '1', minor: '33', gitVersion: 'v1.33.0-sandbox', platform: 'linux/amd64' });
      return;
    }
    const issuer = this.#o.serviceAccountIssuer;
    if (issuer && url.pathname === '/openid/v1/jwks') {
      sendJson(res, 200, issuer.jwks());
      return;
    }
    if (issuer && url.pathname === '/.well-known/openid-configuration') {
      sendJson(res, 200, {
        issuer: issuer.issuer,
        jwks_uri: `${issuer.issuer}/openid/v1/jwks`,
        response_types_supported: ['id_token'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
      return;
    }

    const auth = req.headers.authorization ?? '';
    const token = /^Bearer\s+(.+)$/i.exec(auth)?.[1]?.trim();
    if (!token || !this.#o.tokens.includes(token)) {
      sendStatus(res, statusBodies.unauthorized());
      return;
    }

    const info = { method, path: url.pathname, watch: isWatch };
    const faults = this.#o.faults.take(info);
    const latency = Math.max(0, ...faults.map(f => f.latencyMs ?? 0));
    if (latency > 0) await sleep(latency);
    const failing = faults.find(f => f.status);
    if (failing?.status) {
      const code = failing.status;
      if (code === 429) {
        const after = failing.retryAfterSeconds ?? 1;
        sendStatus(res, statusBodies.tooManyRequests(after), { 'Retry-After': String(after) });
      } else if (code === 500) {
        sendStatus(res, statusBodies.internalError('injected fault'));
      } else if (code === 503) {
        sendStatus(res, statusBodies.serviceUnavailable('the server is currently unable to handle the request (injected fault)'));
      } else {
        sendStatus(res, statusBodies.forCode(code, 'injected fault'));
      }
      return;
    }
    const dropAfter = faults.find(f => f.dropWatchAfterMs !== undefined)?.dropWatchAfterMs;

    const types = this.#o.store.types;
    const path = parseApiPath(url.pathname, types);
    if (method === 'GET' && path.kind === 'root') {
      sendJson(res, 200, path.what === 'api' ? apiVersionsDoc(this.#o.serverAddress?.() ?? '127.0.0.1') : apiGroupListDoc(types));
      return;
    }
    if (method === 'GET' && path.kind === 'group') {
      sendJson(res, 200, apiGroupDoc(types, path.group));
      return;
    }
    if (method === 'GET' && path.kind === 'groupVersion') {
      sendJson(res, 200, apiResourceListDoc(types, path.group, path.version));
      return;
    }
    if (path.kind !== 'resource') {
      sendStatus(res, statusBodies.pathNotFound());
      return;
    }

    const { type, namespace, name, subresource } = path;
    if (q.get('dryRun')) {
      throw new StatusError(statusBodies.badRequest('dryRun is not supported by the sandbox API'));
    }
    if (subresource && !this.#servesSubresource(type, subresource)) {
      sendStatus(res, statusBodies.pathNotFound());
      return;
    }
    if (this.#o.faults.takeConflict(info) && name) {
      sendStatus(res, statusBodies.conflict(type, name));
      return;
    }
    // A cluster-scoped object's own name sits where a namespace would for namespaced kinds.
    const objectNamespace = type.namespaced ? namespace : undefined;

    if (!name) {
      if (method === 'GET' && isWatch) {
        this.#watch(req, res, type, this.#query(type, namespace, q), q, dropAfter);
        return;
      }
      if (method === 'GET') {
        this.#list(res, type, namespace, q);
        return;
      }
      if (method === 'POST') {
        await this.#create(req, res, type, namespace);
        return;
      }
      if (method === 'DELETE') {
        await this.#deleteCollection(req, res, type, namespace, q);
        return;
      }
      sendStatus(res, statusBodies.methodNotAllowed());
      return;
    }

    if (method === 'GET' && subresource === 'log') {
      this.#podLog(res, type, objectNamespace!, name, q);
      return;
    }
    if (method === 'GET') {
      const obj = this.#o.store.get(type, objectNamespace, name);
      if (!obj) throw new StatusError(statusBodies.notFound(type, name));
      sendJson(res, 200, obj);
      return;
    }
    const writeOpts = subresource === 'status' ? { subresource: 'status' as const } : {};
    if (method === 'PUT') {
      const body = parseJson(await readBody(req));
      this.#checkBody(type, body, objectNamespace);
      if (body.metadata?.name !== name) {
        throw new StatusError(
          statusBodies.badRequest(`the name of the object (${body.metadata?.name}) does not match the name on the URL (${name})`),
        );
      }
      body.metadata.namespace = objectNamespace;
      sendJson(res, 200, this.#o.store.update(type, body, writeOpts));
      return;
    }
    if (method === 'PATCH') {
      const contentType = req.headers['content-type'];
      const patcher = patcherFor(contentType);
      if (!patcher || (type.custom && patcher.type === PATCH_TYPES.strategic)) {
        throw new StatusError(statusBodies.unsupportedMediaType(String(contentType)));
      }
      const patch = parseJson(await readBody(req));
      const result = this.#o.store.patch(
        type,
        objectNamespace,
        name,
        current => {
          try {
            return patcher.apply(current, patch);
          } catch (e) {
            if (e instanceof PatchError) {
              throw new StatusError(statusBodies.invalid(type, name, [{ field: '', message: e.message }]));
            }
            throw e;
          }
        },
        writeOpts,
      );
      sendJson(res, 200, result);
      return;
    }
    if (method === 'DELETE' && !subresource) {
      const options = await this.#deleteOptions(req, q);
      const { object, deleted } = this.#o.store.delete(type, objectNamespace, name, options);
      const headers: Record<string, string> =
        type.kind === 'Job' && !options.propagationPolicy ? { Warning: JOB_ORPHAN_WARNING } : {};
      if (deleted && !type.returnsDeletedObject) {
        sendJson(res, 200, deletedStatus(type, name, object.metadata.uid), headers);
      } else {
        sendJson(res, 200, object, headers);
      }
      return;
    }
    sendStatus(res, statusBodies.methodNotAllowed());
  }

  #servesSubresource(type: ResourceType, subresource: string) {
    if (subresource === 'status') return type.hasStatus;
    if (subresource === 'log') return type.kind === 'Pod';
    return false;
  }

  #query(type: ResourceType, namespace: string | undefined, q: URLSearchParams): ListQuery {
    try {
      return {
        namespace: type.namespaced ? namespace : undefined,
        labels: parseLabelSelector(q.get('labelSelector') ?? undefined),
        fields: parseFieldSelector(q.get('fieldSelector') ?? undefined, type),
      };
    } catch (e) {
      if (e instanceof SelectorParseError) {
        throw new StatusError(statusBodies.badRequest(`unable to parse requirement: ${e.message}`));
      }
      throw e;
    }
  }

  #checkBody(type: ResourceType, body: any, namespace: string | undefined) {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new StatusError(statusBodies.badRequest('the body of the request must be a JSON object'));
    }
    const expected = apiVersionOf(type);
    if (type.custom && (!body.kind || !body.apiVersion)) {
      throw new StatusError(statusBodies.badRequest(`Object 'Kind' is missing in '${JSON.stringify(body).slice(0, 200)}'`));
    }
    if (body.apiVersion && body.apiVersion !== expected) {
      throw new StatusError(
        statusBodies.badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${expected})`),
      );
    }
    if (body.kind && body.kind !== type.kind) {
      throw new StatusError(statusBodies.badRequest(`the kind in the data (${body.kind}) does not match the expected kind (${type.kind})`));
    }
    body.metadata ??= {};
    if (type.namespaced && body.metadata.namespace && body.metadata.namespace !== namespace) {
      throw new StatusError(
        statusBodies.badRequest('the namespace of the provided object does not match the namespace sent on the request'),
      );
    }
  }

  async #create(req: IncomingMessage, res: ServerResponse, type: ResourceType, namespace?: string) {
    const body = parseJson(await readBody(req));
    this.#checkBody(type, body, namespace);
    if (type.namespaced) body.metadata.namespace = namespace;
    sendJson(res, 201, this.#o.store.create(type, body));
  }

  #list(res: ServerResponse, type: ResourceType, namespace: string | undefined, q: URLSearchParams) {
    const query = this.#query(type, namespace, q);
    const store = this.#o.store;
    let rv = store.resourceVersion;
    let after: string | undefined;
    const cont = q.get('continue');
    if (cont) {
      const token = decodeContinue(cont);
      if (!token) throw new StatusError(statusBodies.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)'));
      if (token.rv < store.compactedThrough) {
        throw new StatusError(
          statusBodies.gone('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.'),
        );
      }
      rv = token.rv;
      after = token.start;
    }
    const limit = Number(q.get('limit') ?? 0) || undefined;
    const matching = store.list(type, query.namespace).filter(o => inQuery(query, o));
    sendJson(
      res,
      200,
      listPage(type, matching, {
        resourceVersion: rv,
        limit,
        after,
        selectorsUsed: query.labels.length + query.fields.length > 0,
      }),
    );
  }

  #watch(
    req: IncomingMessage,
    res: ServerResponse,
    type: ResourceType,
    query: ListQuery,
    q: URLSearchParams,
    dropAfterMs?: number,
  ) {
    const store = this.#o.store;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const send = (eventType: string, object: unknown) => {
      if (!res.destroyed && !res.writableEnded) res.write(`${JSON.stringify({ type: eventType, object })}\n`);
    };
    const timers: NodeJS.Timeout[] = [];
    let unsubscribe = () => {};
    const close = () => {
      unsubscribe();
      timers.forEach(t => clearTimeout(t));
      this.#watches.delete(close);
      if (!res.writableEnded) res.end();
    };
    this.#watches.add(close);
    // The response's 'close' is the connection going away (client abort or network drop).
    res.on('close', close);

    const rvParam = q.get('resourceVersion');
    const bookmark = (annotations?: Record<string, string>) =>
      send('BOOKMARK', {
        kind: type.kind,
        apiVersion: apiVersionOf(type),
        metadata: { resourceVersion: String(store.resourceVersion), ...(annotations ? { annotations } : {}) },
      });
    if (!rvParam || rvParam === '0' || q.get('sendInitialEvents') === 'true') {
      // "Any"/"most recent" start: the current state arrives as synthetic ADDED events.
      for (const obj of store.list(type, query.namespace).filter(o => inQuery(query, o))) send('ADDED', obj);
      if (q.get('sendInitialEvents') === 'true') bookmark({ 'k8s.io/initial-events-end': 'true' });
    } else {
      const from = Number(rvParam);
      const floor = store.watchableFrom(type);
      if (!Number.isInteger(from) || from < floor) {
        send('ERROR', statusBodies.gone(`too old resource version: ${rvParam} (${floor + 1})`));
        close();
        return;
      }
      for (const e of store.eventsAfter(type, from)) {
        const t = watchEventFor(query, e);
        if (t) send(t, e.object);
      }
    }
    unsubscribe = store.subscribe(e => {
      if (e.resource !== type) return;
      const t = watchEventFor(query, e);
      if (t) send(t, e.object);
    });

    if (q.get('allowWatchBookmarks') === 'true') {
      const every = this.#o.bookmarkIntervalMs ?? 60_000;
      const tick = () => {
        bookmark();
        timers.push(setTimeout(tick, every));
      };
      timers.push(setTimeout(tick, every));
    }
    const timeoutSeconds = Number(q.get('timeoutSeconds') ?? 0);
    if (timeoutSeconds > 0) timers.push(setTimeout(close, timeoutSeconds * 1000));
    if (dropAfterMs !== undefined) {
      timers.push(
        setTimeout(() => {
          unsubscribe();
          res.destroy();
          req.socket.destroy();
        }, dropAfterMs),
      );
    }
  }

  async #deleteOptions(req: IncomingMessage, q: URLSearchParams): Promise<DeleteOptions> {
    const text = await readBody(req);
    const body = text.trim() ? parseJson(text) : {};
    const policy = (q.get('propagationPolicy') ?? body.propagationPolicy) as PropagationPolicy | undefined;
    if (policy && !['Orphan', 'Background', 'Foreground'].includes(policy)) {
      throw new StatusError(statusBodies.badRequest(`propagationPolicy: Unsupported value: "${policy}"`));
    }
    const orphan = q.get('orphanDependents') ?? body.orphanDependents;
    const grace = q.get('gracePeriodSeconds') ?? body.gracePeriodSeconds;
    let legacyPolicy: PropagationPolicy | undefined;
    if (orphan !== undefined && orphan !== null) {
      legacyPolicy = String(orphan) === 'true' ? 'Orphan' : 'Background';
    }
    return {
      propagationPolicy: policy ?? legacyPolicy,
      gracePeriodSeconds: grace === undefined || grace === null ? undefined : Number(grace),
      preconditions: body.preconditions,
    };
  }

  async #deleteCollection(
    req: IncomingMessage,
    res: ServerResponse,
    type: ResourceType,
    namespace: string | undefined,
    q: URLSearchParams,
  ) {
    const query = this.#query(type, namespace, q);
    const options = await this.#deleteOptions(req, q);
    const items = this.#o.store
      .list(type, query.namespace)
      .filter(o => inQuery(query, o))
      .map(o => this.#o.store.delete(type, o.metadata.namespace, o.metadata.name!, options).object);
    sendJson(res, 200, listPage(type, items, { resourceVersion: this.#o.store.resourceVersion, selectorsUsed: true }));
  }

  /** `follow=true`: the log so far, then what the container writes, until it exits. */
  #followLog(res: ServerResponse, pod: KubeObject, initial: string) {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
    res.write(initial);
    let sent = initial.length;
    let timer: NodeJS.Timeout | undefined = undefined;
    const close = () => {
      clearInterval(timer);
      this.#watches.delete(close);
      if (!res.writableEnded) res.end();
    };
    timer = setInterval(() => {
      const now = this.#o.podLogs?.podLog(pod);
      if (now && 'log' in now) {
        if (now.log.length > sent) res.write(now.log.slice(sent));
        sent = now.log.length;
        if (now.running) return;
      }
      close();
    }, 100);
    this.#watches.add(close);
    res.on('close', close);
  }

  #podLog(res: ServerResponse, type: ResourceType, namespace: string, name: string, q: URLSearchParams) {
    const pod = this.#o.store.get(type, namespace, name);
    if (!pod) throw new StatusError(statusBodies.notFound(type, name));
    const container = q.get('container') ?? pod.spec?.containers?.[0]?.name;
    const source = this.#o.podLogs?.podLog(pod) ?? { waiting: 'ContainerCreating' };
    if ('waiting' in source) {
      throw new StatusError(
        statusBodies.badRequest(`container "${container}" in pod "${name}" is waiting to start: ${source.waiting}`),
      );
    }
    if (q.get('follow') === 'true' && source.running) {
      this.#followLog(res, pod, source.log);
      return;
    }
    let log = source.log;
    const tail = Number(q.get('tailLines') ?? NaN);
    if (Number.isInteger(tail) && tail >= 0) {
      const lines = log.split('\n');
      const trailing = lines[lines.length - 1] === '' ? lines.pop() : undefined;
      log = lines.slice(Math.max(0, lines.length - tail)).join('\n') + (trailing !== undefined && tail > 0 ? '\n' : '');
    }
    const limitBytes = Number(q.get('limitBytes') ?? NaN);
    if (Number.isInteger(limitBytes) && limitBytes > 0) log = Buffer.from(log).subarray(0, limitBytes).toString('utf8');
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end(log);
  }
}
