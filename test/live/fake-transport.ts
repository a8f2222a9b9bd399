// An in-memory LiveTransport: a scripted API server for the cache's failure paths (410s, dropped
// watches, failing lists) that need exact timing. The simulator tests cover the real HTTP path.
import { KubeError } from '../../agent/domain/errors.js';
import type { CollectionRef, ListPage, LiveTransport, WatchEventType } from '../../agent/live/transport.js';

interface Watcher {
  readonly plural: string;
  readonly onEvent: (type: WatchEventType, object: unknown) => void;
  readonly onDone: (err?: unknown) => void;
}

export class FakeTransport implements LiveTransport {
  private rv = 1;
  private readonly objects = new Map<string, Map<string, Record<string, unknown>>>();
  private readonly watchers = new Set<Watcher>();
  /** Errors thrown by the next list calls, in order. */
  readonly listFailures: KubeError[] = [];
  /** While set, every list fails with it (the API server is down). */
  down: KubeError | undefined;
  /** Collections that answer 404. */
  readonly notServed = new Set<string>();
  lists = 0;
  watches = 0;

  put(plural: string, name: string, spec: Record<string, unknown>, annotations: Record<string, string> = {}): void {
    const coll = this.objects.get(plural) ?? new Map<string, Record<string, unknown>>();
    this.objects.set(plural, coll);
    const existed = coll.has(name);
    this.rv += 1;
    const obj = { metadata: { name, resourceVersion: String(this.rv), annotations }, spec };
    coll.set(name, obj);
    this.emit(plural, existed ? 'MODIFIED' : 'ADDED', obj);
  }

  delete(plural: string, name: string): void {
    const obj = this.objects.get(plural)?.get(name);
    if (!obj) return;
    this.objects.get(plural)?.delete(name);
    this.rv += 1;
    this.emit(plural, 'DELETED', { ...obj, metadata: { ...(obj['metadata'] as object), resourceVersion: String(this.rv) } });
  }

  /** Changes an object without telling any watcher (a silent watch). */
  putSilently(plural: string, name: string, spec: Record<string, unknown>): void {
    const watchers = [...this.watchers];
    this.watchers.clear();
    this.put(plural, name, spec);
    for (const w of watchers) this.watchers.add(w);
  }

  /** Ends every open watch, with an error (e.g. a 410) or as a clean server close. */
  endWatches(err?: unknown): void {
    const watchers = [...this.watchers];
    this.watchers.clear();
    for (const w of watchers) w.onDone(err);
  }

  openWatches(): number {
    return this.watchers.size;
  }

  async list(ref: CollectionRef, page: { limit: number; continueToken?: string }): Promise<ListPage> {
    this.lists += 1;
    const failure = this.listFailures.shift();
    if (failure) throw failure;
    if (this.down) throw this.down;
    if (this.notServed.has(ref.plural)) throw new KubeError('not found', { status: 404, reason: 'NotFound' });
    const all = [...(this.objects.get(ref.plural)?.values() ?? [])];
    const start = Number(page.continueToken ?? '0');
    const items = all.slice(start, start + page.limit);
    const next = start + page.limit < all.length ? String(start + page.limit) : undefined;
    return { items, resourceVersion: String(this.rv), ...(next ? { continueToken: next } : {}) };
  }

  async watch(
    ref: CollectionRef,
    _options: { resourceVersion: string; timeoutSeconds: number },
    onEvent: (type: WatchEventType, object: unknown) => void,
    onDone: (err?: unknown) => void,
  ) {
    this.watches += 1;
    if (this.notServed.has(ref.plural)) {
      onDone(new KubeError('not found', { status: 404, reason: 'NotFound' }));
      return { stop: () => undefined };
    }
    const w: Watcher = { plural: ref.plural, onEvent, onDone };
    this.watchers.add(w);
    return { stop: () => this.watchers.delete(w) };
  }

  private emit(plural: string, type: WatchEventType, obj: unknown): void {
    for (const w of this.watchers) if (w.plural === plural) w.onEvent(type, obj);
  }
}
