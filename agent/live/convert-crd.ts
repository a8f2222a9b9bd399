// crd.projectcalico.org/v1 storage → projectcalico.org/v3 (CALICO.md, "Storage in the Kubernetes
// datastore"). Pure.
//
// - The v3 labels and annotations (and, for policies from v3.30, the v3 name) live as JSON in the
//   annotation `projectcalico.org/metadata`. Labels or annotations found directly on the CRD object
//   are merged underneath it, so objects written by other Calico versions read the same.
// - Policy object names: `default.<name>` up to v3.28; `<tier>.<name>` on v3.29–v3.31 (a default-
//   tier policy loses the `default.` prefix, a tiered one keeps it: its v3 name carries the tier);
//   plain from v3.32, where a legacy `default.` prefix is still stripped. The name in the metadata
//   annotation wins whenever it is there: a policy written as `default.<name>` on v3.30+ reads back
//   under that name (test/live/default-prefix-read-back.test.ts).
// - Calico-managed keys (`projectcalico.org/tier`, …) are dropped: the repository never writes them.
import { CALICO_API_VERSION, KINDS, type KindId } from '../domain/kinds.js';
import type { JsonObject } from '../domain/resource.js';
import type { CalicoVersion } from '../domain/calico-version.js';
import type { ConvertedObject } from './converted.js';
import { bookkeepingOf, repoMeta, str, stringMap, originOf } from './convert-meta.js';

export const METADATA_ANNOTATION = 'projectcalico.org/metadata';

export interface CrdConvertInput {
  readonly kindId: KindId;
  /** The object as listed or watched (parsed JSON). */
  readonly object: unknown;
  readonly calicoVersion: CalicoVersion;
}

export function fromCrdObject(input: CrdConvertInput): ConvertedObject | undefined {
  if (typeof input.object !== 'object' || input.object === null) return undefined;
  const obj = input.object as Record<string, unknown>;
  const meta = (obj['metadata'] ?? {}) as Record<string, unknown>;
  const storedName = str(meta['name']);
  if (!storedName) return undefined;
  const crdAnnotations = stringMap(meta['annotations']) ?? {};
  const v3Meta = parseMetadataAnnotation(crdAnnotations[METADATA_ANNOTATION]);
  const { [METADATA_ANNOTATION]: _raw, ...ownAnnotations } = crdAnnotations;
  const labels = { ...(stringMap(meta['labels']) ?? {}), ...(stringMap(v3Meta['labels']) ?? {}) };
  const annotations = { ...ownAnnotations, ...(stringMap(v3Meta['annotations']) ?? {}) };
  const info = KINDS[input.kindId];
  const name = str(v3Meta['name']) ?? v3PolicyName(info.isPolicy, storedName);
  const namespace = info.scope === 'Namespaced' ? str(meta['namespace']) : undefined;
  const spec = isObject(obj['spec']) ? (obj['spec'] as JsonObject) : {};
  const resourceVersion = str(meta['resourceVersion']);
  return {
    kindId: input.kindId,
    manifest: { apiVersion: CALICO_API_VERSION, kind: info.kind, metadata: repoMeta({ name, namespace, labels, annotations }), spec },
    bookkeeping: bookkeepingOf(annotations),
    ...(resourceVersion ? { resourceVersion } : {}),
    ...originOf(obj, { apiVersion: 'crd.projectcalico.org/v1', kind: info.kind }),
  };
}

/**
 * The `default.` prefix is hidden from users in every version; any other `<tier>.` prefix is part
 * of the v3 name (v3.29–v3.31 require it, v3.32 stores names as written).
 */
export function v3PolicyName(isPolicy: boolean, storedName: string): string {
  return isPolicy && storedName.startsWith('default.') ? storedName.slice('default.'.length) : storedName;
}

function parseMetadataAnnotation(raw: string | undefined): Record<string, unknown> {
  if (raw === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    return isObject(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    // A corrupt annotation reads like an absent one (libcalico-go logs and carries on).
    return {};
  }
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
