// A cache of Kubernetes collections kept by list+watch, whatever the entries are (the live
// cache's converted Calico objects, the workload cache's pods and namespaces). client-node's
// informer stops for good on most errors, so this runs its own list+watch loop per collection: a
// watch that fails is restarted after a capped, jittered backoff with a full relist (the cache
// reads as unsynced meanwhile); a 410 relists at once; a periodic full relist catches silent
// watches. Callers must not decide from an unsynced cache (isSynced, waitForSync).
import type { Clock, Logger } from '../domain/runtime.js';
import { toKubeError } from '../kube/errors.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import type { CollectionRef, LiveTransport, WatchEventType } from './transport.js';

/** A collection to list and watch. */
export interface WatchedCollection extends CollectionRef {
  /** `crd.projectcalico.org/v1 networkpolicies`, for logs and messages. */
  readonly label: string;
}

/** What the cache keeps of one object; an unchanged resourceVersion and hash is no change. */
export interface CacheEntry<K extends string> {
  readonly key: K;
  readonly resourceVersion?: string;
  readonly hash: string;
}

export type EntryListener<K extends string, T> = (key: K, before: T | undefined, after: T | undefined) => void;

export interface ListWatchCacheOptions<S extends WatchedCollection, K extends string, T extends CacheEntry<K>> {
  readonly transport: LiveTransport;
  readonly sources: readonly S[];
  /** The entry kept for a listed or watched object; undefined leaves it out. May throw (logged, left out). */
  readonly toEntry: (source: S, object: unknown) => T | undefined;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Resolves after `ms` or as soon as `signal` aborts. */
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** [0, 1) for backoff jitter. */
  readonly random: () => number;
  readonly backoff?: Partial<BackoffOptions>;
  /** Full relist period even when watches look healthy (default 10 min). */
  readonly resyncIntervalMs?: number;
  /** Server-side watch timeout; the watch is then resumed from the last resourceVersion (default 300 s). */
  readonly watchTimeoutSeconds?: number;
  /** Page size of lists (default 1000), so a large list never sits in memory at once. */
  readonly pageSize?: number;
}

export interface SourceStatus {
  readonly label: string;
  readonly synced: boolean;
  readonly objects: number;
  /** Last error of this source (message only), cleared by the next successful list. */
  readonly lastError?: string;
}

interface SourceState<S, K> {
  readonly source: S;
  synced: boolean;
  keys: Set<K>;
  lastError?: string;
}

export class ListWatchCache<S extends WatchedCollection, K extends string, T extends CacheEntry<K>> {
  private readonly store = new Map<K, T>();
  private readonly states: SourceState<S, K>[];
  private readonly listeners = new Set<EntryListener<K, T>>();
  private readonly syncWaiters = new Set<() => void>();
  private readonly abort = new AbortController();
  private readonly backoff: BackoffOptions;
  private loops: Promise<void>[] = [];

  constructor(private readonly o: ListWatchCacheOptions<S, K, T>) {
    this.states = o.sources.map((source) => ({ source, synced: false, keys: new Set() }));
    this.backoff = { ...DEFAULT_BACKOFF, ...(o.backoff ?? {}) };
  }

