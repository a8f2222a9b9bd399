// The one place a cycle outcome turns into commit statuses, a log entry and a retry decision. The
// validate and apply contexts are written from here only: what a worker did reaches the commit as
// the state and result of its job in the queue, an input of the outcome.
import type { Disposition } from '../domain/errors.js';
import { formatIssue, type Issue } from '../domain/issue.js';
import type { JobState } from '../domain/job.js';
import type { Plan, StepResult } from '../domain/state.js';
import { describeConflicts } from '../plan/render.js';
import type { CycleOutcome } from './cycle.js';
import { impactStatus } from './impact-status.js';
import type { StatusKind, StatusState } from './ports.js';

export interface Summary {
  readonly revision?: string;
  readonly statuses: readonly { readonly kind: StatusKind; readonly state: StatusState; readonly description: string; readonly targetUrl?: string }[];
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  /** When to run the next cycle early; undefined = the normal poll interval. */
  readonly retry?: { readonly disposition: Disposition; readonly afterMs?: number };
}

export function summarize(outcome: CycleOutcome): Summary {
  const base = summarizeOutcome(outcome);
  const summary = outcome.impact ? { ...base, statuses: [...base.statuses, impactStatus(outcome.impact)] } : base;
  const warnings = 'warnings' in outcome ? (outcome.warnings ?? []) : [];
  return warnings.length === 0 ? summary : { ...summary, message: `${summary.message}\n${warnings.map(formatIssue).join('\n')}` };
}

/** `valid: 4 resources`, and the first warning (with a count) when there are any. */
function validDescription(outcome: { readonly resources: number; readonly warnings?: readonly Issue[] }): string {
  const warnings = outcome.warnings ?? [];
  const first = warnings[0];
  if (!first) return `valid: ${outcome.resources} resources`;
  const more = warnings.length > 1 ? ` (+${warnings.length - 1} more)` : '';
  return `valid: ${outcome.resources} resources; ${warnings.length} warning${warnings.length > 1 ? 's' : ''}: ${shortLocation(first)}${first.message}${more}`;
}

/** Short for a status line: `file:line `, `file ` for a whole-file problem, nothing for the repository. */
function shortLocation(issue: Issue): string {
  if (!issue.file) return '';
  return issue.line > 0 ? `${issue.file}:${issue.line} ` : `${issue.file} `;
}

