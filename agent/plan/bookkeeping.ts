// The bookkeeping annotations written on every object the agent applies (DESIGN.md, "Ownership").
import type { Manifest } from '../domain/resource.js';
import {
  isBookkeepingAnnotation,
  OWNER_ANNOTATION,
  REVISION_ANNOTATION,
  SOURCE_ANNOTATION,
  SPEC_HASH_ANNOTATION,
} from '../domain/ownership.js';

export interface BookkeepingInput {
  /** Owner annotation value (the instance name). */
  readonly instance: string;
  /** Commit that produced this content. */
  readonly revision: string;
  /** Repository file the object came from. */
  readonly source: string;
  /** Content hash of the normalized desired object. */
  readonly specHash: string;
}

/** Returns a copy of `manifest` carrying our bookkeeping annotations (any stale ones replaced). */
export function withBookkeeping(manifest: Manifest, input: BookkeepingInput): Manifest {
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(manifest.metadata.annotations ?? {})) {
    if (!isBookkeepingAnnotation(k)) annotations[k] = v;
  }
  annotations[OWNER_ANNOTATION] = input.instance;
  annotations[REVISION_ANNOTATION] = input.revision;
  annotations[SOURCE_ANNOTATION] = input.source;
  annotations[SPEC_HASH_ANNOTATION] = input.specHash;
  return { ...manifest, metadata: { ...manifest.metadata, annotations } };
}

/** Returns a copy of `manifest` without calico-gitops bookkeeping annotations (for display and diffs). */
export function withoutBookkeeping(manifest: Manifest): Manifest {
  const source = manifest.metadata.annotations;
  if (!source || !Object.keys(source).some(isBookkeepingAnnotation)) return manifest;
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(source)) if (!isBookkeepingAnnotation(k)) annotations[k] = v;
  const { annotations: _dropped, ...rest } = manifest.metadata;
  return { ...manifest, metadata: Object.keys(annotations).length > 0 ? { ...rest, annotations } : rest };
}
