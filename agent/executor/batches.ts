// Groups a plan's steps into the containers of one executor pod. Init containers run in order and
// stop at the first failure, so the plan's dependency order becomes the container order.
import { KINDS } from '../domain/kinds.js';
import type { PlanStep, StepAction } from '../domain/state.js';

export const TOOLS = ['calicoctl', 'kubectl'] as const;
export type Tool = (typeof TOOLS)[number];

/**
 * `replace` is calicoctl's for a batch of updates only: `apply` tries a create first (a POST the
 * API server refuses with 409 for an object that exists) and then updates, two writes for one
 * change; `replace` reads and updates, one. A batch with creates keeps `apply`: splitting it would
 * cost the pod one more container, slower than the refused POSTs.
 */
export const VERBS = ['apply', 'replace', 'delete'] as const;
export type Verb = (typeof VERBS)[number];

export interface Batch {
  readonly tool: Tool;
  readonly verb: Verb;
  /** In execution order. */
  readonly steps: readonly PlanStep[];
}

export function toolFor(step: PlanStep): Tool {
  return KINDS[step.kindId].appliedByKubectl ? 'kubectl' : 'calicoctl';
}

/** Deletes apart from the rest; which of apply and replace a batch uses is decided per batch. */
function verbFor(action: StepAction): 'apply' | 'delete' {
  return action === 'delete' ? 'delete' : 'apply';
}

/**
 * Ordered batches: consecutive steps with the same tool and verb share a container. Within a run
 * of steps of the same verb and apply rank (say Calico and Kubernetes NetworkPolicies, which do not
 * depend on each other) calicoctl steps go first, so interleaved kinds do not make a container each.
 * Steps of different ranks never change places.
 */
export function batchesFor(steps: readonly PlanStep[]): Batch[] {
  const ordered = groupByRun(steps).flatMap((run) => [
    ...run.filter((s) => toolFor(s) === 'calicoctl'),
    ...run.filter((s) => toolFor(s) === 'kubectl'),
  ]);
  const batches: { tool: Tool; verb: Verb; steps: PlanStep[] }[] = [];
  for (const step of ordered) {
    const tool = toolFor(step);
    const verb = verbFor(step.action);
    const last = batches.at(-1);
    if (last && last.tool === tool && last.verb === verb) last.steps.push(step);
    else batches.push({ tool, verb, steps: [step] });
  }
  return batches.map((b) => (b.tool === 'calicoctl' && b.verb === 'apply' && b.steps.every((s) => s.action === 'update') ? { ...b, verb: 'replace' } : b));
}

function groupByRun(steps: readonly PlanStep[]): PlanStep[][] {
  const runs: PlanStep[][] = [];
  let runKey = '';
  for (const step of steps) {
    const key = `${verbFor(step.action)}:${KINDS[step.kindId].applyRank}`;
    const current = runs.at(-1);
    if (current && key === runKey) current.push(step);
    else runs.push([step]);
    runKey = key;
  }
  return runs;
}
