import { IncomingMessage, ServerResponse } from 'node:http';
import {
  apiGroupDoc,
  apiGroupListDoc,
  apiResourceListDoc,
  apiVersionsDoc,
} from './discovery';
import { FaultInjector } from './FaultInjector';
import { parseFieldSelector } from './fieldSelector';
import { parseJson, readBody, sendJson, sendStatus, sleep } from './http';
import { parseLabelSelector, SelectorParseError } from './labelSelector';
import { decodeContinue, inQuery, ListQuery, listPage } from './listing';
import { ObjectStore } from './ObjectStore';
import { parseApiPath } from './parseApiPath';
import { patcherFor, PATCH_TYPES, PatchError } from './patches';
import { readDeleteOptions } from './readDeleteOptions';
import { apiVersionOf } from './resources';
import { PodLogSource, servePodLog } from './servePodLog';
import { serveWatch } from './serveWatch';
import { deletedStatus, StatusError, statusBodies } from './statusBodies';
import { ResourceType } from './types';
import {
  authorize,
  KubeUser,
  RbacObjects,
  RequestAttributes,
  verbOf,
} from './rbac';
import { lookupResource } from './resources';

export type { PodLogSource } from './servePodLog';

export interface KubeApiServerOptions {
  store: ObjectStore;
  faults: FaultInjector;
  /** Accepted bearer tokens of administrators (system:masters: never checked by RBAC). */
  tokens: string[];
  /** Further bearer tokens, each of a user whose every resource request RBAC checks. */
  users?: Array<KubeUser & { token: string }>;
  /** Told every RBAC decision (tests compare what was used with what a Role grants). */
  onAuthorize?: (
    user: KubeUser,
    attributes: RequestAttributes,
    allowed: boolean,
  ) => void;
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

/**
 * The HTTP face of the Kubernetes API double: auth, faults, discovery and the REST verbs over an
 * ObjectStore, with the apiserver's URL layout, query parameters and Status bodies.
 */
export class KubeApiServer {
  #o: KubeApiServerOptions;
  #watches = new Set<() => void>();
  /** Followed pod logs, ended at shutdown with the watches but not counted as watches. */
  #logStreams = new Set<() => void>();

  constructor(options: KubeApiServerOptions) {
    this.#o = options;
  }

  /** Ends every open watch and followed log (server shutdown). */
  closeWatches() {
    for (const close of [...this.#watches, ...this.#logStreams]) close();
  }

  /** How many `?watch=1` streams are open (a client that stopped watching has closed its own). */
  openWatches(): number {
    return this.#watches.size;
  }

  handle = (req: IncomingMessage, res: ServerResponse) => {
    this.#handle(req, res).catch(error => {
      if (error instanceof StatusError)
        sendStatus(res, error.body, error.headers);
      else
        sendStatus(
          res,
          statusBodies.internalError(
            String((error as Error)?.message ?? error),
          ),
        );
    });
  };

  async #handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const method = (req.method ?? 'GET').toUpperCase();
    const q = url.searchParams;
    const isWatch =
      method === 'GET' && ['1', 'true'].includes(q.get('watch') ?? '');

