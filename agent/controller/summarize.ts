// The one place a cycle outcome turns into commit statuses, a log entry and a retry decision.
import type { Disposition } from '../domain/errors.js';
import { formatIssue } from '../domain/issue.js';
import { describeConflicts } from '../plan/render.js';
import type { CycleOutcome } from './cycle.js';
import type { StatusKind, StatusState } from './ports.js';

export interface Summary {
  readonly revision?: string;
  readonly statuses: readonly { readonly kind: StatusKind; readonly state: StatusState; readonly description: string }[];
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  /** When to run the next cycle early; undefined = the normal poll interval. */
  readonly retry?: { readonly disposition: Disposition; readonly afterMs?: number };
}

export function summarize(outcome: CycleOutcome): Summary {
  switch (outcome.kind) {
    case 'invalid': {
      const first = outcome.errors[0];
      const more = outcome.errors.length > 1 ? ` (+${outcome.errors.length - 1} more)` : '';
      const where = first ? `${first.file}:${first.line} ${first.message}` : 'invalid';
      return {
        revision: outcome.snapshot.revision,
        statuses: [{ kind: 'validate', state: 'failure', description: `invalid: ${where}${more}` }],
        level: 'warn',
        message: `revision is invalid; nothing applied:\n${outcome.errors.map(formatIssue).join('\n')}`,
      };
    }
    case 'in-sync': {
      const conflicts = outcome.plan.skipped;
      const first = conflicts[0];
      const apply = first
        ? { kind: 'apply' as const, state: 'failure' as const, description: describeConflicts(conflicts) }
        : { kind: 'apply' as const, state: 'success' as const, description: `in sync: ${outcome.resources} resources` };
      return {
        revision: outcome.snapshot.revision,
        statuses: [{ kind: 'validate', state: 'success', description: `valid: ${outcome.resources} resources` }, apply],
        level: first ? 'warn' : 'info',
        message: first ? `not applied: ${conflicts.map((c) => c.message).join('; ')}` : 'cluster in sync with revision',
      };
    }
    case 'held': {
      const held = outcome.plan.held;
      const stalled = held?.reason === 'delete-budget';
      return {
        revision: outcome.snapshot.revision,
        statuses: [
          { kind: 'validate', state: 'success', description: `valid: ${outcome.resources} resources` },
          // Pending, not failed: nothing is wrong with the commit, it waits for a person to release it.
          { kind: 'apply', state: 'pending', description: `held: ${held?.message ?? 'plan held'}` },
        ],
        level: 'warn',
        message: `plan held: ${held?.message ?? ''}`,
        ...(stalled ? {} : { retry: { disposition: 'waiting' as const } }),
      };
    }
    case 'busy':
      return {
        revision: outcome.snapshot.revision,
        statuses: [{ kind: 'validate', state: 'success', description: `valid: ${outcome.resources} resources` }],
        level: 'info',
        message: 'a sync job is in flight; planning again when it is done',
        retry: { disposition: 'waiting', afterMs: 1_000 },
      };
    case 'enqueued': {
      const counts = countSteps(outcome.plan.steps);
      return {
        revision: outcome.snapshot.revision,
        statuses: [
          { kind: 'validate', state: 'success', description: `valid: ${outcome.resources} resources` },
          { kind: 'apply', state: 'pending', description: `applying: ${counts}` },
        ],
        level: 'info',
        message: outcome.created ? `sync job ${outcome.jobId} enqueued (${counts})` : `sync job ${outcome.jobId} already queued`,
      };
    }
    case 'failed': {
      const { error, stage } = outcome;
      const statuses =
        outcome.snapshot && stage !== 'source'
          ? [{ kind: 'apply' as const, state: (error.disposition === 'waiting' ? 'pending' : 'error') as StatusState, description: `${stage}: ${error.message}` }]
          : [];
      return {
        ...(outcome.snapshot ? { revision: outcome.snapshot.revision } : {}),
        statuses,
        level: error.disposition === 'stalled' ? 'error' : 'warn',
        message: `${stage} failed (${error.name}/${error.code}): ${error.message}`,
        ...(error.disposition === 'stalled' ? {} : { retry: { disposition: error.disposition } }),
      };
    }
  }
}

function countSteps(steps: readonly { action: string }[]): string {
  const n = (a: string) => steps.filter((s) => s.action === a).length;
  return `${n('create')} to create, ${n('update')} to update, ${n('delete')} to delete`;
}
