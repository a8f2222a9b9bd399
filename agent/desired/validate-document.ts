// One document: identify its kind, check its fields against the kind's schema, run the kind's
// rules, and (whatever the outcome; errors empty the state later) build the normalized resource.
import {
  resourceKey,
  type CalicoVersion,
  type JsonObject,
  type KindInfo,
  type Manifest,
  type ResourceKey,
  type SourceRef,
} from '../domain/index.js';
import type { InternalDocumentView } from './collector.js';
import { identifyKind } from './identify-kind.js';
import { normalizeManifest } from './normalize.js';
import { rulesFor } from './rules/index.js';
import { metadataSchema, specSchema } from './schema/kinds.js';
import { object, str, type FieldType } from './schema/types.js';
import { walk } from './schema/walk.js';

export interface Candidate {
  readonly kind: KindInfo;
  readonly key: ResourceKey;
  readonly manifest: Manifest;
  readonly source: SourceRef;
}

const topLevel = new Map<string, FieldType>();

function topLevelSchema(kind: KindInfo): FieldType {
  let schema = topLevel.get(kind.id);
  if (!schema) {
    schema = object({ apiVersion: str, kind: str, metadata: metadataSchema, spec: specSchema(kind.id) }, { status: 'set by the cluster, not by the repository' });
    topLevel.set(kind.id, schema);
  }
  return schema;
}

export function validateDocument(written: InternalDocumentView, o: { line: number; calicoVersion: CalicoVersion }): Candidate | undefined {
  const kind = identifyKind(written, written.value, o.calicoVersion);
  if (!kind) return undefined;
  // Rules see the document as calicoctl decodes it; positions still come from the written text
  // (the locator matches a canonical field name to its case-variant spelling).
  const decoded = walk(written, [], written.value, topLevelSchema(kind), { calicoctl: !kind.appliedByKubectl });
  const view = written.withValue(decoded as JsonObject);
  const value = view.value;
  const meta = value['metadata'];
  if (meta === undefined || meta === null) {
    view.report({ path: [], code: 'name', message: 'metadata with a name is required' });
    return undefined;
  }
  const spec = value['spec'];
  if (spec !== undefined && spec !== null && (typeof spec !== 'object' || Array.isArray(spec))) {
    if (kind.id === 'KubernetesNetworkPolicy') view.report({ path: ['spec'], code: 'type', message: 'spec must be a mapping' });
    return undefined;
  }
  for (const rule of rulesFor(kind)) rule(view);
  return candidateOf(view, kind, o.line);
}

function candidateOf(view: InternalDocumentView, kind: KindInfo, line: number): Candidate | undefined {
  const meta = view.value['metadata'] as JsonObject;
  if (typeof meta !== 'object' || Array.isArray(meta)) return undefined;
  const name = meta['name'];
  const namespace = meta['namespace'];
  if (typeof name !== 'string' || name === '') return undefined;
  const ns = kind.scope === 'Namespaced' && typeof namespace === 'string' && namespace !== '' ? namespace : undefined;
  const raw: Manifest = {
    apiVersion: kind.apiVersion,
    kind: kind.kind,
    metadata: {
      name,
      ...(ns ? { namespace: ns } : {}),
      ...(isStringMap(meta['labels']) ? { labels: meta['labels'] } : {}),
      ...(isStringMap(meta['annotations']) ? { annotations: meta['annotations'] } : {}),
    },
    spec: (view.value['spec'] as JsonObject | null | undefined) ?? {},
  };
  const manifest = normalizeManifest(kind.id, raw);
  return {
    kind,
    key: resourceKey(kind.id, ns, name),
    manifest,
    source: { file: view.file, line, document: view.document },
  };
}

function isStringMap(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
}
