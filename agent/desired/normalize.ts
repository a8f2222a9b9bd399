/*
 * Normalization: the comparable shape of a resource, the same for a manifest read from Git and
 * one read back from the cluster, so that "applied, then read back" is never drift.
 *
 *  - apiVersion/kind are the kind's canonical ones; metadata keeps only name, namespace (for
 *    namespaced kinds), labels and annotations.
 *  - Labels lose Calico-managed keys (`projectcalico.org/*`, `operator.tigera.io/*`, e.g. the
 *    `projectcalico.org/tier` label Calico adds to policies); annotations lose those, our own
 *    bookkeeping (`calico-gitops.io/*`) and kubectl's last-applied-configuration. Empty maps go.
 *  - Calico kinds: fields that Go's `omitempty` drops on read-back are dropped: null, "", false,
 *    [] and {} (so an empty `source: {}` disappears); list items are never dropped.
 *    Kubernetes NetworkPolicy: null, "" and [] are dropped and `matchLabels: {}`, but other empty
 *    objects stay (`namespaceSelector: {}` means "all namespaces", `podSelector: {}` "all pods").
 *  - Calico policies: `tier` absent -> `default`; `types` empty -> [Ingress], [Egress] or both
 *    from the rules present (a non-empty `types` is kept as written); rule ports "80" and "80:80"
 *    -> 80; numeric-string protocols "6" -> 6 (rules and HostEndpoint ports).
 *  - Tier: `defaultAction` absent -> Deny; `order` absent -> 1000000 (libcalico-go
 *    lib/resources/tier.go:27-30 DefaultTierFields, v3.29+: read-back shows it).
 *  - Kubernetes NetworkPolicy: `podSelector` absent -> {}; `policyTypes` absent -> [Ingress] plus
 *    Egress when egress rules exist; a port without protocol -> TCP.
 *  - Keys are sorted at every level (canonical JSON is what gets hashed).
 *  - `order`, `selector` and `ipVersion` are never defaulted (Calico does not either).
 *
 * Pure and idempotent: normalizeManifest(k, normalizeManifest(k, m)) equals normalizeManifest(k, m).
 */
import { contentHashFast } from './canonical.js';
import {
  isBookkeepingAnnotation,
  isCalicoManagedKey,
  KINDS,
  type JsonObject,
  type JsonValue,
  type KindId,
  type Manifest,
  type ObjectMeta,
} from '../domain/index.js';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const CALICO_POLICIES = new Set<KindId>(['NetworkPolicy', 'GlobalNetworkPolicy', 'StagedNetworkPolicy', 'StagedGlobalNetworkPolicy']);

export function normalizeManifest(kindId: KindId, manifest: Manifest): Manifest {
  const info = KINDS[kindId];
  let spec: JsonObject;
  if (kindId === 'KubernetesNetworkPolicy' || kindId === 'StagedKubernetesNetworkPolicy') {
    spec = (compactK8s(manifest.spec) as JsonObject | undefined) ?? {};
    if (kindId === 'KubernetesNetworkPolicy') spec = kubernetesPolicyDefaults(spec);
    spec = sortKeys(spec) as JsonObject;
  } else {
    // Defaults first on the written spec, then one pass that compacts, converts and sorts.
    let raw = manifest.spec;
    if (CALICO_POLICIES.has(kindId)) raw = calicoPolicyDefaults(raw);
    else if (kindId === 'Tier') raw = tierDefaults(raw);
    spec = (compactCalico(raw, '') as JsonObject | undefined) ?? {};
  }
  return {
    apiVersion: info.apiVersion,
    kind: info.kind,
    metadata: normalizeMeta(manifest.metadata, info.scope === 'Namespaced'),
    spec,
  };
}

/** Order Calico gives a Tier written without one (api tier.go:41 DefaultTierOrder). */
const DEFAULTED_TIER_ORDER = 1_000_000;

function tierDefaults(spec: JsonObject): JsonObject {
  const unset = (v: JsonValue | undefined) => v === undefined || v === null || v === '';
  if (!unset(spec['defaultAction']) && !unset(spec['order'])) return spec;
  return {
    ...spec,
    ...(unset(spec['defaultAction']) ? { defaultAction: 'Deny' } : {}),
    ...(unset(spec['order']) ? { order: DEFAULTED_TIER_ORDER } : {}),
  };
}

/** Hash of what decides "changed": the normalized spec, labels and the user's annotations. */
export function resourceHash(manifest: Manifest): string {
  // contentHashFast gives exactly contentHash's result (see canonical.ts), faster on sorted input.
  return contentHashFast({ annotations: manifest.metadata.annotations ?? {}, labels: manifest.metadata.labels ?? {}, spec: manifest.spec });
}

function normalizeMeta(meta: ObjectMeta, namespaced: boolean): ObjectMeta {
  const labels = filterMap(meta.labels, (k) => !isCalicoManagedKey(k));
  const annotations = filterMap(meta.annotations, (k) => !isCalicoManagedKey(k) && !isBookkeepingAnnotation(k) && k !== LAST_APPLIED);
  return {
    name: meta.name,
    ...(namespaced && meta.namespace ? { namespace: meta.namespace } : {}),
    ...(labels ? { labels } : {}),
    ...(annotations ? { annotations } : {}),
  };
}

