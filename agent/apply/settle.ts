// The one place the worker's pipeline outcome becomes what the queue keeps: the job's result (read
// by the controller for the commit status) or a retry, plus the log line. Pure.
import { ExecutorError, type SerializedError } from '../domain/errors.js';
import type { ApplyResult } from '../domain/job.js';
import { displayKey } from '../domain/resource.js';
import type { StepResult } from '../domain/state.js';

/** Either the job is done (its result is stored with it) or it runs again after a backoff. */
export type Settled = { readonly result: ApplyResult } | { readonly retry: SerializedError };

export interface Settlement {
  readonly settled: Settled;
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  /** Label of the sync-duration metric. */
  readonly outcome: 'applied' | 'skipped' | 'failed' | 'retry';
}

/**
 * A failure is final when it is stalled (needs a new commit, new RBAC, a matching image) or the
 * retry budget is spent; a transient or waiting one runs again.
 */
export function settle(input: { readonly outcome: ApplyResult; readonly lastAttempt: boolean }): Settlement {
  const { outcome } = input;
  switch (outcome.kind) {
    case 'superseded':
      return { settled: { result: outcome }, level: 'info', message: `skipped: superseded by ${outcome.latest}`, outcome: 'skipped' };
    case 'applied': {
      const deleted = outcome.results.filter((r) => r.action === 'delete').length;
      return { settled: { result: outcome }, level: 'info', message: `plan applied and verified (${outcome.results.length - deleted} applied, ${deleted} deleted)`, outcome: 'applied' };
    }
    case 'failed': {
      const final = outcome.error.disposition === 'stalled' || input.lastAttempt;
      return final
        ? { settled: { result: outcome }, level: 'error', message: `apply failed: ${outcome.error.message}`, outcome: 'failed' }
        : { settled: { retry: outcome.error }, level: 'warn', message: `apply failed, retrying: ${outcome.error.message}`, outcome: 'retry' };
    }
  }
}

/** Invalid or forbidden needs a new commit or new RBAC; conflicts and blips pass with a retry. */
export function resultsError(failed: readonly StepResult[]): SerializedError {
  const stalled = failed.find((r) => r.outcome === 'invalid' || r.outcome === 'forbidden');
  const first = stalled ?? failed.find((r) => r.outcome !== 'not-run') ?? failed[0];
  const others = failed.filter((r) => r.outcome !== 'not-run').length - 1;
  // The code names the outcome; the message says which resource and what the API said.
  const message = first ? `${displayKey(first.key)}: ${first.message}${others > 0 ? ` (and ${others} more)` : ''}` : 'apply failed';
  return new ExecutorError(message, { code: first?.outcome ?? 'executor', disposition: stalled ? 'stalled' : 'transient' }).toJSON();
}
