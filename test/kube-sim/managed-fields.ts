// metadata.managedFields as the API server records them: one entry per (manager, operation,
// subresource) with the time of its last write and the fields it owns (FieldsV1). A write takes
// ownership of the fields it changed away from every other manager. Lists are owned as a whole
// (the real server keys list items; nothing here needs that detail).
import { isObj, kubeTime, metaOf, str } from './meta.js';
import type { Json } from './status.js';

export interface FieldsWrite {
  readonly manager: string;
  readonly operation: 'Update' | 'Apply';
  readonly apiVersion: string;
  readonly time: Date;
  readonly subresource?: string;
}

/** `?fieldManager=` wins; else the user agent up to its first `/`, as the API server derives it. */
export function fieldManagerOf(query: URLSearchParams, userAgent: string | undefined): string | undefined {
  const explicit = query.get('fieldManager');
  if (explicit) return explicit.slice(0, 128);
  const prefix = (userAgent ?? '').split('/')[0]?.trim() ?? '';
  return prefix ? prefix.slice(0, 128) : undefined;
}

type Path = string;
const SEP = '\u0000';

/** Leaf paths (and their JSON text) of what a manager can own: spec-like fields and user metadata. */
function leaves(o: Json, subresource: string | undefined): Map<Path, string> {
  const out = new Map<Path, string>();
  const walk = (v: unknown, path: string[]): void => {
    if (isObj(v) && Object.keys(v).length > 0) {
      for (const [k, child] of Object.entries(v)) walk(child, [...path, k]);
      return;
    }
    out.set(path.join(SEP), JSON.stringify(v));
  };
  for (const [k, v] of Object.entries(o)) {
    if (k === 'apiVersion' || k === 'kind') continue;
    if (k === 'status' && subresource !== 'status') continue;
    if (k !== 'status' && subresource === 'status') continue;
    if (k === 'metadata') {
      const m = isObj(v) ? v : {};
      for (const mk of ['labels', 'annotations', 'finalizers', 'ownerReferences']) if (m[mk] !== undefined) walk(m[mk], ['metadata', mk]);
      continue;
    }
    walk(v, [k]);
  }
  return out;
}

function toFieldsV1(paths: Iterable<Path>): Json {
  const root: Json = {};
  for (const p of paths) {
    let node = root;
    for (const part of p.split(SEP)) {
      const key = `f:${part}`;
      if (!isObj(node[key])) node[key] = {};
      node = node[key] as Json;
    }
  }
  return root;
}

function fromFieldsV1(v: unknown, prefix: string[] = []): Path[] {
  if (!isObj(v) || Object.keys(v).length === 0) return prefix.length ? [prefix.join(SEP)] : [];
  return Object.entries(v).flatMap(([k, child]) => (k.startsWith('f:') ? fromFieldsV1(child, [...prefix, k.slice(2)]) : []));
}

interface Entry {
  manager: string;
  operation: string;
  apiVersion: string;
  time: string;
  subresource?: string;
  fields: Set<Path>;
}

function readEntries(o: Json | undefined): Entry[] {
  const raw = o ? metaOf(o)['managedFields'] : undefined;
  if (!Array.isArray(raw)) return [];
  return raw.filter(isObj).map((e) => ({
    manager: str(e['manager']),
    operation: str(e['operation']),
    apiVersion: str(e['apiVersion']),
    time: str(e['time']),
    ...(str(e['subresource']) ? { subresource: str(e['subresource']) } : {}),
    fields: new Set(fromFieldsV1(e['fieldsV1'])),
  }));
}

/** Sets `next.metadata.managedFields` for a write of `next` over `old` (absent on create). */
export function recordManagedFields(old: Json | undefined, next: Json, w: FieldsWrite): void {
  const now = leaves(next, w.subresource);
  const before = old ? leaves(old, w.subresource) : new Map<Path, string>();
  const changed = new Set([...now].filter(([p, v]) => before.get(p) !== v).map(([p]) => p));
  const sameSlot = (e: Entry): boolean => e.manager === w.manager && e.operation === w.operation && (e.subresource ?? '') === (w.subresource ?? '');
  const entries = readEntries(old);
  const own = entries.find(sameSlot);
  const others = entries.filter((e) => !sameSlot(e));
  const kept = others
    .map((e) => {
      const exists = (e.subresource ?? '') === (w.subresource ?? '') ? now : leaves(next, e.subresource);
      return { ...e, fields: new Set([...e.fields].filter((p) => !changed.has(p) && exists.has(p))) };
    })
    .filter((e) => e.fields.size > 0);
  const mine: Entry = {
    manager: w.manager,
    operation: w.operation,
    apiVersion: w.apiVersion,
    time: kubeTime(w.time),
    ...(w.subresource ? { subresource: w.subresource } : {}),
    fields: new Set([...(own?.fields ?? []), ...changed].filter((p) => now.has(p))),
  };
  const list = [...kept, ...(mine.fields.size > 0 || own || !old ? [mine] : [])];
  metaOf(next)['managedFields'] = list.map((e) => ({
    manager: e.manager,
    operation: e.operation,
    apiVersion: e.apiVersion,
    time: e.time,
    fieldsType: 'FieldsV1',
    fieldsV1: toFieldsV1(e.fields),
    ...(e.subresource ? { subresource: e.subresource } : {}),
  }));
}
