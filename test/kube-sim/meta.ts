// Small typed accessors for JSON objects, shared by the simulator's modules.
import type { Json } from './status.js';

export const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The object's metadata, created when missing (only call on the server's own copies). */
export function metaOf(o: Json): Json {
  const m = o['metadata'];
  if (isObj(m)) return m;
  const n: Json = {};
  o['metadata'] = n;
  return n;
}

export const nameOf = (o: Json): string => str(metaOf(o)['name']);
export const namespaceOf = (o: Json): string => str(metaOf(o)['namespace']);
export const uidOf = (o: Json): string => str(metaOf(o)['uid']);
export const labelsOf = (o: Json): Record<string, unknown> => (isObj(metaOf(o)['labels']) ? (metaOf(o)['labels'] as Json) : {});
export const finalizersOf = (o: Json): string[] => {
  const f = metaOf(o)['finalizers'];
  return Array.isArray(f) ? f.filter((x): x is string => typeof x === 'string') : [];
};

/** RFC 3339 with seconds, as Kubernetes prints metav1.Time. */
export function kubeTime(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}
