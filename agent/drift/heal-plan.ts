// Pure: the plan that restores drifted resources to the applied revision, with the plan stage's
// own rules. Only those keys are looked at, so a heal never deletes or touches anything else, and
// what we do not own (intruders, disowned objects) stays a skipped conflict, never overwritten.
import type { ResourceKey } from '../domain/resource.js';
import type { LiveView, Plan } from '../domain/state.js';
import { buildPlan } from '../plan/build-plan.js';
import type { AppliedState } from './types.js';

export function healPlan(input: { applied: AppliedState; live: LiveView; keys: readonly ResourceKey[]; instance: string }): Plan {
  const keys = new Set(input.keys);
  const resources = new Map([...input.applied.resources].filter(([k]) => keys.has(k)));
  const live: LiveView = {
    isSynced: () => input.live.isSynced(),
    get: (k) => (keys.has(k) ? input.live.get(k) : undefined),
    list: () => [...keys].flatMap((k) => {
      const l = input.live.get(k);
      return l ? [l] : [];
    }),
  };
  return buildPlan({ desired: { resources }, live, revision: input.applied.revision, instance: input.instance, adopt: false, deleteBudgetPercent: 100 });
}
