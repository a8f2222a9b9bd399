// Conversion output → LiveResource, normalized and hashed exactly like the desired side, so that
// what we applied reads back as unchanged.
import type { KindId } from '../domain/kinds.js';
import { resourceKey, type Manifest } from '../domain/resource.js';
import type { LiveResource } from '../domain/state.js';
import type { ConvertedObject } from './converted.js';

/** The desired stage's normalization (agent/desired/normalize.ts), injected to keep this file pure. */
export interface Normalizer {
  normalize(kindId: KindId, manifest: Manifest): Manifest;
  hash(manifest: Manifest): string;
}

export function toLiveResource(converted: ConvertedObject, normalizer: Normalizer): LiveResource {
  const manifest = normalizer.normalize(converted.kindId, converted.manifest);
  return {
    key: resourceKey(converted.kindId, manifest.metadata.namespace, manifest.metadata.name),
    kindId: converted.kindId,
    manifest,
    hash: normalizer.hash(manifest),
    bookkeeping: converted.bookkeeping,
    ...(converted.resourceVersion === undefined ? {} : { resourceVersion: converted.resourceVersion }),
    ...(converted.stored === undefined ? {} : { stored: converted.stored }),
    ...(converted.lastWrite === undefined ? {} : { lastWrite: converted.lastWrite }),
  };
}
