// The job processors: skip superseded revisions, execute, verify, report. Errors become
// dispositions here and nowhere else in the worker: stalled → UnrecoverableError (no retry),
// transient / waiting → thrown as is so BullMQ retries with backoff.
import { UnrecoverableError, type Job } from 'bullmq';
import { ExecutorError, toSerializedError, type SerializedError } from '../domain/errors.js';
import { displayKey } from '../domain/resource.js';
import type { Clock, Logger } from '../domain/runtime.js';
import type { Plan, PlanStep, StepResult } from '../domain/state.js';
import type { HealJobData, JobKind, JobOutcome, SyncJobData, UninstallJobData } from './jobs.js';
import type { ApplyReporter, AuditEntry, AuditSink, ExecutorPort, VerifyPort } from './ports.js';

/** The part of a BullMQ job the processors read. */
export type JobLike<D> = Pick<Job<D>, 'id' | 'name' | 'data' | 'attemptsMade' | 'opts'>;

export interface ProcessDeps {
  readonly executor: ExecutorPort;
  readonly verifier: VerifyPort;
  readonly reporter: ApplyReporter;
  readonly audit: AuditSink;
  /** The newest revision the controller has seen (`<prefix>:latest-revision`). */
  readonly latestRevision: () => Promise<string | undefined>;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly verifyTimeoutMs: number;
}

export interface ProcessInput<D> extends ProcessDeps {
  readonly job: JobLike<D>;
  readonly signal?: AbortSignal;
}

export function processSync(input: ProcessInput<SyncJobData>): Promise<JobOutcome> {
  const { plan, revision, author } = input.job.data;
  return runPlan({ ...input, kind: 'sync', plan, revision, author, supersedable: true });
}

/** A heal restores the applied revision; once a newer one is known it is superseded too. */
export function processHeal(input: ProcessInput<HealJobData>): Promise<JobOutcome> {
  const { plan, revision } = input.job.data;
  return runPlan({ ...input, kind: 'heal', plan, revision, author: 'calico-gitops (self-heal)', supersedable: true });
}

export function processUninstall(input: ProcessInput<UninstallJobData>): Promise<JobOutcome> {
  const { plan, requestedBy } = input.job.data;
  return runPlan({ ...input, kind: 'uninstall', plan, revision: plan.revision, author: requestedBy ?? 'calico-gitops uninstall', supersedable: false });
}

interface RunInput extends ProcessInput<unknown> {
  readonly kind: JobKind;
  readonly plan: Plan;
  readonly revision: string;
  readonly author: string;
  readonly supersedable: boolean;
}

async function runPlan(input: RunInput): Promise<JobOutcome> {
  const jobId = input.job.id ?? 'unknown';
  const { plan, revision, kind } = input;
  const log = input.logger.child({ revision, planId: plan.id, jobId, kind });
  const lastAttempt = input.job.attemptsMade + 1 >= (input.job.opts.attempts ?? 1);

  if (input.supersedable) {
    const latest = await input.latestRevision();
    if (latest !== undefined && latest !== revision) {
      log.info({ latest }, 'skipped: a newer revision is known');
      return { skipped: `superseded by ${latest}` };
    }
  }
  if (plan.held) {
    log.warn({ reason: plan.held.reason }, 'skipped: the plan is held');
    return { skipped: `held: ${plan.held.message}` };
  }

  const report = { kind, revision, planId: plan.id, jobId, skipped: plan.skipped };
  const fail = async (error: SerializedError, results: readonly StepResult[], final: boolean): Promise<never> => {
    if (final) await input.reporter.failed({ ...report, results, error });
    log.warn({ code: error.code, disposition: error.disposition, final }, `apply failed: ${error.message}`);
    if (error.disposition === 'stalled') throw new UnrecoverableError(`${error.code}: ${error.message}`);
    throw new ExecutorError(error.message, { code: error.code, disposition: error.disposition });
  };

  log.info({ steps: plan.steps.length, attempt: input.job.attemptsMade + 1 }, 'applying plan');
  let results: readonly StepResult[];
  try {
    results = plan.steps.length === 0 ? [] : await input.executor.execute({ steps: plan.steps, jobId, ...(input.signal ? { signal: input.signal } : {}) });
  } catch (err) {
    const error = toSerializedError(err);
    return fail(error, [], error.disposition === 'stalled' || lastAttempt);
  }
  await input.audit.record(auditEntries({ ...input, jobId, results }));

  const failed = results.filter((r) => r.outcome !== 'ok');
  if (failed.length > 0) {
    const error = resultsError(failed);
    return fail(error, results, error.disposition === 'stalled' || lastAttempt);
  }

  const verified = await input.verifier.verify({ steps: plan.steps, timeoutMs: input.verifyTimeoutMs, ...(input.signal ? { signal: input.signal } : {}) });
  if (!verified.ok) {
    const shown = verified.differing.slice(0, 3).map((d) => `${displayKey(d.key)} (${d.message})`).join('; ');
    const more = verified.differing.length > 3 ? ` and ${verified.differing.length - 3} more` : '';
    const error = new ExecutorError(`applied, but the live state does not show it yet: ${shown}${more}`, { code: 'verify-timeout' }).toJSON();
    return fail(error, results, lastAttempt);
  }

  await input.reporter.applied({ ...report, results });
  const deleted = results.filter((r) => r.action === 'delete').length;
  log.info({ applied: results.length - deleted, deleted }, 'plan applied and verified');
  return { applied: results.length - deleted, deleted, results };
}

/** Invalid or forbidden needs a new commit or new RBAC; conflicts and blips pass with a retry. */
export function resultsError(failed: readonly StepResult[]): SerializedError {
  const stalled = failed.find((r) => r.outcome === 'invalid' || r.outcome === 'forbidden');
  const first = stalled ?? failed.find((r) => r.outcome !== 'not-run') ?? failed[0];
  const others = failed.filter((r) => r.outcome !== 'not-run').length - 1;
  const message = first
    ? `${first.outcome}: ${displayKey(first.key)}: ${first.message}${others > 0 ? ` (and ${others} more)` : ''}`
    : 'apply failed';
  return new ExecutorError(message, { code: first?.outcome ?? 'executor', disposition: stalled ? 'stalled' : 'transient' }).toJSON();
}

function auditEntries(input: RunInput & { jobId: string; results: readonly StepResult[] }): AuditEntry[] {
  const steps = new Map<string, PlanStep>(input.plan.steps.map((s) => [`${s.action}:${s.key}`, s]));
  const time = input.clock.now().toISOString();
  return input.results.flatMap((r) => {
    const step = steps.get(`${r.action}:${r.key}`);
    if (!step || r.outcome === 'not-run') return [];
    return [{
      time,
      kind: input.kind,
      revision: input.revision,
      author: input.author,
      jobId: input.jobId,
      action: r.action,
      resource: r.key,
      kindId: step.kindId,
      ...(r.action === 'delete' ? { beforeHash: step.hash } : { afterHash: step.hash }),
      outcome: r.outcome,
      message: r.message,
    }];
  });
}
