// One reconcile cycle: fetch source → build desired → await live sync → plan → enqueue.
// A pipeline of small steps that stops at the first problem (Flux source-controller style);
// `summarize` (summarize.ts) is the only place an outcome becomes a status, a log line or a retry.
import { CacheNotSyncedError, toSerializedError, type SerializedError } from '../domain/errors.js';
import type { Issue } from '../domain/issue.js';
import type { JobState } from '../domain/job.js';
import type { Logger } from '../domain/runtime.js';
import { parseRollbackTrailer } from '../domain/rollback-trailer.js';
import type { LiveResource, Plan, Snapshot } from '../domain/state.js';
import type { ImpactAssessment, ImpactPort, IntentsPort, LivePort, QueuePort, SourcePort, Stages } from './ports.js';

export type CycleOutcome = (
  | { readonly kind: 'invalid'; readonly snapshot: Snapshot; readonly errors: readonly Issue[]; readonly resources: number }
  | {
      readonly kind: 'in-sync';
      readonly snapshot: Snapshot;
      readonly plan: Plan;
      readonly resources: number;
      /** The job that brought the cluster here, when this revision needed one. */
      readonly job?: JobState;
      readonly warnings?: readonly Issue[];
    }
  | { readonly kind: 'held'; readonly snapshot: Snapshot; readonly plan: Plan; readonly resources: number; readonly warnings?: readonly Issue[] }
  | {
      readonly kind: 'enqueued';
      readonly snapshot: Snapshot;
      readonly plan: Plan;
      readonly resources: number;
      readonly created: boolean;
      /** The job of this plan as the queue holds it (a repeated poll finds it running or settled). */
      readonly job: JobState;
      readonly warnings?: readonly Issue[];
    }
  | {
      /** The revision was applied and verified, and the cluster no longer matches it: drift, not a sync. */
      readonly kind: 'drifted';
      readonly snapshot: Snapshot;
      readonly plan: Plan;
      readonly resources: number;
      readonly warnings?: readonly Issue[];
      readonly job?: JobState;
    }
  /** Sync is paused (`calico-gitops uninstall`): the source is read, nothing is planned or enqueued. */
  | { readonly kind: 'paused' }
  | { readonly kind: 'busy'; readonly snapshot: Snapshot; readonly resources: number; readonly warnings?: readonly Issue[] }
  | { readonly kind: 'failed'; readonly snapshot?: Snapshot; readonly stage: CycleStage; readonly error: SerializedError }
) & {
  /** The revision's connectivity impact, once the cycle got far enough to know it. */
  readonly impact?: ImpactAssessment;
};

export type CycleStage = 'source' | 'desired' | 'live' | 'plan' | 'queue';

export interface CycleDeps {
  readonly source: SourcePort;
  readonly live: LivePort;
  readonly queue: QueuePort;
  readonly stages: Stages;
  readonly logger: Logger;
  /** How long to wait for the live cache before giving up on this cycle. */
  readonly liveSyncTimeoutMs: number;
  /** Operator approvals (`calico-gitops approve`), by revision. */
  readonly isApproved: (revision: string) => Promise<boolean>;
  /** Declared intents; a violated one makes the revision invalid before anything is planned. */
  readonly intents?: IntentsPort;
  /** The connectivity impact of the revision; absent: not computed. */
  readonly impact?: ImpactPort;
  /** True while sync is paused (`calico-gitops uninstall`): the cycle then plans and enqueues nothing. */
  readonly paused?: () => Promise<boolean>;
}

