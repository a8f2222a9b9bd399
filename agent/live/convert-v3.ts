// projectcalico.org/v3 as served by the Calico API server or native v3 CRDs → repository shape.
// The objects already are v3; only server fields and Calico-managed keys go. Pure.
import { CALICO_API_VERSION, KINDS, type KindId } from '../domain/kinds.js';
import type { JsonObject } from '../domain/resource.js';
import type { ConvertedObject } from './converted.js';
import { v3PolicyName } from './convert-crd.js';
import { bookkeepingOf, repoMeta, str, stringMap, originOf } from './convert-meta.js';

/**
 * The Calico API server also lists every Kubernetes NetworkPolicy as a read-only Calico
 * NetworkPolicy `knp.default.<name>` (libcalico-go `names.K8sNetworkPolicyNamePrefix`). Those are
 * read from networking.k8s.io already and can never be written as Calico objects: leave them out,
 * so the live state is the same in every API mode.
 */
export const K8S_POLICY_VIEW_PREFIX = 'knp.default.';

export function fromV3Object(input: { kindId: KindId; object: unknown }): ConvertedObject | undefined {
  if (input.kindId === 'NetworkPolicy' && nameOf(input.object).startsWith(K8S_POLICY_VIEW_PREFIX)) return undefined;
  return fromServedObject({ ...input, apiVersion: CALICO_API_VERSION, policyNames: true });
}

function nameOf(object: unknown): string {
  if (typeof object !== 'object' || object === null) return '';
  const meta = (object as Record<string, unknown>)['metadata'];
  return typeof meta === 'object' && meta !== null ? (str((meta as Record<string, unknown>)['name']) ?? '') : '';
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
    ...originOf(obj, { apiVersion: input.apiVersion, kind: info.kind }),
  };
}
