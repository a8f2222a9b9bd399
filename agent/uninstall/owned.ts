// Pure: what an uninstall deletes. Every live object annotated `calico-gitops.io/owner: <instance>`
// in every kind and namespace we manage, as delete steps in reverse apply order (HostEndpoints
// first, Tiers last, as any plan deletes them); everything else is left alone, with the reason.
import type { LiveResource, PlanStep } from '../domain/state.js';
import { orderSteps } from '../plan/order.js';

export interface OwnedSelection {
  /** Delete steps, in the order they run. */
  readonly steps: readonly PlanStep[];
  /** Objects of the managed kinds nobody owns (left alone). */
  readonly unowned: number;
  /** Objects owned by another instance (left alone). */
  readonly otherInstances: number;
}

export function ownedDeletes(input: { readonly live: Iterable<LiveResource>; readonly instance: string }): OwnedSelection {
  const steps: PlanStep[] = [];
  let unowned = 0;
  let otherInstances = 0;
  for (const r of input.live) {
    const owner = r.bookkeeping.owner;
    if (owner === undefined) unowned += 1;
    else if (owner !== input.instance) otherInstances += 1;
    else steps.push({ action: 'delete', key: r.key, kindId: r.kindId, manifest: r.manifest, before: r.manifest, hash: r.hash, beforeHash: r.hash });
  }
  return { steps: orderSteps(steps), unowned, otherInstances };
}