    if (['/healthz', '/livez', '/readyz'].includes(url.pathname)) {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('ok');
      return;
    }
    if (url.pathname === '/version') {
      sendJson(res, 200, {
        major: '1',
        minor: '33',
        gitVersion: 'v1.33.0-sandbox',
        platform: 'linux/amd64',
      });
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
    const user = token
      ? this.#o.users?.find(u => u.token === token)
      : undefined;
    if (!token || (!user && !this.#o.tokens.includes(token))) {
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
        sendStatus(res, statusBodies.tooManyRequests(after), {
          'Retry-After': String(after),
        });
      } else if (code === 500) {
        sendStatus(res, statusBodies.internalError('injected fault'));
      } else if (code === 503) {
        sendStatus(
          res,
          statusBodies.serviceUnavailable(
            'the server is currently unable to handle the request (injected fault)',
          ),
        );
      } else {
        sendStatus(res, statusBodies.forCode(code, 'injected fault'));
      }
      return;
    }
    const dropAfter = faults.find(
      f => f.dropWatchAfterMs !== undefined,
    )?.dropWatchAfterMs;

    const types = this.#o.store.types;
    const path = parseApiPath(url.pathname, types);
    if (method === 'GET' && path.kind === 'root') {
      sendJson(
        res,
        200,
        path.what === 'api'
          ? apiVersionsDoc(this.#o.serverAddress?.() ?? '127.0.0.1')
          : apiGroupListDoc(types),
      );
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
    if (user) {
      const attributes: RequestAttributes = {
        verb: verbOf(method, !!name, isWatch),
        apiGroup: type.group,
        resource: type.plural,
        subresource,
        namespace: type.namespaced ? namespace : undefined,
        name,
      };
      const verdict = authorize(user, attributes, this.#rbacObjects());
      this.#o.onAuthorize?.(user, attributes, verdict.allowed);
      if (!verdict.allowed) {
        sendStatus(
          res,
          statusBodies.forbidden(verdict.message, {
            ...(name ? { name } : {}),
            group: type.group,
            kind: type.plural,
          }),
        );
        return;
      }
    }
    if (q.get('dryRun')) {
      throw new StatusError(
        statusBodies.badRequest('dryRun is not supported by the sandbox API'),
      );
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
        serveWatch(res, {
          store: this.#o.store,
          type,
          query: this.#query(type, namespace, q),
          params: q,
          bookmarkIntervalMs: this.#o.bookmarkIntervalMs,
          dropAfterMs: dropAfter,
          streams: this.#watches,
        });
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
      servePodLog(res, {
        store: this.#o.store,
        logs: this.#o.podLogs,
        type,
        namespace: objectNamespace!,
        name,
        params: q,
        streams: this.#logStreams,
      });
      return;
    }
    if (method === 'GET') {
      const obj = this.#o.store.get(type, objectNamespace, name);
      if (!obj) throw new StatusError(statusBodies.notFound(type, name));
      sendJson(res, 200, obj);
      return;
    }
    const writeOpts =
      subresource === 'status' ? { subresource: 'status' as const } : {};
    if (method === 'PUT') {
      const body = parseJson(await readBody(req));
      this.#checkBody(type, body, objectNamespace);
      if (body.metadata?.name !== name) {
        throw new StatusError(
          statusBodies.badRequest(
            `the name of the object (${body.metadata?.name}) does not match the name on the URL (${name})`,
          ),
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
        throw new StatusError(
          statusBodies.unsupportedMediaType(String(contentType)),
        );
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
              throw new StatusError(
                statusBodies.invalid(type, name, [
                  { field: '', message: e.message },
                ]),
              );
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
      const options = await readDeleteOptions(req, q);
      const { object, deleted } = this.#o.store.delete(
        type,
        objectNamespace,
        name,
        options,
      );
      const headers: Record<string, string> =
        type.kind === 'Job' && !options.propagationPolicy
          ? { Warning: JOB_ORPHAN_WARNING }
          : {};
      if (deleted && !type.returnsDeletedObject) {
        sendJson(
          res,
          200,
          deletedStatus(type, name, object.metadata.uid),
          headers,
        );
      } else {
        sendJson(res, 200, object, headers);
      }
      return;
    }
    sendStatus(res, statusBodies.methodNotAllowed());
  }

  #rbacObjects(): RbacObjects {
    const all = (key: string) =>
      this.#o.store.list(lookupResource(key, this.#o.store.types), undefined);
    return {
      roles: all('roles.rbac.authorization.k8s.io'),
      clusterRoles: all('clusterroles.rbac.authorization.k8s.io'),
      roleBindings: all('rolebindings.rbac.authorization.k8s.io'),
      clusterRoleBindings: all('clusterrolebindings.rbac.authorization.k8s.io'),
    };
  }

  #servesSubresource(type: ResourceType, subresource: string) {
    if (subresource === 'status') return type.hasStatus;
    if (subresource === 'log') return type.kind === 'Pod';
    return false;
  }

  #query(
    type: ResourceType,
    namespace: string | undefined,
    q: URLSearchParams,
  ): ListQuery {
    try {
      return {
        namespace: type.namespaced ? namespace : undefined,
        labels: parseLabelSelector(q.get('labelSelector') ?? undefined),
        fields: parseFieldSelector(q.get('fieldSelector') ?? undefined, type),
      };
    } catch (e) {
      if (e instanceof SelectorParseError) {
        throw new StatusError(
          statusBodies.badRequest(`unable to parse requirement: ${e.message}`),
        );
      }
      throw e;
    }
  }

  #checkBody(type: ResourceType, body: any, namespace: string | undefined) {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new StatusError(
        statusBodies.badRequest(
          'the body of the request must be a JSON object',
        ),
      );
    }
    const expected = apiVersionOf(type);
    if (type.custom && (!body.kind || !body.apiVersion)) {
      throw new StatusError(
        statusBodies.badRequest(
          `Object 'Kind' is missing in '${JSON.stringify(body).slice(0, 200)}'`,
        ),
      );
    }
    if (body.apiVersion && body.apiVersion !== expected) {
      throw new StatusError(
        statusBodies.badRequest(
          `the API version in the data (${body.apiVersion}) does not match the expected API version (${expected})`,
        ),
      );
    }
    if (body.kind && body.kind !== type.kind) {
      throw new StatusError(
        statusBodies.badRequest(
          `the kind in the data (${body.kind}) does not match the expected kind (${type.kind})`,
        ),
      );
    }
    body.metadata ??= {};
    if (
      type.namespaced &&
      body.metadata.namespace &&
      body.metadata.namespace !== namespace
    ) {
      throw new StatusError(
        statusBodies.badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        ),
      );
    }
  }

  async #create(
    req: IncomingMessage,
    res: ServerResponse,
    type: ResourceType,
    namespace?: string,
  ) {
    const body = parseJson(await readBody(req));
    this.#checkBody(type, body, namespace);
    if (type.namespaced) body.metadata.namespace = namespace;
    sendJson(res, 201, this.#o.store.create(type, body));
  }

  #list(
    res: ServerResponse,
    type: ResourceType,
    namespace: string | undefined,
    q: URLSearchParams,
  ) {
    const query = this.#query(type, namespace, q);
    const store = this.#o.store;
    let rv = store.resourceVersion;
    let after: string | undefined;
    const cont = q.get('continue');
    if (cont) {
      const token = decodeContinue(cont);
      if (!token)
        throw new StatusError(
          statusBodies.badRequest(
            'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
          ),
        );
      if (token.rv < store.compactedThrough) {
        throw new StatusError(
          statusBodies.gone(
            'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
          ),
        );
      }
      rv = token.rv;
      after = token.start;
    }
    const limit = Number(q.get('limit') ?? 0) || undefined;
    const matching = store
      .list(type, query.namespace)
      .filter(o => inQuery(query, o));
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

  async #deleteCollection(
    req: IncomingMessage,
    res: ServerResponse,
    type: ResourceType,
    namespace: string | undefined,
    q: URLSearchParams,
  ) {
    const query = this.#query(type, namespace, q);
    const options = await readDeleteOptions(req, q);
    const items = this.#o.store
      .list(type, query.namespace)
      .filter(o => inQuery(query, o))
      .map(
        o =>
          this.#o.store.delete(
            type,
            o.metadata.namespace,
            o.metadata.name!,
            options,
          ).object,
      );
    sendJson(
      res,
      200,
      listPage(type, items, {
        resourceVersion: this.#o.store.resourceVersion,
        selectorsUsed: true,
      }),
    );
  }
}
