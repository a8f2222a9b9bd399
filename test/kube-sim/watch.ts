// Watch streams: newline-delimited JSON events, replay from a resourceVersion within the retained
// history (older: an ERROR event with a 410 Expired Status, as the real server sends), selector
// transitions (an object leaving the selector is DELETED for the watcher), bookmarks and timeouts.
import type { ServerResponse } from 'node:http';
import { metaOf, str } from './meta.js';
import { apiVersionOf, typeKey, type ResourceType } from './resource-types.js';
import { statusBody, type Json } from './status.js';
import type { ObjectStore, StoreEvent } from './store.js';

export interface WatchRequest {
  readonly type: ResourceType;
  readonly namespace: string;
  readonly match: (o: Json) => boolean;
  readonly resourceVersion: string | null;
  readonly allowBookmarks: boolean;
  readonly sendInitialEvents: boolean;
  readonly timeoutSeconds: number | undefined;
  readonly bookmarkIntervalMs: number;
  /** Rewrites each event's object (Table rows for kubectl); BOOKMARK and ERROR objects are kept. */
  readonly transform?: (o: Json) => Json;
}

export interface WatchHandle {
  readonly path: string;
  readonly method: string;
  /** Cuts the connection without a clean end, like a dropped TCP stream. */
  drop(): void;
}

export function serveWatch(store: ObjectStore, res: ServerResponse, w: WatchRequest, onEnd: () => void): void {
  const key = typeKey(w.type.group, w.type.resource);
  const inScope = (o: Json): boolean => !w.type.namespaced || w.namespace === '' || str(metaOf(o)['namespace']) === w.namespace;
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  const send = (type: string, object: Json): void => {
    const out = w.transform && type !== 'BOOKMARK' && type !== 'ERROR' ? w.transform(object) : object;
    if (!res.writableEnded && !res.destroyed) res.write(`${JSON.stringify({ type, object: out })}\n`);
  };
  const bookmark = (annotations?: Record<string, string>): void =>
    send('BOOKMARK', {
      kind: w.type.kind,
      apiVersion: apiVersionOf(w.type),
      metadata: { resourceVersion: String(store.resourceVersion), ...(annotations ? { annotations } : {}) },
    });
  const deliver = (e: StoreEvent): void => {
    if (e.typeKey !== key || !inScope(e.object)) return;
    const was = e.previous !== undefined && e.type !== 'ADDED' && w.match(e.previous);
    const is = e.type !== 'DELETED' && w.match(e.object);
    if (e.type === 'DELETED') {
      if (was) send('DELETED', e.object);
    } else if (is) send(was ? 'MODIFIED' : 'ADDED', e.object);
    else if (was) send('DELETED', e.object);
  };

  const rv = w.resourceVersion;
  if (rv === null || rv === '' || rv === '0' || w.sendInitialEvents) {
    for (const o of store.list(key, w.type.namespaced && w.namespace ? w.namespace : undefined)) if (w.match(o)) send('ADDED', o);
    if (w.sendInitialEvents && w.allowBookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' });
  } else {
    const from = Number(rv);
    const events = Number.isFinite(from) ? store.eventsSince(key, from) : undefined;
    if (!events) {
      send('ERROR', statusBody({ code: 410, reason: 'Expired', message: `too old resource version: ${rv} (${store.compactedRevision + 1})` }));
      res.end();
      onEnd();
      return;
    }
    for (const e of events) deliver(e);
  }
  const unsubscribe = store.subscribe(deliver);
  const timers: NodeJS.Timeout[] = [];
  if (w.allowBookmarks) timers.push(setInterval(() => bookmark(), w.bookmarkIntervalMs));
  if (w.timeoutSeconds !== undefined && w.timeoutSeconds > 0) timers.push(setTimeout(() => res.end(), w.timeoutSeconds * 1000));
  const cleanup = (): void => {
    unsubscribe();
    for (const t of timers) clearInterval(t);
    onEnd();
  };
  res.on('close', cleanup);
}
