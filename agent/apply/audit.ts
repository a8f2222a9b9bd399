// One audit entry per attempted change of a job: what was written or removed, by which job, for
// which revision and author, with the executor's outcome.
import type { PlanStep, StepResult } from '../domain/state.js';
import type { AuditEntry } from '../report/audit-log.js';
import type { HealItem } from './job-kinds.js';

export function auditEntries(input: {
  readonly steps: readonly PlanStep[];
  readonly results: readonly StepResult[];
  readonly revision: string;
  readonly author: string;
  readonly jobId: string;
  /** ISO time of the apply. */
  readonly time: string;
  /** A heal: each entry is action `heal`, with the drifted hash and the field manager that drifted it. */
  readonly heal?: readonly HealItem[];
}): AuditEntry[] {
  const steps = new Map<string, PlanStep>(input.steps.map((s) => [`${s.action}:${s.key}`, s]));
  const healed = new Map((input.heal ?? []).map((h) => [h.key, h] as const));
  return input.results.flatMap((r): AuditEntry[] => {
    const step = steps.get(`${r.action}:${r.key}`);
    if (!step || r.outcome === 'not-run') return [];
    const heal = input.heal ? healed.get(r.key) : undefined;
    if (input.heal) {
      return [
        {
          time: input.time,
          revision: input.revision,
          author: input.author,
          action: 'heal' as const,
          resource: r.key,
          ...(heal?.beforeHash ? { beforeHash: heal.beforeHash } : {}),
          ...(r.action === 'delete' ? {} : { afterHash: step.hash }),
          jobId: input.jobId,
          result: r.outcome === 'ok' ? ('ok' as const) : ('failed' as const),
          message: `${r.action}: ${r.outcome === 'ok' ? r.message : `${r.outcome}: ${r.message}`}`,
          ...(heal?.fieldManager ? { fieldManager: heal.fieldManager } : {}),
        },
      ];
    }
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
