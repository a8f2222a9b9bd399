// The object store: every object of every type, one global resourceVersion counter (as etcd's
// revision), and a bounded event history that watches replay from; older is 410 Expired.
import type { Json } from './status.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  readonly type: EventType;
  /** `group/resource` of the object. */
  readonly typeKey: string;
  readonly object: Json;
  /** The object before this change (MODIFIED/DELETED), for selector transitions. */
  readonly previous: Json | undefined;
  readonly rv: number;
}

export interface StoreDump {
  readonly rv: number;
  readonly objects: { typeKey: string; object: Json }[];
}

const meta = (o: Json): Json => (o['metadata'] ?? {}) as Json;

export function objectKey(o: Json): string {
  const m = meta(o);
  const ns = typeof m['namespace'] === 'string' ? m['namespace'] : '';
  return ns ? `${ns}/${String(m['name'])}` : String(m['name']);
}

export class ObjectStore {
  private rv = 0;
  /** rv of the newest event dropped from history; watches from before it are expired. */
  private compacted = 0;
  private readonly data = new Map<string, Map<string, Json>>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<(e: StoreEvent) => void>();

  constructor(private readonly historySize: number) {}

  get resourceVersion(): number {
    return this.rv;
  }

  get compactedRevision(): number {
    return this.compacted;
  }

  /** Claims the next resourceVersion (also used for values that are not stored, like list RVs). */
  nextRv(): number {
    this.rv += 1;
    return this.rv;
  }

  get(typeKey: string, namespace: string, name: string): Json | undefined {
    const o = this.data.get(typeKey)?.get(namespace ? `${namespace}/${name}` : name);
    return o ? structuredClone(o) : undefined;
  }

  /** Objects of a type, optionally in one namespace, sorted as etcd keys are. */
  list(typeKey: string, namespace?: string): Json[] {
    const m = this.data.get(typeKey);
    if (!m) return [];
    const prefix = namespace ? `${namespace}/` : '';
    return [...m.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, v]) => structuredClone(v));
  }

  /**
   * One page of `list`: the objects after key `after` that `keep` accepts, at most `limit` (0: all),
   * and how many more there are. Only the page is copied, so walking a large collection in pages
   * costs about one list, as etcd's range reads do (copying the whole collection for every page
   * made a paged list of 50,000 objects quadratic).
   */
  page(typeKey: string, o: { namespace?: string; after?: string; limit: number; keep: (object: Readonly<Json>) => boolean }): { items: Json[]; remaining: number } {
    const m = this.data.get(typeKey);
    if (!m) return { items: [], remaining: 0 };
    const prefix = o.namespace ? `${o.namespace}/` : '';
    const keys = [...m.keys()].filter((k) => k.startsWith(prefix) && (o.after === undefined || k > o.after)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const items: Json[] = [];
    let remaining = 0;
    for (const k of keys) {
      const v = m.get(k);
      if (v === undefined || !o.keep(v)) continue;
      if (o.limit > 0 && items.length >= o.limit) remaining++;
      else items.push(structuredClone(v));
    }
    return { items, remaining };
  }

  /** Every namespaced object in `namespace`, across types. */
  inNamespace(namespace: string): { typeKey: string; object: Json }[] {
    const out: { typeKey: string; object: Json }[] = [];
    for (const [typeKey, m] of this.data) {
      for (const [k, v] of m) if (k.startsWith(`${namespace}/`)) out.push({ typeKey, object: structuredClone(v) });
    }
    return out;
  }

  /** Visits stored objects without copying them; `fn` must not modify or keep them. */
  scan(fn: (typeKey: string, object: Readonly<Json>) => void): void {
    for (const [typeKey, m] of this.data) for (const v of m.values()) fn(typeKey, v);
  }

  all(): { typeKey: string; object: Json }[] {
    const out: { typeKey: string; object: Json }[] = [];
    for (const [typeKey, m] of this.data) for (const v of m.values()) out.push({ typeKey, object: structuredClone(v) });
    return out;
  }

  /** Stores `object` with a fresh resourceVersion and emits ADDED or MODIFIED. */
  put(typeKey: string, object: Json): Json {
    const stored = structuredClone(object);
    const rv = this.nextRv();
    (meta(stored) as Json)['resourceVersion'] = String(rv);
    let m = this.data.get(typeKey);
    if (!m) {
      m = new Map();
      this.data.set(typeKey, m);
    }
    const key = objectKey(stored);
    const previous = m.get(key);
    m.set(key, stored);
    this.emit({ type: previous ? 'MODIFIED' : 'ADDED', typeKey, object: stored, previous, rv });
    return structuredClone(stored);
  }

  /** Removes an object; the DELETED event carries a new resourceVersion, as the real server's does. */
  remove(typeKey: string, namespace: string, name: string): Json | undefined {
    const m = this.data.get(typeKey);
    const key = namespace ? `${namespace}/${name}` : name;
    const previous = m?.get(key);
    if (!m || !previous) return undefined;
    m.delete(key);
    const rv = this.nextRv();
    const object = structuredClone(previous);
    (meta(object) as Json)['resourceVersion'] = String(rv);
    this.emit({ type: 'DELETED', typeKey, object, previous, rv });
    return structuredClone(object);
  }

  /** Drops every object of a type without events (a CRD went away; its watches are closed). */
  dropType(typeKey: string): void {
    this.data.delete(typeKey);
  }

  /** Events after `rv` for a type, or undefined when history no longer reaches back that far. */
  eventsSince(typeKey: string, rv: number): StoreEvent[] | undefined {
    if (rv < this.compacted) return undefined;
    return this.history.filter((e) => e.rv > rv && e.typeKey === typeKey);
  }

  subscribe(fn: (e: StoreEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  dump(): StoreDump {
    return { rv: this.rv, objects: this.all() };
  }

  load(d: StoreDump): void {
    this.data.clear();
    this.history.length = 0;
    for (const { typeKey, object } of d.objects) {
      let m = this.data.get(typeKey);
      if (!m) {
        m = new Map();
        this.data.set(typeKey, m);
      }
      m.set(objectKey(object), structuredClone(object));
    }
    this.rv = d.rv;
    // history is not saved: any watch from before the restart must relist
    this.compacted = d.rv;
  }

  private emit(e: StoreEvent): void {
    this.history.push(e);
    while (this.history.length > this.historySize) {
      const dropped = this.history.shift();
      if (dropped) this.compacted = dropped.rv;
    }
    for (const fn of this.listeners) fn(e);
  }
}
