// One audit entry per attempted change of a job: what was written or removed, by which job, for
// which revision and author, with the executor's outcome.
import type { PlanStep, StepResult } from '../domain/state.js';
import type { AuditEntry } from '../report/audit-log.js';

export function auditEntries(input: {
  readonly steps: readonly PlanStep[];
  readonly results: readonly StepResult[];
  readonly revision: string;
  readonly author: string;
  readonly jobId: string;
  /** ISO time of the apply. */
  readonly time: string;
}): AuditEntry[] {
  const steps = new Map<string, PlanStep>(input.steps.map((s) => [`${s.action}:${s.key}`, s]));
  return input.results.flatMap((r) => {
    const step = steps.get(`${r.action}:${r.key}`);
    if (!step || r.outcome === 'not-run') return [];
    return [
      {
        time: input.time,
        revision: input.revision,
        author: input.author,
        action: r.action,
        resource: r.key,
        ...(r.action === 'delete' ? { beforeHash: step.hash } : { afterHash: step.hash }),
        jobId: input.jobId,
        result: r.outcome === 'ok' ? ('ok' as const) : ('failed' as const),
        message: r.outcome === 'ok' ? r.message : `${r.outcome}: ${r.message}`,
      },
    ];
  });
}
