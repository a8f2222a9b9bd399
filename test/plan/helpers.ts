// Small builders for plan tests: desired and live resources with real hashes, and an in-memory LiveView.
import { contentHash } from '../../agent/domain/hash.js';
import { OWNER_ANNOTATION } from '../../agent/domain/ownership.js';
import { KINDS, type KindId } from '../../agent/domain/kinds.js';
import { resourceKey, type DesiredResource, type JsonObject, type Manifest, type ResourceKey } from '../../agent/domain/resource.js';
import type { DesiredState, LiveResource, LiveView } from '../../agent/domain/state.js';

export function manifest(kindId: KindId, name: string, spec: JsonObject, namespace?: string): Manifest {
  const info = KINDS[kindId];
  return {
    apiVersion: info.apiVersion,
    kind: info.kind,
    metadata: { name, ...(namespace === undefined ? {} : { namespace }) },
    spec,
  };
}

const hashOf = (m: Manifest): string => contentHash({ spec: m.spec, labels: m.metadata.labels ?? {} });

export function desired(kindId: KindId, name: string, spec: JsonObject, namespace?: string): DesiredResource {
  const m = manifest(kindId, name, spec, namespace);
  return { key: resourceKey(kindId, namespace, name), kindId, manifest: m, hash: hashOf(m), source: { file: `${name}.yaml`, line: 1, document: 0 } };
}

export function live(
  kindId: KindId,
  name: string,
  spec: JsonObject,
  opts: { namespace?: string; owner?: string } = {},
): LiveResource {
  const m = manifest(kindId, name, spec, opts.namespace);
  return {
    key: resourceKey(kindId, opts.namespace, name),
    kindId,
    manifest: m,
    hash: hashOf(m),
    bookkeeping: opts.owner === undefined ? {} : { owner: opts.owner },
    resourceVersion: '1',
  };
}

export function desiredState(...resources: DesiredResource[]): DesiredState {
  return { resources: new Map(resources.map((r) => [r.key, r])) };
}

export function liveView(resources: LiveResource[], synced = true): LiveView {
  const map = new Map<ResourceKey, LiveResource>(resources.map((r) => [r.key, r]));
  return { isSynced: () => synced, get: (k) => map.get(k), list: () => map.values() };
}

export const OWNED = { owner: 'calico-gitops' } as const;
export { OWNER_ANNOTATION };
