// projectcalico.org/v3 <-> crd.projectcalico.org/v1, the way libcalico-go's Kubernetes backend
// stores Calico resources (CALICO.md, "Storage in the Kubernetes datastore"). Written from the
// facts in CALICO.md, independently of agent/live, so the two can check each other.
import { CALICO_API_VERSION, CALICO_CRD_GROUP, CALICO_CRD_VERSION, atLeast, isCalicoManagedKey } from '../../../agent/domain/index.js';
import type { CalicoVersion, JsonObject, JsonValue } from '../../../agent/domain/index.js';
import type { CtlKind } from './ctl-kinds.js';

export const METADATA_ANNOTATION = 'projectcalico.org/metadata';
export const TIER_LABEL = 'projectcalico.org/tier';
export const DEFAULT_TIER = 'default';

/** The part of v3 / CRD metadata the conversion reads and writes. */
export interface StoredMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly resourceVersion?: string;
  readonly uid?: string;
  readonly creationTimestamp?: string;
}

export interface CalicoObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: StoredMeta;
  readonly spec: JsonObject;
}

/** The tier a policy belongs to (`spec.tier`, absent = default). */
export function tierOf(spec: JsonObject): string {
  const tier = spec['tier'];
  return typeof tier === 'string' && tier !== '' ? tier : DEFAULT_TIER;
}

/** Name of the CRD object that stores a v3 resource. */
export function storedName(o: { kind: CtlKind; name: string; tier: string; version: CalicoVersion }): string {
  if (!o.kind.isPolicy) return o.name;
  if (atLeast(o.version, 3, 32)) return o.name;
  if (!atLeast(o.version, 3, 29)) return `default.${o.name}`;
  // v3.29–v3.31: tiered policies already carry `<tier>.` in their v3 name (the validator insists).
  return o.name.startsWith(`${o.tier}.`) ? o.name : `${o.tier}.${o.name}`;
}

/** The v3 name a CRD object name stands for when the metadata annotation does not say. */
export function v3NameFromStored(o: { kind: CtlKind; storedName: string; version: CalicoVersion }): string {
  if (!o.kind.isPolicy) return o.storedName;
  // The `default.` prefix is hidden from users in every version (legacy objects on v3.32+).
  return o.storedName.startsWith('default.') ? o.storedName.slice('default.'.length) : o.storedName;
}

function calicoKeys(map: Readonly<Record<string, string>> | undefined): Record<string, string> | undefined {
  if (!map) return undefined;
  const kept = Object.entries(map).filter(([k]) => isCalicoManagedKey(k));
  return kept.length ? Object.fromEntries(kept) : undefined;
}

function nonEmpty(map: Readonly<Record<string, string>> | undefined): Record<string, string> | undefined {
  return map && Object.keys(map).length ? { ...map } : undefined;
}

/** Labels a v3 object carries after Calico's defaulting (the tier label on v3.29+ policies). */
export function defaultedLabels(o: { kind: CtlKind; labels?: Readonly<Record<string, string>>; spec: JsonObject; version: CalicoVersion }): Record<string, string> | undefined {
  if (!o.kind.isPolicy || !atLeast(o.version, 3, 29)) return nonEmpty(o.labels);
  return { ...(o.labels ?? {}), [TIER_LABEL]: tierOf(o.spec) };
}

/** Converts a (validated, defaulted) v3 object to the CRD object calicoctl writes. */
export function toStorage(o: { object: CalicoObject; kind: CtlKind; version: CalicoVersion }): JsonObject {
  const { object, kind, version } = o;
  const tier = tierOf(object.spec);
  const labels = defaultedLabels({ kind, labels: object.metadata.labels, spec: object.spec, version });
  const annotations = nonEmpty(object.metadata.annotations);

  const v3Meta: Record<string, JsonValue> = {};
  if (kind.isPolicy && atLeast(version, 3, 30)) v3Meta['name'] = object.metadata.name;
  if (labels) v3Meta['labels'] = labels;
  if (annotations) v3Meta['annotations'] = annotations;

  const crdLabels = calicoKeys(labels);
  const crdAnnotations: Record<string, string> = { ...(calicoKeys(annotations) ?? {}), [METADATA_ANNOTATION]: JSON.stringify(v3Meta) };

  const metadata: Record<string, JsonValue> = {
    name: storedName({ kind, name: object.metadata.name, tier, version }),
    annotations: crdAnnotations,
  };
  if (kind.namespaced && object.metadata.namespace) metadata['namespace'] = object.metadata.namespace;
  if (crdLabels) metadata['labels'] = crdLabels;
  if (object.metadata.resourceVersion) metadata['resourceVersion'] = object.metadata.resourceVersion;

  const spec: JsonObject = kind.isPolicy && atLeast(version, 3, 29) ? { ...object.spec, tier } : { ...object.spec };
  return { apiVersion: `${CALICO_CRD_GROUP}/${CALICO_CRD_VERSION}`, kind: kind.kind, metadata, spec };
}

function stringMap(value: unknown): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Converts a stored CRD object back to the v3 shape `calicoctl get` prints. */
export function fromStorage(o: { object: Record<string, unknown>; kind: CtlKind; version: CalicoVersion }): CalicoObject {
  const meta = (o.object['metadata'] ?? {}) as Record<string, unknown>;
  const crdAnnotations = stringMap(meta['annotations']) ?? {};
  const crdLabels = stringMap(meta['labels']);
  let v3Meta: Record<string, unknown> = {};
  const raw = crdAnnotations[METADATA_ANNOTATION];
  if (raw !== undefined) {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (typeof parsed === 'object' && parsed !== null) v3Meta = parsed as Record<string, unknown>;
    } catch {
      // A corrupt annotation reads like an absent one, as libcalico-go logs and carries on.
    }
  }
  const stored = str(meta['name']) ?? '';
  const name = str(v3Meta['name']) ?? v3NameFromStored({ kind: o.kind, storedName: stored, version: o.version });
  const { [METADATA_ANNOTATION]: _dropped, ...crdOwnAnnotations } = crdAnnotations;
  const labels = stringMap(v3Meta['labels']) ?? crdLabels;
  const annotations = { ...crdOwnAnnotations, ...(stringMap(v3Meta['annotations']) ?? {}) };
  const spec = (o.object['spec'] ?? {}) as JsonObject;

  const metadata: StoredMeta = {
    name,
    ...(str(meta['namespace']) ? { namespace: str(meta['namespace']) } : {}),
    ...(labels && Object.keys(labels).length ? { labels } : {}),
    ...(Object.keys(annotations).length ? { annotations } : {}),
    ...(str(meta['resourceVersion']) ? { resourceVersion: str(meta['resourceVersion']) } : {}),
    ...(str(meta['uid']) ? { uid: str(meta['uid']) } : {}),
    ...(str(meta['creationTimestamp']) ? { creationTimestamp: str(meta['creationTimestamp']) } : {}),
  };
  return { apiVersion: CALICO_API_VERSION, kind: o.kind.kind, metadata, spec: { ...spec } };
}
