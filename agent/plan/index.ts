export { buildPlan, planId, UNSYNCED_MESSAGE, type BuildPlanInput } from './build-plan.js';
export { pairResources, type Decision, type PairInput, type PairResult } from './pair.js';
export { orderSteps } from './order.js';
export { checkDeleteBudget, type BudgetInput, type BudgetVerdict } from './budget.js';
export { parseAllowDeleteTrailer, ALLOW_DELETE_TRAILER } from './trailer.js';
export { withBookkeeping, withoutBookkeeping, type BookkeepingInput } from './bookkeeping.js';
export { diffManifests, diffLines, canonicalYaml, withContext, type DiffLine, type DiffOp } from './diff.js';
export { renderPlan, summaryLine, type RenderOptions } from './render.js';