export async function runCycle(deps: CycleDeps, o: { fetch?: boolean } = {}): Promise<CycleOutcome> {
  let stage: CycleStage = 'source';
  let snapshot: Snapshot | undefined;
  try {
    // Before the read: the stages bench splits webhook → source read into what comes before the
    // cycle (HTTP, signature, a cycle in flight) and the read itself (GitSource.latest).
    deps.logger.debug({ fetch: o.fetch !== false }, 'cycle: started');
    // Without a fetch (a job settled) the revision read last is planned again, if there is one.
    const latest = (o.fetch === false ? deps.source.current?.() : undefined) ?? (await deps.source.latest());
    snapshot = latest.snapshot;
    const log = deps.logger.child({ revision: snapshot.revision });
    // History was rewritten: still apply the new head (Git is the source of truth), but say so.
    if (latest.forcePush) log.warn('force-push: the new revision does not descend from the previous one');
    // Stage marks at debug (their log times split webhook → enqueued in the stages bench).
    log.debug('cycle: source read');
    // Before anything is planned: an uninstall deleting what we own must not see it re-created.
    // Read after the fetch, so a Redis outage fails the cycle of a known revision (its status says so).
    stage = 'queue';
    if (deps.paused && (await deps.paused())) return { kind: 'paused' };

    stage = 'desired';
    const desired = deps.stages.buildDesired(snapshot);
    const resources = desired.state.resources.size;
    log.debug('cycle: desired built');
    if (desired.errors.length > 0) return { kind: 'invalid', snapshot, errors: desired.errors, resources };
    // A valid revision's warnings travel with every outcome, to its validate status and the log.
    let warnings = desired.warnings;

    stage = 'live';
    if (!(await deps.live.waitForSync(deps.liveSyncTimeoutMs))) {
      throw new CacheNotSyncedError(`live state not synced after ${Math.round(deps.liveSyncTimeoutMs / 1000)}s; nothing planned`);
    }
    log.debug('cycle: live synced');
    // The gate: a violated intent stops the revision here, before anything is planned or enqueued.
    const checked = snapshot.intents && deps.intents ? await deps.intents.check({ snapshot, desired: desired.state }) : undefined;
    const current = snapshot;
    // The impact decides nothing, so it is not on the way to the enqueue: it runs once the job is
    // enqueued, from the live resources as they were read before.
    const liveNow = (): readonly LiveResource[] => (deps.impact ? [...deps.live.list()] : []);
    const assess = async (live: readonly LiveResource[]): Promise<{ impact?: ImpactAssessment }> =>
      deps.impact ? { impact: await assessImpact(deps.impact, { snapshot: current, desired: desired.state, live, ...(checked ? { intents: checked } : {}) }) } : {};
    if (checked && checked.errors.length > 0) return { kind: 'invalid', snapshot, errors: checked.errors, resources, ...(await assess(liveNow())) };
    if (checked) warnings = [...warnings, ...checked.warnings];

    stage = 'queue';
    if (await deps.queue.busy(snapshot.revision)) return { kind: 'busy', snapshot, resources, ...(warnings.length > 0 ? { warnings } : {}) };
    // After the busy check (a half-applied cluster is not what this revision changes), and before
    // the enqueue (a worker may apply the job before the impact runs).
    const before = liveNow();
    const valid = { resources, ...(warnings.length > 0 ? { warnings } : {}) };

    stage = 'plan';
    const approved = await deps.isApproved(snapshot.revision);
    const plan = deps.stages.buildPlan({ snapshot, desired: desired.state, live: deps.live, approved });
    log.debug('cycle: plan built');
    if (plan.held) return { kind: 'held', snapshot, plan, ...valid, ...(await assess(before)) };

    stage = 'queue';
    // The newest revision, also when nothing is to be done for it (in sync, or drifted): workers
    // skip jobs of any other revision, and a heal toward this one must not be skipped as superseded.
    await deps.queue.setLatestRevision(snapshot.revision);
    if (plan.steps.length === 0) {
      const [job, impact] = await Promise.all([deps.queue.jobOf(snapshot.revision), assess(before)]);
      return { kind: 'in-sync', snapshot, plan, ...valid, ...impact, ...(job ? { job } : {}) };
    }
    // Re-applying the applied revision would hide a hand edit as an ordinary sync: the drift
    // monitor reports it and heals it (or leaves it reported with self-heal off).
    if (deps.queue.appliedRevision && (await deps.queue.appliedRevision()) === snapshot.revision) {
      const [job, impact] = await Promise.all([deps.queue.jobOf(snapshot.revision), assess(before)]);
      return { kind: 'drifted', snapshot, plan, ...valid, ...impact, ...(job ? { job } : {}) };
    }
    const rollbackOf = parseRollbackTrailer(snapshot.message);
    const subject = snapshot.message.split('\n')[0]?.trim();
    const { jobId, created } = await deps.queue.enqueueSync({
      plan,
      revision: snapshot.revision,
      author: snapshot.author,
      ...(subject ? { subject } : {}),
      ...(rollbackOf.length > 0 ? { rollbackOf } : {}),
    });
    log.debug({ planId: plan.id, jobId, created }, 'sync job enqueued');
    // Read back also when created: a new round of a failed plan waits, and the status says so.
    const [read, impact] = await Promise.all([deps.queue.job(jobId), assess(before)]);
    const job: JobState = read ?? { id: jobId, state: 'queued' };
    return { kind: 'enqueued', snapshot, plan, ...valid, ...impact, created, job };
  } catch (err) {
    return { kind: 'failed', stage, error: toSerializedError(err), ...(snapshot ? { snapshot } : {}) };
  }
}

/** The impact is extra information: failing to compute it never stops a revision. */
async function assessImpact(port: ImpactPort, input: Parameters<ImpactPort['assess']>[0]): Promise<ImpactAssessment> {
  try {
    return await port.assess(input);
  } catch (err) {
    return { ok: false, message: err instanceof Error ? (err.message.split('\n')[0] ?? err.name) : String(err) };
  }
}
