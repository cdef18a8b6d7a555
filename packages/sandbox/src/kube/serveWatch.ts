import { ServerResponse } from 'node:http';
import { inQuery, ListQuery } from './listing';
import { ObjectStore } from './ObjectStore';
import { apiVersionOf } from './resources';
import { statusBodies } from './statusBodies';
import { ResourceType } from './types';
import { watchEventFor } from './watchEvents';

export interface WatchRequest {
  store: ObjectStore;
  type: ResourceType;
  query: ListQuery;
  /** The request's query: resourceVersion, allowWatchBookmarks, sendInitialEvents, timeoutSeconds. */
  params: URLSearchParams;
  bookmarkIntervalMs?: number;
  /** Injected fault: cut the connection this long after it opened. */
  dropAfterMs?: number;
  /** Open streams, so the server can end them all at shutdown. */
  streams: Set<() => void>;
}

/**
 * A `?watch=1` stream: newline-delimited JSON events over a chunked response, replaying from a
 * resourceVersion (or the current state as ADDED), then live changes, bookmarks and timeouts.
 */
export function serveWatch(res: ServerResponse, request: WatchRequest) {
  const { store, type, query, params: q, dropAfterMs } = request;
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  res.flushHeaders();
  const send = (eventType: string, object: unknown) => {
    if (!res.destroyed && !res.writableEnded)
      res.write(`${JSON.stringify({ type: eventType, object })}\n`);
  };
  const timers: NodeJS.Timeout[] = [];
  let unsubscribe = () => {};
  const close = () => {
    unsubscribe();
    timers.forEach(t => clearTimeout(t));
    request.streams.delete(close);
    if (!res.writableEnded) res.end();
  };
  request.streams.add(close);
  // The response's 'close' is the connection going away (client abort or network drop).
  res.on('close', close);

  const rvParam = q.get('resourceVersion');
  const bookmark = (annotations?: Record<string, string>) =>
    send('BOOKMARK', {
      kind: type.kind,
      apiVersion: apiVersionOf(type),
      metadata: {
        resourceVersion: String(store.resourceVersion),
        ...(annotations ? { annotations } : {}),
      },
    });
  if (!rvParam || rvParam === '0' || q.get('sendInitialEvents') === 'true') {
    // "Any"/"most recent" start: the current state arrives as synthetic ADDED events.
    for (const obj of store
      .list(type, query.namespace)
      .filter(o => inQuery(query, o)))
      send('ADDED', obj);
    if (q.get('sendInitialEvents') === 'true')
      bookmark({ 'k8s.io/initial-events-end': 'true' });
  } else {
    const from = Number(rvParam);
    const floor = store.watchableFrom(type);
    if (!Number.isInteger(from) || from < floor) {
      send(
        'ERROR',
        statusBodies.gone(
          `too old resource version: ${rvParam} (${floor + 1})`,
        ),
      );
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
    const every = request.bookmarkIntervalMs ?? 60_000;
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
        res.socket?.destroy();
      }, dropAfterMs),
    );
  }
}
