// The values the drift stage hands on: what differs from the applied revision, who did it, when.
import type { KindId } from '../domain/kinds.js';
import type { DesiredResource, ResourceKey } from '../domain/resource.js';
import type { StoredRef } from '../domain/state.js';

export const DRIFT_CHANGES = ['modified', 'deleted', 'disowned', 'intruder'] as const;
/**
 * `modified`: an owned object's spec, labels or user annotations differ from Git; `deleted`: an
 * owned object removed by hand; `disowned`: the owner annotation removed by hand; `intruder`: an
 * object nobody here owns under a key the repository defines.
 */
export type DriftChange = (typeof DRIFT_CHANGES)[number];

export interface DriftEntry {
  readonly key: ResourceKey;
  readonly kindId: KindId;
  readonly change: DriftChange;
  /** Field manager of the newest write (`kubectl-edit`); absent for deletes or when unrecorded. */
  readonly manager?: string;
  /** When that write (or the delete, as seen) happened, RFC 3339. */
  readonly time?: string;
  /** Live content hash (absent when deleted) and the applied one. */
  readonly liveHash?: string;
  readonly appliedHash: string;
  /** The object as stored, for Events (for a delete: as last seen). */
  readonly stored?: StoredRef;
}

/** The last revision a sync job applied and verified, with its desired state. */
export interface AppliedState {
  readonly revision: string;
  readonly resources: ReadonlyMap<ResourceKey, DesiredResource>;
}
