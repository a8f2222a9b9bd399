// One audit entry per attempted change of a job: what was written or removed, by which job, for
// which revision and author, with the executor's outcome and the spec hash before and after.
import type { PlanStep, StepResult } from '../domain/state.js';
import type { AuditAction, AuditEntry } from '../report/audit-log.js';
import type { HealItem } from './job-kinds.js';

export function auditEntries(input: {
  readonly steps: readonly PlanStep[];
  readonly results: readonly StepResult[];
  readonly revision: string;
  readonly author: string;
  readonly jobId: string;
  /** ISO time of the apply. */
  readonly time: string;
  /** First line of the commit message. */
  readonly subject?: string;
  /** A heal: each entry is action `heal`, with the drifted hash and the field manager that drifted it. */
  readonly heal?: readonly HealItem[];
  /** A rollback (the revision's `Calico-GitOps-Rollback-Of` trailer): each entry is action `rollback`, naming these commits. */
  readonly rollbackOf?: readonly string[];
}): AuditEntry[] {
  const steps = new Map<string, PlanStep>(input.steps.map((s) => [`${s.action}:${s.key}`, s]));
  const healed = new Map((input.heal ?? []).map((h) => [h.key, h] as const));
  const rollbackOf = input.rollbackOf && input.rollbackOf.length > 0 ? input.rollbackOf : undefined;
  // Heals and rollbacks say what they did to the resource in the message, since their action does not.
  const action: AuditAction | undefined = input.heal ? 'heal' : rollbackOf ? 'rollback' : undefined;
  return input.results.flatMap((r): AuditEntry[] => {
    const step = steps.get(`${r.action}:${r.key}`);
    if (!step || r.outcome === 'not-run') return [];
    const heal = input.heal ? healed.get(r.key) : undefined;
    const beforeHash = heal?.beforeHash ?? step.beforeHash ?? (r.action === 'delete' ? step.hash : undefined);
    const outcome = r.outcome === 'ok' ? r.message : `${r.outcome}: ${r.message}`;
    return [
      {
        time: input.time,
        revision: input.revision,
        author: input.author,
        ...(input.subject ? { subject: input.subject } : {}),
        action: action ?? r.action,
        resource: r.key,
        ...(beforeHash ? { beforeHash } : {}),
        ...(r.action === 'delete' ? {} : { afterHash: step.hash }),
        jobId: input.jobId,
        result: r.outcome === 'ok' ? ('ok' as const) : ('failed' as const),
        message: action ? `${r.action}: ${outcome}` : outcome,
        ...(heal?.fieldManager ? { fieldManager: heal.fieldManager } : {}),
        ...(rollbackOf && !input.heal ? { rollbackOf } : {}),
      },
    ];
  });
}
