import { inQuery, ListQuery } from './listing';
import { StoreEvent, WatchEventType } from './types';

/**
 * What a watcher with this query sees of a store change: an object that starts matching a
 * selector arrives as ADDED, one that stops matching as DELETED, as the apiserver's watch cache does.
 */
export function watchEventFor(
  query: ListQuery,
  event: StoreEvent,
): WatchEventType | undefined {
  const now = inQuery(query, event.object);
  const before = event.oldObject ? inQuery(query, event.oldObject) : false;
  switch (event.type) {
    case 'ADDED':
      return now ? 'ADDED' : undefined;
    case 'DELETED':
      return before || now ? 'DELETED' : undefined;
    case 'MODIFIED':
      if (now && before) return 'MODIFIED';
      if (now) return 'ADDED';
      if (before) return 'DELETED';
      return undefined;
    default:
      return undefined;
  }
}
