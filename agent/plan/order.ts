// Ordering (gitops-engine's sync waves): dependencies first, deletes after in reverse.
import { KINDS } from '../domain/kinds.js';
import type { PlanStep } from '../domain/state.js';

/**
 * Creates and updates by KINDS[].applyRank (Tier … HostEndpoint), then deletes in reverse rank,
 * so a Tier exists before its policies and outlives them. Within a rank, by key: a stable order
 * makes the plan id stable. Returns a new array.
 */
export function orderSteps(steps: readonly PlanStep[]): PlanStep[] {
  const writes = steps.filter((s) => s.action !== 'delete');
  const deletes = steps.filter((s) => s.action === 'delete');
  writes.sort((a, b) => KINDS[a.kindId].applyRank - KINDS[b.kindId].applyRank || compareKeys(a.key, b.key));
  deletes.sort((a, b) => KINDS[b.kindId].applyRank - KINDS[a.kindId].applyRank || compareKeys(a.key, b.key));
  return [...writes, ...deletes];
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