function filterMap(map: Readonly<Record<string, string>> | undefined, keep: (key: string) => boolean): Record<string, string> | undefined {
  if (!map) return undefined;
  const keys = Object.keys(map).filter(keep).sort();
  if (keys.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const k of keys) out[k] = map[k] as string;
  return out;
}

/**
 * Go `omitempty` on read-back: drops null, "", false, [] and {} fields (list items stay); sorts
 * keys; numeric-string protocols become numbers and rule ports "80"/"80:80" become 80.
 * `key` is the field the value sits under (for list items, the list's field).
 */
function compactCalico(value: JsonValue, key: string): JsonValue | undefined {
  if (value === null || value === '' || value === false) return undefined;
  if (Array.isArray(value)) {
    // Unchanged parts are returned as they are (inputs are never mutated, so sharing is safe):
    // most of a manifest is already compact and sorted, and copying it all costs allocation.
    let out: JsonValue[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i] as JsonValue;
      const c = compactCalico(item, key) ?? item;
      if (c !== item && !out) out = value.slice(0, i);
      if (out) out.push(c);
    }
    return out ?? value;
  }
  if (typeof value === 'string') {
    if (key === 'protocol' || key === 'notProtocol') return /^\d+$/.test(value) ? Number(value) : value;
    if (key === 'ports' || key === 'notPorts') return normalizePort(value);
    return value;
  }
  if (typeof value !== 'object') return value;
  const keys = Object.keys(value);
  let same = isSorted(keys);
  if (!same) keys.sort();
  const out: JsonObject = {};
  for (const k of keys) {
    const v = value[k] as JsonValue;
    const c = compactCalico(v, k);
    if (c === undefined || (Array.isArray(c) && c.length === 0) || isEmptyObject(c)) {
      same = false;
      continue;
    }
    if (c !== v) same = false;
    out[k] = c;
  }
  return same ? value : out;
}

/** Kubernetes keeps empty selectors (they mean "all"); only null, "", [] and matchLabels {} go. */
function compactK8s(value: JsonValue): JsonValue | undefined {
  if (Array.isArray(value)) return value.map((v) => compactK8s(v) ?? v);
  if (value === null || value === '') return undefined;
  if (typeof value !== 'object') return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    const c = compactK8s(v);
    if (c === undefined || (Array.isArray(c) && c.length === 0)) continue;
    if ((k === 'matchLabels' || k === 'matchExpressions') && isEmptyObject(c)) continue;
    out[k] = c;
  }
  return out;
}

function isEmptyObject(v: JsonValue): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  for (const _ in v) return false;
  return true;
}

function isSorted(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i++) if ((keys[i - 1] as string) > (keys[i] as string)) return false;
  return true;
}

/** On the written spec (nulls and empties not yet dropped): tier and types. */
function calicoPolicyDefaults(spec: JsonObject): JsonObject {
  const tier = spec['tier'];
  const types = spec['types'];
  const hasTier = typeof tier === 'string' && tier !== '';
  const hasTypes = Array.isArray(types) && types.length > 0;
  if (hasTier && hasTypes) return spec;
  const out: JsonObject = { ...spec };
  if (!hasTier) out['tier'] = 'default';
  if (!hasTypes) {
    const ingress = Array.isArray(spec['ingress']) && spec['ingress'].length > 0;
    const egress = Array.isArray(spec['egress']) && spec['egress'].length > 0;
    out['types'] = egress && !ingress ? ['Egress'] : egress ? ['Ingress', 'Egress'] : ['Ingress'];
  }
  return out;
}

function kubernetesPolicyDefaults(spec: JsonObject): JsonObject {
  const out: JsonObject = { ...spec };
  if (out['podSelector'] === undefined) out['podSelector'] = {};
  if (!Array.isArray(out['policyTypes'])) {
    out['policyTypes'] = Array.isArray(out['egress']) ? ['Ingress', 'Egress'] : ['Ingress'];
  }
  for (const dir of ['ingress', 'egress']) {
    const rules = out[dir];
    if (!Array.isArray(rules)) continue;
    out[dir] = rules.map((r) => {
      if (typeof r !== 'object' || r === null || Array.isArray(r) || !Array.isArray(r['ports'])) return r;
      return {
        ...r,
        ports: r['ports'].map((p) => (typeof p === 'object' && p !== null && !Array.isArray(p) && p['protocol'] === undefined ? { ...p, protocol: 'TCP' } : p)),
      };
    });
  }
  return out;
}

function normalizePort(port: string): JsonValue {
  const m = /^(\d+)(?::(\d+))?$/.exec(port);
  if (!m) return port;
  return m[2] === undefined || Number(m[1]) === Number(m[2]) ? Number(m[1]) : port;
}

function sortKeys(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const out: JsonObject = {};
  for (const k of Object.keys(value).sort()) out[k] = sortKeys(value[k] as JsonValue);
  return out;
}
