// Metadata handling shared by the converters: which labels and annotations are the user's, and
// our bookkeeping read back from the annotations.
import {
  isBookkeepingAnnotation,
  isCalicoManagedKey,
  OWNER_ANNOTATION,
  REVISION_ANNOTATION,
  SOURCE_ANNOTATION,
  SPEC_HASH_ANNOTATION,
} from '../domain/ownership.js';
import type { ObjectMeta } from '../domain/resource.js';
import type { Bookkeeping, FieldWrite, StoredRef } from '../domain/state.js';

/** Annotations Kubernetes tools add that are never part of the user's object. */
const SERVER_ANNOTATIONS = new Set(['kubectl.kubernetes.io/last-applied-configuration', 'deployment.kubernetes.io/revision']);

export function stringMap(value: unknown): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The user's labels: Calico-managed ones (`projectcalico.org/tier`, …) removed. */
export function userLabels(labels: Readonly<Record<string, string>> | undefined): Record<string, string> | undefined {
  if (!labels) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (!isCalicoManagedKey(k)) out[k] = v;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The user's annotations: Calico-managed, tool-added and our bookkeeping ones removed. */
export function userAnnotations(annotations: Readonly<Record<string, string>> | undefined): Record<string, string> | undefined {
  if (!annotations) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(annotations)) {
    if (!isCalicoManagedKey(k) && !isBookkeepingAnnotation(k) && !SERVER_ANNOTATIONS.has(k)) out[k] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export function bookkeepingOf(annotations: Readonly<Record<string, string>> | undefined): Bookkeeping {
  const a = annotations ?? {};
  return {
    ...(a[OWNER_ANNOTATION] !== undefined ? { owner: a[OWNER_ANNOTATION] } : {}),
    ...(a[REVISION_ANNOTATION] !== undefined ? { revision: a[REVISION_ANNOTATION] } : {}),
    ...(a[SOURCE_ANNOTATION] !== undefined ? { source: a[SOURCE_ANNOTATION] } : {}),
    ...(a[SPEC_HASH_ANNOTATION] !== undefined ? { specHash: a[SPEC_HASH_ANNOTATION] } : {}),
  };
}

/** v3 metadata as the repository writes it: name, namespace, the user's labels and annotations. */
export function repoMeta(o: {
  name: string;
  namespace: string | undefined;
  labels: Readonly<Record<string, string>> | undefined;
  annotations: Readonly<Record<string, string>> | undefined;
}): ObjectMeta {
  const labels = userLabels(o.labels);
  const annotations = userAnnotations(o.annotations);
  return {
    name: o.name,
    ...(o.namespace !== undefined ? { namespace: o.namespace } : {}),
    ...(labels ? { labels } : {}),
    ...(annotations ? { annotations } : {}),
  };
}

/** The newest `metadata.managedFields` entry (ties: the later one, as the server appends the writer). */
export function lastWriteOf(meta: Readonly<Record<string, unknown>>): FieldWrite | undefined {
  const entries = meta['managedFields'];
  if (!Array.isArray(entries)) return undefined;
  let best: FieldWrite | undefined;
  for (const e of entries as unknown[]) {
    if (typeof e !== 'object' || e === null) continue;
    const r = e as Record<string, unknown>;
    const manager = str(r['manager']);
    const time = str(r['time']) ?? '';
    if (!manager || r['subresource'] === 'status') continue;
    if (!best || time >= best.time) best = { manager, operation: str(r['operation']) ?? 'Update', time };
  }
  return best;
}

/** Where the object lives in the API server, and who wrote it last. */
export function originOf(
  obj: Readonly<Record<string, unknown>>,
  /** List items of built-in kinds carry no apiVersion/kind; the collection tells. */
  fallback: { apiVersion: string; kind: string },
): { stored?: StoredRef; lastWrite?: FieldWrite } {
  const meta = (obj['metadata'] ?? {}) as Record<string, unknown>;
  const apiVersion = str(obj['apiVersion']) ?? fallback.apiVersion;
  const kind = str(obj['kind']) ?? fallback.kind;
  const name = str(meta['name']);
  const namespace = str(meta['namespace']);
  const uid = str(meta['uid']);
  const lastWrite = lastWriteOf(meta);
  return {
    ...(apiVersion && kind && name ? { stored: { apiVersion, kind, name, ...(namespace ? { namespace } : {}), ...(uid ? { uid } : {}) } } : {}),
    ...(lastWrite ? { lastWrite } : {}),
  };
}
