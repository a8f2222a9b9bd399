// Pure: the live objects compared with the applied revision's desired state, with the plan's own
// pairing (same normalization and hashes), so what a plan would leave alone is never drift.
import type { ResourceKey } from '../domain/resource.js';
import type { LiveResource, LiveView, StoredRef } from '../domain/state.js';
import { pairResources, type Decision } from '../plan/pair.js';
import type { AppliedState, DriftChange, DriftEntry } from './types.js';

export interface DetectDriftInput {
  readonly applied: AppliedState;
  readonly live: LiveView;
  /** Owner annotation value (config `instance`). */
  readonly instance: string;
  /** Keys a sync or heal job is writing or verifying right now: our own executor's writes. */
  readonly inFlight: ReadonlySet<ResourceKey>;
  /**
   * Revisions our executor writes for but that are not applied yet (a newer commit being synced):
   * an object carrying one of them with its own spec hash is a sync in progress, not drift.
   */
  readonly pendingRevisions: ReadonlySet<string>;
  /** Only these keys (a watch event); all applied keys when absent (a full check). */
  readonly keys?: Iterable<ResourceKey>;
  /** Last seen state of deleted objects (stored identity), keyed like the cache. */
  readonly lastSeen?: (key: ResourceKey) => LiveResource | undefined;
  /** When a delete was seen (RFC 3339); deletes leave no managedFields to read. */
  readonly now: string;
}

export function detectDrift(input: DetectDriftInput): DriftEntry[] {
  const keys = input.keys ? [...new Set(input.keys)].filter((k) => input.applied.resources.has(k)) : [...input.applied.resources.keys()];
  const desired = new Map(keys.flatMap((k) => {
    const d = input.applied.resources.get(k);
    return d && !input.inFlight.has(k) ? [[k, d] as const] : [];
  }));
  const view: LiveView = { isSynced: () => true, get: (k) => (desired.has(k) ? input.live.get(k) : undefined), list: () => [] };
  const { decisions } = pairResources({ desired: { resources: desired }, live: view, instance: input.instance, adopt: false });
  const out: DriftEntry[] = [];
  for (const d of decisions) {
    const entry = toEntry(d, input);
    if (entry) out.push(entry);
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function toEntry(d: Decision, input: DetectDriftInput): DriftEntry | undefined {
  if (d.kind === 'unchanged' || d.kind === 'delete') return undefined;
  const applied = input.applied.resources.get(d.key);
  if (!applied) return undefined;
  const live = input.live.get(d.key);
  const base = { key: d.key, kindId: applied.kindId, appliedHash: applied.hash };
  if (d.kind === 'create') {
    const stored = input.lastSeen?.(d.key)?.stored;
    return { ...base, change: 'deleted', time: input.now, ...(stored ? { stored } : {}) };
  }
  if (!live) return undefined;
  if (d.kind === 'update') {
    // Our executor wrote this for a newer commit (its own spec hash and revision): a sync, not drift.
    const b = live.bookkeeping;
    if (b.revision !== undefined && input.pendingRevisions.has(b.revision) && b.specHash === live.hash) return undefined;
    return withLive({ ...base, change: 'modified' }, live);
  }
  // Skipped as not ours: the owner annotation was taken off (our other bookkeeping is still
  // there), or someone else's object sits under our key.
  const change: DriftChange = live.bookkeeping.owner === undefined && (live.bookkeeping.specHash !== undefined || live.bookkeeping.revision !== undefined) ? 'disowned' : 'intruder';
  return withLive({ ...base, change }, live);
}

function withLive(e: Omit<DriftEntry, 'liveHash'>, live: LiveResource): DriftEntry {
  const stored: StoredRef | undefined = live.stored;
  return {
    ...e,
    liveHash: live.hash,
    ...(live.lastWrite ? { manager: live.lastWrite.manager, time: live.lastWrite.time } : {}),
    ...(stored ? { stored } : {}),
  };
}
