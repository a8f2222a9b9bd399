// projectcalico.org/v3 as served by the Calico API server or native v3 CRDs → repository shape.
// The objects already are v3; only server fields and Calico-managed keys go. Pure.
import { CALICO_API_VERSION, KINDS, type KindId } from '../domain/kinds.js';
import type { JsonObject } from '../domain/resource.js';
import type { ConvertedObject } from './converted.js';
import { v3PolicyName } from './convert-crd.js';
import { bookkeepingOf, repoMeta, str, stringMap } from './convert-meta.js';

export function fromV3Object(input: { kindId: KindId; object: unknown }): ConvertedObject | undefined {
  return fromServedObject({ ...input, apiVersion: CALICO_API_VERSION, policyNames: true });
}

/** Shared with Kubernetes NetworkPolicies: keep name, namespace, the user's labels/annotations and spec. */
export function fromServedObject(input: { kindId: KindId; object: unknown; apiVersion: string; policyNames: boolean }): ConvertedObject | undefined {
  if (typeof input.object !== 'object' || input.object === null) return undefined;
  const obj = input.object as Record<string, unknown>;
  const meta = (obj['metadata'] ?? {}) as Record<string, unknown>;
  const stored = str(meta['name']);
  if (!stored) return undefined;
  const info = KINDS[input.kindId];
  const annotations = stringMap(meta['annotations']);
  const name = input.policyNames ? v3PolicyName(info.isPolicy, stored) : stored;
  const namespace = info.scope === 'Namespaced' ? str(meta['namespace']) : undefined;
  const spec = typeof obj['spec'] === 'object' && obj['spec'] !== null && !Array.isArray(obj['spec']) ? (obj['spec'] as JsonObject) : {};
  const resourceVersion = str(meta['resourceVersion']);
  return {
    kindId: input.kindId,
    manifest: { apiVersion: input.apiVersion, kind: info.kind, metadata: repoMeta({ name, namespace, labels: stringMap(meta['labels']), annotations }), spec },
    bookkeeping: bookkeepingOf(annotations),
    ...(resourceVersion ? { resourceVersion } : {}),
  };
}
