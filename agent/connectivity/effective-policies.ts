// The policy set a cluster runs: the live policies as they are now, or, once a revision is
// applied, the revision's resources plus the live ones it leaves alone (objects another owner
// manages stay; objects of this instance that the revision drops are deleted).
import type { DesiredState, LiveResource } from '../domain/state.js';
import type { PolicyInput } from './policy-model.js';

export function livePolicies(live: Iterable<LiveResource>): PolicyInput[] {
  return [...live].map((r) => ({ kindId: r.kindId, manifest: r.manifest }));
}

export function policiesAfterApply(desired: DesiredState, live: Iterable<LiveResource>, instance: string): PolicyInput[] {
  const kept = [...live].filter((r) => !desired.resources.has(r.key) && r.bookkeeping.owner !== instance);
  return [...desired.resources.values(), ...livePolicies(kept)];
}