function summarizeOutcome(outcome: CycleOutcome): Summary {
  switch (outcome.kind) {
    case 'invalid': {
      const first = outcome.errors[0];
      const more = outcome.errors.length > 1 ? ` (+${outcome.errors.length - 1} more)` : '';
      const where = first ? `${shortLocation(first)}${first.message}` : 'invalid';
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
      // The revision's job, when it applied something, says what it did; else the cluster state.
      const applied = outcome.job?.state === 'settled' && outcome.job.result.kind === 'applied' ? describeApplied(outcome.job.result.results) : undefined;
      const apply = first
        ? { kind: 'apply' as const, state: 'failure' as const, description: `${applied ? `${applied}; ` : ''}${describeConflicts(conflicts)}` }
        : { kind: 'apply' as const, state: 'success' as const, description: applied ?? `in sync: ${outcome.resources} resources` };
      return {
        revision: outcome.snapshot.revision,
        statuses: [{ kind: 'validate', state: 'success', description: validDescription(outcome) }, apply],
        level: first ? 'warn' : 'info',
        message: first ? `not applied: ${conflicts.map((c) => c.message).join('; ')}` : 'cluster in sync with revision',
      };
    }
    case 'drifted': {
      // The commit's own statuses stay what its apply made them; drift has its own context.
      const asApplied = summarizeOutcome({ ...outcome, kind: 'in-sync' });
      return { ...asApplied, message: `the cluster differs from the applied revision in ${outcome.plan.steps.length} resource(s): drift, handled by the drift monitor` };
    }
    case 'held': {
      const held = outcome.plan.held;
      const stalled = held?.reason === 'delete-budget';
      return {
        revision: outcome.snapshot.revision,
        statuses: [
          { kind: 'validate', state: 'success', description: validDescription(outcome) },
          // Pending, not failed: nothing is wrong with the commit, it waits for a person to release it.
          { kind: 'apply', state: 'pending', description: `held: ${held?.message ?? 'plan held'}` },
        ],
        level: 'warn',
        message: `plan held: ${held?.message ?? ''}`,
        ...(stalled ? {} : { retry: { disposition: 'waiting' as const } }),
      };
    }
    case 'paused':
      return { statuses: [], level: 'info', message: 'sync paused by calico-gitops uninstall: nothing planned, nothing healed' };
    case 'busy':
      return {
        revision: outcome.snapshot.revision,
        statuses: [{ kind: 'validate', state: 'success', description: validDescription(outcome) }],
        level: 'info',
        message: 'a sync job is in flight; planning again when it is done',
        retry: { disposition: 'waiting', afterMs: 1_000 },
      };
    case 'enqueued': {
      const job = jobSummary(outcome.job, outcome.plan);
      return {
        revision: outcome.snapshot.revision,
        statuses: [{ kind: 'validate', state: 'success', description: validDescription(outcome) }, { kind: 'apply', ...job.status }],
        level: job.level,
        message: outcome.created ? `sync job ${outcome.job.id} enqueued (${countSteps(outcome.plan.steps)})` : job.message,
        ...(job.retry ? { retry: job.retry } : {}),
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

interface JobSummary {
  readonly status: { readonly state: StatusState; readonly description: string };
  readonly level: Summary['level'];
  readonly message: string;
  readonly retry?: Summary['retry'];
}

/** The apply status while a plan's job exists: pending while it waits or runs, its result once settled. */
function jobSummary(job: JobState, plan: Plan): JobSummary {
  const applying = { state: 'pending' as const, description: `applying: ${countSteps(plan.steps)}` };
  switch (job.state) {
    case 'queued':
      if (job.round) {
        const status = { state: 'pending' as const, description: `retrying (round ${job.round.number}) after: ${job.round.after ?? 'a failed run'}` };
        return { status, level: 'warn', message: `sync job ${job.id} runs again (round ${job.round.number}) after: ${job.round.after ?? 'a failed run'}`, retry: { disposition: 'waiting', afterMs: 2_000 } };
      }
      return { status: applying, level: 'info', message: `sync job ${job.id} is ${job.state}`, retry: { disposition: 'waiting', afterMs: 2_000 } };
    case 'active':
      // The queue's settle event normally starts the next cycle; this is the fallback.
      return { status: applying, level: 'info', message: `sync job ${job.id} is ${job.state}`, retry: { disposition: 'waiting', afterMs: 2_000 } };
    case 'failed':
      return { status: { state: 'error', description: `job failed: ${job.reason}` }, level: 'error', message: `sync job ${job.id} failed without a result: ${job.reason}` };
    case 'settled': {
      const { result } = job;
      if (result.kind === 'failed') {
        const { error } = result;
        return {
          status: { state: error.disposition === 'stalled' ? 'failure' : 'error', description: `${error.code}: ${error.message}` },
          level: error.disposition === 'stalled' ? 'error' : 'warn',
          message: `sync job ${job.id} failed (${error.name}/${error.code}): ${error.message}`,
        };
      }
      // Applied (the cluster changed again since) or superseded (a newer revision came between).
      return { status: applying, level: 'info', message: `sync job ${job.id} already ${result.kind}` };
    }
  }
}

/** `applied 3, deleted 1`: the steps of a job that took effect. */
export function describeApplied(results: readonly StepResult[]): string {
  const n = (a: string) => results.filter((r) => r.action === a && r.outcome === 'ok').length;
  return `applied ${n('create') + n('update')}, deleted ${n('delete')}`;
}

function countSteps(steps: readonly { action: string }[]): string {
  const n = (a: string) => steps.filter((s) => s.action === a).length;
  return `${n('create')} to create, ${n('update')} to update, ${n('delete')} to delete`;
}
