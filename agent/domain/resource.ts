// The one shape both sides of the comparison use: a projectcalico.org/v3 (or networking.k8s.io/v1)
// object as the repository writes it, normalized, plus its identity.
import type { KindId } from './kinds.js';

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** `KindId/namespace/name`, namespace empty for cluster-scoped kinds: `GlobalNetworkPolicy//allow-ssh`. */
export type ResourceKey = string & { readonly __brand: 'ResourceKey' };

export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ObjectMeta;
  readonly spec: JsonObject;
}

export interface SourceRef {
  /** Path relative to the repository root (or the validated directory), forward slashes. */
  readonly file: string;
  /** 1-based line of the document's first node. */
  readonly line: number;
  /** 0-based index of the document within a multi-document file. */
  readonly document: number;
}

/** A validated, normalized resource from Git. */
export interface DesiredResource {
  readonly key: ResourceKey;
  readonly kindId: KindId;
  /** Normalized manifest without calico-gitops bookkeeping annotations. */
  readonly manifest: Manifest;
  /** Content hash of the comparable part (spec, labels, user annotations); see `contentHash`. */
  readonly hash: string;
  readonly source: SourceRef;
}

export function resourceKey(kindId: KindId, namespace: string | undefined, name: string): ResourceKey {
  return `${kindId}/${namespace ?? ''}/${name}` as ResourceKey;
}

export function parseResourceKey(key: string): { kindId: string; namespace: string | undefined; name: string } | undefined {
  const parts = key.split('/');
  if (parts.length !== 3) return undefined;
  const [kindId, namespace, name] = parts as [string, string, string];
  if (!kindId || !name) return undefined;
  return { kindId, namespace: namespace === '' ? undefined : namespace, name };
}

/** `GlobalNetworkPolicy allow-ssh` / `NetworkPolicy test1/default-deny`, for messages. */
export function displayKey(key: ResourceKey): string {
  const parsed = parseResourceKey(key);
  if (!parsed) return key;
  return parsed.namespace ? `${parsed.kindId} ${parsed.namespace}/${parsed.name}` : `${parsed.kindId} ${parsed.name}`;
}
