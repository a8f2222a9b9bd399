// The worker half of the data flow for one job: skip superseded → execute → audit → verify, as a
// list of steps that each either pass or end the job with an outcome; `settle` (settle.ts) is the
// only place that outcome becomes the job's result or a retry. The queue adapter only carries it.
import { ExecutorError, toSerializedError } from '../domain/errors.js';
import type { ApplyResult } from '../domain/job.js';
import { displayKey } from '../domain/resource.js';
import type { Clock, Logger } from '../domain/runtime.js';
import type { StepResult } from '../domain/state.js';
import { auditEntries } from './audit.js';
import { isJobKind, targetOf, type ApplyTarget } from './job-kinds.js';
import type { ApplyMetrics, AuditSink, ExecutorPort, VerifyPort } from './ports.js';
import { resultsError, settle, type Settled } from './settle.js';

export interface ApplyDeps {
  readonly executor: ExecutorPort;
  readonly verifier: VerifyPort;
  readonly audit: AuditSink;
  /** The newest revision the controller has seen. */
  readonly latestRevision: () => Promise<string | undefined>;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly verifyTimeoutMs: number;
  readonly metrics?: ApplyMetrics;
  /** Records a sync's revision as applied and verified (drift is measured against it). */
  readonly markApplied?: (revision: string) => Promise<void>;
}

/** One job as the queue hands it over. */
export interface ApplyJob {
  readonly id: string;
  /** The job kind (job-kinds.ts); anything else fails the job for good. */
  readonly name: string;
  readonly data: unknown;
  /** 1 for the first try. */
  readonly attempt: number;
  /** Tries allowed, the first included. */
  readonly attempts: number;
  /** This run of the job (its attempts share it; a later run of the same id does not). */
  readonly run: string;
}

interface Run {
  readonly job: ApplyJob;
  readonly target: ApplyTarget;
  readonly deps: ApplyDeps;
  readonly log: Logger;
  readonly signal?: AbortSignal;
  results: readonly StepResult[];
}

interface Step {
  readonly name: string;
  /** An outcome ends the job; undefined passes to the next step. */
  run(run: Run): Promise<ApplyResult | undefined>;
}

export const APPLY_STEPS: readonly Step[] = [
  {
    name: 'skip-superseded',
    run: async ({ target, deps }) => {
      if (!target.supersedable) return undefined;
      const latest = await deps.latestRevision();
      return latest !== undefined && latest !== target.revision ? { kind: 'superseded', latest } : undefined;
    },
  },
  {
    name: 'execute',
    run: async (r) => {
      const steps = r.target.plan.steps;
      r.log.info({ steps: steps.length, attempt: r.job.attempt }, 'applying plan');
      try {
        r.results = steps.length === 0 ? [] : await r.deps.executor.execute({ steps, jobId: r.job.id, ...(r.signal ? { signal: r.signal } : {}) });
        return undefined;
      } catch (err) {
        return { kind: 'failed', error: toSerializedError(err), results: [] };
      }
    },
  },
  {
    name: 'audit',
    run: async (r) => {
      const { plan, revision, author, subject, rollbackOf, heal } = r.target;
      // A retry applies the whole plan again: what an earlier attempt of this run already recorded
      // is not a new change, so each change is recorded once however many attempts it took.
      const entries = auditEntries({
        steps: plan.steps,
        results: r.results,
        revision,
        author,
        jobId: r.job.id,
        time: r.deps.clock.now().toISOString(),
        ...(subject ? { subject } : {}),
        ...(heal ? { heal } : {}),
        ...(rollbackOf ? { rollbackOf } : {}),
      });
      await r.deps.audit.append(entries, { once: r.job.run });
      for (const result of r.results) r.deps.metrics?.stepOutcomes.inc({ action: result.action, outcome: result.outcome });
      return undefined;
    },
  },
  {
    name: 'check-results',
    run: async ({ results }) => {
      const failed = results.filter((x) => x.outcome !== 'ok');
      return failed.length > 0 ? { kind: 'failed', error: resultsError(failed), results } : undefined;
    },
  },
  {
    name: 'verify',
    run: async ({ target, deps, signal, results }) => {
      const verified = await deps.verifier.verify({ steps: target.plan.steps, timeoutMs: deps.verifyTimeoutMs, ...(signal ? { signal } : {}) });
      if (verified.ok) return undefined;
      const shown = verified.differing.slice(0, 3).map((d) => `${displayKey(d.key)} (${d.message})`).join('; ');
      const more = verified.differing.length > 3 ? ` and ${verified.differing.length - 3} more` : '';
      const error = new ExecutorError(`applied, but the live state does not show it yet: ${shown}${more}`, { code: 'verify-timeout' }).toJSON();
      return { kind: 'failed', error, results };
    },
  },
];

/** Runs one job through the steps and settles it. Throws only when Redis (audit, revision) fails. */
export async function runApply(input: { readonly job: ApplyJob; readonly deps: ApplyDeps; readonly signal?: AbortSignal }): Promise<Settled> {
  const { job, deps } = input;
  const log = deps.logger.child({ jobId: job.id, kind: job.name });
  if (!isJobKind(job.name)) {
    const error = new ExecutorError(`unknown job kind ${job.name}: a newer controller than this worker?`, { code: 'unknown-job-kind', disposition: 'stalled' }).toJSON();
    log.error({ code: error.code }, error.message);
    return { result: { kind: 'failed', error, results: [] } };
  }
  const target = targetOf(job.name, job.data);
  const run: Run = { job, target, deps, log: log.child({ revision: target.revision, planId: target.plan.id }), results: [], ...(input.signal ? { signal: input.signal } : {}) };
  const end = deps.metrics?.syncDuration.startTimer();
  let outcome: ApplyResult | undefined;
  try {
    for (const step of APPLY_STEPS) {
      outcome = await step.run(run);
      if (outcome) break;
    }
  } catch (err) {
    end?.({ outcome: 'retry' });
    throw err;
  }
  const settlement = settle({ outcome: outcome ?? { kind: 'applied', results: run.results, skipped: target.plan.skipped }, lastAttempt: job.attempt >= job.attempts });
  end?.({ outcome: settlement.outcome });
  const result = 'result' in settlement.settled ? settlement.settled.result : undefined;
  // Before the job completes, so the leader never sees it done while the applied revision is old.
  if (result?.kind === 'applied' && job.name === 'sync') await deps.markApplied?.(target.revision);
  if (result?.kind === 'applied' && result.skipped.length === 0) {
    deps.metrics?.lastAppliedRevision.reset();
    deps.metrics?.lastAppliedRevision.set({ revision: target.revision }, 1);
  }
  const error = result?.kind === 'failed' ? result.error : 'retry' in settlement.settled ? settlement.settled.retry : undefined;
  run.log[settlement.level](error ? { code: error.code, disposition: error.disposition } : {}, settlement.message);
  return settlement.settled;
}
