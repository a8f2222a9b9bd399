// Pairing (gitops-engine's reconcile step, without its input mutation): desired and live objects
// are matched by key and each pair gets one decision with a reason a person can read.
import type { KindId } from '../domain/kinds.js';
import type { DesiredResource, ResourceKey } from '../domain/resource.js';
import type { DesiredState, LiveResource, LiveView, SkipReason, StepAction } from '../domain/state.js';
import { displayKey } from '../domain/resource.js';

export type Decision =
  | { readonly kind: 'create'; readonly key: ResourceKey; readonly desired: DesiredResource }
  | {
      readonly kind: 'update';
      readonly key: ResourceKey;
      readonly desired: DesiredResource;
      readonly live: LiveResource;
      /** True when the object was not ours and `adopt` takes it over. */
      readonly adopted: boolean;
    }
  | { readonly kind: 'delete'; readonly key: ResourceKey; readonly live: LiveResource }
  | { readonly kind: 'unchanged'; readonly key: ResourceKey }
  | {
      readonly kind: 'skipped';
      readonly key: ResourceKey;
      readonly kindId: KindId;
      readonly wanted: StepAction;
      readonly reason: SkipReason;
      readonly message: string;
    };

export interface PairInput {
  readonly desired: DesiredState;
  readonly live: LiveView;
  /** Owner annotation value that marks objects as ours. */
  readonly instance: string;
  /** Take over existing objects that carry no owner annotation. */
  readonly adopt: boolean;
}

export interface PairResult {
  /** Desired keys first (in the map's order), then live-only keys; ordering is a later step. */
  readonly decisions: readonly Decision[];
  /** Live objects owned by `instance` (the base of the delete budget). */
  readonly ownedCount: number;
}

/**
 * Objects another instance owns are never touched, even with `adopt`: two agents fighting over
 * one object would flap forever. Live objects nobody asked for and we do not own are left alone
 * and not reported: a cluster holds many objects that are simply not ours.
 */
export function pairResources(input: PairInput): PairResult {
  const decisions: Decision[] = [];
  for (const [key, desired] of input.desired.resources) {
    const live = input.live.get(key);
    decisions.push(decide(key, desired, live, input));
  }
  let ownedCount = 0;
  for (const live of input.live.list()) {
    const owned = live.bookkeeping.owner === input.instance;
    if (owned) ownedCount += 1;
    if (owned && !input.desired.resources.has(live.key)) decisions.push({ kind: 'delete', key: live.key, live });
  }
  return { decisions, ownedCount };
}

function decide(key: ResourceKey, desired: DesiredResource, live: LiveResource | undefined, input: PairInput): Decision {
  if (!live) return { kind: 'create', key, desired };
  const owner = live.bookkeeping.owner;
  if (owner === input.instance) {
    return live.hash === desired.hash ? { kind: 'unchanged', key } : { kind: 'update', key, desired, live, adopted: false };
  }
  if (owner !== undefined) {
    return {
      kind: 'skipped',
      key,
      kindId: desired.kindId,
      wanted: 'update',
      reason: 'not-owned',
      message: `${displayKey(key)} is owned by calico-gitops instance "${owner}", not "${input.instance}"; it is left alone`,
    };
  }
  if (input.adopt) return { kind: 'update', key, desired, live, adopted: true };
  return {
    kind: 'skipped',
    key,
    kindId: desired.kindId,
    wanted: 'update',
    reason: 'not-owned',
    message:
      `${displayKey(key)} already exists in the cluster and is not managed by calico-gitops; ` +
      'remove it, rename the resource in Git, or enable adoption (--adopt) to take it over',
  };
}
