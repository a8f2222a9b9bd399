// The plan stage: a pure function of desired state, live view and a few settings. It composes the
// separate steps (pair → steps → order → budget) and never mutates its inputs.
import { contentHash } from '../domain/hash.js';
import type { DesiredState, LiveView, Plan, PlanStep, SkippedStep } from '../domain/state.js';
import { withBookkeeping } from './bookkeeping.js';
import { checkDeleteBudget } from './budget.js';
import { orderSteps } from './order.js';
import { pairResources, type Decision } from './pair.js';

export interface BuildPlanInput {
  readonly desired: DesiredState;
  readonly live: LiveView;
  /** Commit the desired state comes from; written to the revision annotation. */
  readonly revision: string;
  /** Owner annotation value (config `instance`). */
  readonly instance: string;
  /** Take over existing unowned objects with the same key. */
  readonly adopt: boolean;
  /** Largest share of owned objects one plan may delete, in percent (config `deleteBudget`). */
  readonly deleteBudgetPercent: number;
  /** From the commit trailer `Calico-GitOps-Allow-Delete: <n>` (see parseAllowDeleteTrailer). */
  readonly allowDeletes?: number;
  /** The operator approved this plan. */
  readonly approved?: boolean;
}

export const UNSYNCED_MESSAGE =
  'the live view of the cluster is not synced yet; nothing is planned until it is (a partial view could delete what it cannot see)';

export function buildPlan(input: BuildPlanInput): Plan {
  if (!input.live.isSynced()) {
    return {
      id: planId(input.revision, []),
      revision: input.revision,
      steps: [],
      skipped: [],
      unchanged: 0,
      held: { reason: 'cache-unsynced', message: UNSYNCED_MESSAGE },
    };
  }
  const { decisions, ownedCount } = pairResources(input);
  const steps: PlanStep[] = [];
  const skipped: SkippedStep[] = [];
  let unchanged = 0;
  for (const d of decisions) {
    if (d.kind === 'unchanged') unchanged += 1;
    else if (d.kind === 'skipped') {
      skipped.push({ key: d.key, kindId: d.kindId, wanted: d.wanted, reason: d.reason, message: d.message });
    } else steps.push(toStep(d, input));
  }
  const ordered = orderSteps(steps);
  skipped.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const verdict = checkDeleteBudget({
    steps: ordered,
    ownedCount,
    deleteBudgetPercent: input.deleteBudgetPercent,
    ...(input.allowDeletes === undefined ? {} : { allowDeletes: input.allowDeletes }),
    ...(input.approved === undefined ? {} : { approved: input.approved }),
  });
  const plan: Plan = { id: planId(input.revision, ordered), revision: input.revision, steps: ordered, skipped, unchanged };
  // A held plan keeps its steps so people can see (and approve by id) what it would do.
  return verdict.held ? { ...plan, held: { reason: 'delete-budget', message: verdict.message } } : plan;
}

/** Stable id: the same revision and the same steps always give the same id. */
export function planId(revision: string, steps: readonly PlanStep[]): string {
  return contentHash({ revision, steps: steps.map((s) => [s.action, s.key, s.hash]) });
}

function toStep(d: Exclude<Decision, { kind: 'unchanged' } | { kind: 'skipped' }>, input: BuildPlanInput): PlanStep {
  if (d.kind === 'delete') {
    return { action: 'delete', key: d.key, kindId: d.live.kindId, manifest: d.live.manifest, before: d.live.manifest, hash: d.live.hash, beforeHash: d.live.hash };
  }
  const manifest = withBookkeeping(d.desired.manifest, {
    instance: input.instance,
    revision: input.revision,
    source: d.desired.source.file,
    specHash: d.desired.hash,
  });
  if (d.kind === 'create') return { action: 'create', key: d.key, kindId: d.desired.kindId, manifest, hash: d.desired.hash };
  return { action: 'update', key: d.key, kindId: d.desired.kindId, manifest, before: d.live.manifest, hash: d.desired.hash, beforeHash: d.live.hash };
}
