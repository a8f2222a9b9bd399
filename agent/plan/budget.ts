// The delete budget (DESIGN.md, "Ownership and safety"): a plan deleting too much waits for a human.
import type { PlanStep } from '../domain/state.js';
import { ALLOW_DELETE_TRAILER } from './trailer.js';

export interface BudgetInput {
  readonly steps: readonly PlanStep[];
  /** Live objects we own before the plan runs. */
  readonly ownedCount: number;
  /** Largest share of owned objects one plan may delete, in percent. */
  readonly deleteBudgetPercent: number;
  /** From the commit trailer `Calico-GitOps-Allow-Delete: <n>`. */
  readonly allowDeletes?: number;
  /** The operator approved this plan (`calico-gitops approve`). */
  readonly approved?: boolean;
}

export type BudgetVerdict = { readonly held: false } | { readonly held: true; readonly message: string };

/**
 * Held when the deletes exceed the share of owned objects (the budget always allows one), when
 * any HostEndpoint would be deleted (removing one changes what a host's own interfaces allow), or
 * when the plan deletes every owned object, two or more, whatever the budget: an emptied folder or
 * a wrong `--path` looks exactly like that (Config Sync's KNV2006). Released by approval or a
 * trailer allowing at least as many deletes as the plan has.
 */
export function checkDeleteBudget(input: BudgetInput): BudgetVerdict {
  const deletes = input.steps.filter((s) => s.action === 'delete');
  if (deletes.length === 0 || input.approved === true) return { held: false };
  if (input.allowDeletes !== undefined && input.allowDeletes >= deletes.length) return { held: false };
  const limit = Math.max(1, Math.floor((input.ownedCount * input.deleteBudgetPercent) / 100));
  const hostEndpoints = deletes.filter((s) => s.kindId === 'HostEndpoint').length;
  const everything = deletes.length >= 2 && deletes.length >= input.ownedCount;
  if (deletes.length <= limit && hostEndpoints === 0 && !everything) return { held: false };
  const why =
    hostEndpoints > 0
      ? `it deletes ${deletes.length} object(s), including ${hostEndpoints} HostEndpoint(s), which always need approval`
      : everything
        ? `it deletes all ${deletes.length} owned objects, which always needs approval`
        : `it deletes ${deletes.length} of ${input.ownedCount} owned object(s), more than the ${input.deleteBudgetPercent}% budget (${limit})`;
  const already =
    input.allowDeletes !== undefined ? ` (the commit allows only ${input.allowDeletes})` : '';
  return {
    held: true,
    message:
      `${why}${already}. To release it, add the trailer "${ALLOW_DELETE_TRAILER}: ${deletes.length}" ` +
      'to a commit message, or run `calico-gitops approve <sha>`',
  };
}