  start(): void {
    if (this.loops.length > 0) return;
    this.loops = this.states.map((s) => this.runSource(s));
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.loops);
  }

  isSynced(): boolean {
    return this.states.every((s) => s.synced);
  }

  get(key: K): T | undefined {
    return this.store.get(key);
  }

  list(): Iterable<T> {
    return this.store.values();
  }

  size(): number {
    return this.store.size;
  }

  status(): SourceStatus[] {
    return this.states.map((s) => ({
      label: s.source.label,
      synced: s.synced,
      objects: s.keys.size,
      ...(s.lastError === undefined ? {} : { lastError: s.lastError }),
    }));
  }

  /** Called for every object added, changed or removed (drift detection); returns an unsubscribe. */
  onChange(listener: EntryListener<K, T>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves true once every source is synced, false when the timeout passes first. */
  async waitForSync(timeoutMs: number): Promise<boolean> {
    if (this.isSynced()) return true;
    const timeout = new AbortController();
    let resolveSynced: () => void = () => undefined;
    const synced = new Promise<boolean>((resolve) => {
      resolveSynced = () => resolve(true);
    });
    this.syncWaiters.add(resolveSynced);
    const timer = this.o.sleep(timeoutMs, AbortSignal.any([timeout.signal, this.abort.signal])).then(() => false);
    const result = await Promise.race([synced, timer]);
    this.syncWaiters.delete(resolveSynced);
    timeout.abort();
    return result || this.isSynced();
  }

  private async runSource(state: SourceState<S, K>): Promise<void> {
    const signal = this.abort.signal;
    let attempt = 0;
    let resourceVersion = '';
    let listedAt = 0;
    const resyncMs = this.o.resyncIntervalMs ?? 600_000;
    const log = this.o.logger.child({ source: state.source.label });
    const now = (): number => this.o.clock.now().getTime();
    let quickCloses = 0;
    while (!signal.aborted) {
      try {
        if (resourceVersion === '' || now() - listedAt >= resyncMs) {
          const listed = await this.relist(state);
          listedAt = now();
          attempt = 0;
          if (!listed.served) {
            // Nothing to watch until the kind appears (a CRD installed later): look again at the next resync.
            resourceVersion = '';
            await this.o.sleep(resyncMs, signal);
            continue;
          }
          resourceVersion = listed.resourceVersion;
        }
        const startedAt = now();
        const outcome = await this.watchOnce(state, resourceVersion, Math.max(0, resyncMs - (now() - listedAt)));
        resourceVersion = outcome.resourceVersion;
        if (outcome.expired) {
          log.info('watch resourceVersion expired (410); relisting');
          resourceVersion = '';
        }
        // A server that keeps closing watches at once must not turn this loop into a busy spin.
        quickCloses = now() - startedAt < 1000 ? quickCloses + 1 : 0;
        if (quickCloses > 1) await this.o.sleep(backoffDelay(quickCloses - 2, this.backoff, this.o.random), signal);
      } catch (err) {
        if (signal.aborted) break;
        const e = toKubeError(err, { action: state.source.label });
        state.synced = false;
        state.lastError = e.message;
        resourceVersion = '';
        const delay = backoffDelay(attempt, this.backoff, this.o.random);
        attempt += 1;
        log.warn({ err: e.toJSON(), retryInMs: delay }, 'live watch failed; restarting after backoff');
        await this.o.sleep(delay, signal);
      }
    }
  }

  /** Lists every page, replaces this source's objects, and returns the list's resourceVersion. */
  private async relist(state: SourceState<S, K>): Promise<{ resourceVersion: string; served: boolean }> {
    const seen = new Set<K>();
    let continueToken: string | undefined;
    let resourceVersion = '';
    let served = true;
    try {
      do {
        const page = await this.o.transport.list(state.source, { limit: this.o.pageSize ?? 1000, ...(continueToken ? { continueToken } : {}) });
        resourceVersion = page.resourceVersion;
        for (const item of page.items) {
          const live = this.convert(state.source, item);
          if (!live) continue;
          seen.add(live.key);
          this.put(live);
        }
        continueToken = page.continueToken;
      } while (continueToken);
    } catch (err) {
      // A collection the server does not serve holds no objects: that kind is simply absent.
      if (toKubeError(err).status !== 404) throw err;
      this.o.logger.warn({ source: state.source.label }, 'collection not served by the API server; treating it as empty');
      served = false;
      seen.clear();
    }
    for (const key of state.keys) if (!seen.has(key)) this.remove(key);
    state.keys = seen;
    state.synced = true;
    delete state.lastError;
    this.notifySynced();
    return { resourceVersion, served };
  }

  private async watchOnce(state: SourceState<S, K>, fromVersion: string, resyncInMs: number): Promise<{ resourceVersion: string; expired: boolean }> {
    let resourceVersion = fromVersion;
    const stop = new AbortController();
    const ended = new Promise<unknown>((resolve) => {
      const onEvent = (type: WatchEventType, object: unknown): void => {
        const rv = (object as { metadata?: { resourceVersion?: unknown } } | null)?.metadata?.resourceVersion;
        if (typeof rv === 'string' && rv !== '') resourceVersion = rv;
        if (type === 'BOOKMARK') return;
        this.applyEvent(state, type, object);
      };
      void this.o.transport
        .watch(state.source, { resourceVersion: fromVersion, timeoutSeconds: this.o.watchTimeoutSeconds ?? 300 }, onEvent, (err) => resolve(err ?? null))
        .then((handle) => {
          if (stop.signal.aborted) handle.stop();
          else stop.signal.addEventListener('abort', () => handle.stop(), { once: true });
        }, resolve);
    });
    const resync = this.o.sleep(resyncInMs, AbortSignal.any([stop.signal, this.abort.signal])).then(() => 'resync' as const);
    const result = await Promise.race([ended, resync]);
    stop.abort();
    if (result === 'resync' || result === null) return { resourceVersion, expired: false };
    if (toKubeError(result).status === 410) return { resourceVersion, expired: true };
    throw result;
  }

  private applyEvent(state: SourceState<S, K>, type: WatchEventType, object: unknown): void {
    const live = this.convert(state.source, object);
    if (!live) return;
    if (type === 'DELETED') {
      state.keys.delete(live.key);
      this.remove(live.key);
    } else {
      state.keys.add(live.key);
      this.put(live);
    }
  }

  private convert(source: S, object: unknown): T | undefined {
    try {
      return this.o.toEntry(source, object);
    } catch (err) {
      // One odd object must not stop the whole watch; it is logged and left out.
      this.o.logger.warn({ source: source.label, err: err instanceof Error ? err.message : String(err) }, 'cannot convert a live object; ignoring it');
      return undefined;
    }
  }

  private put(live: T): void {
    const before = this.store.get(live.key);
    if (before && before.resourceVersion === live.resourceVersion && before.hash === live.hash) return;
    this.store.set(live.key, live);
    this.emit(live.key, before, live);
  }

  private remove(key: K): void {
    const before = this.store.get(key);
    if (!before) return;
    this.store.delete(key);
    this.emit(key, before, undefined);
  }

  private emit(key: K, before: T | undefined, after: T | undefined): void {
    for (const listener of this.listeners) {
      try {
        listener(key, before, after);
      } catch (err) {
        this.o.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'live change listener threw');
      }
    }
  }

  private notifySynced(): void {
    if (!this.isSynced()) return;
    for (const resolve of this.syncWaiters) resolve();
    this.syncWaiters.clear();
  }
}
