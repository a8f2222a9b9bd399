// What the controller cycle needs from the adapters; declared here, implemented in agent/source,
// agent/live, agent/queue and agent/report, composed in agent/cli.
import type { DesiredResult } from '../desired/index.js';
import type { Issues } from '../domain/issue.js';
import type { JobState } from '../domain/job.js';
import type { LiveResource, LiveView, Plan, Snapshot } from '../domain/state.js';

export interface SourcePort {
  /** Fetches when the remote moved; returns the newest snapshot (the cached one when unchanged). */
  latest(): Promise<{ snapshot: Snapshot; forcePush: boolean }>;
  /** The snapshot `latest` returned last, without asking the remote; undefined before the first. */
  current?(): { snapshot: Snapshot; forcePush: boolean } | undefined;
}

export interface LivePort extends LiveView {
  /** Resolves true once synced, false when the timeout passes first. */
  waitForSync(timeoutMs: number): Promise<boolean>;
}

export interface EnqueueResult {
  readonly jobId: string;
  /** False when a job with this id already existed (a repeated poll). */
  readonly created: boolean;
}

export interface QueuePort {
  /**
   * True while a job is being applied, or one for this revision still waits: planning then would
   * read a half-applied cluster and enqueue the same changes again.
   */
  busy(revision: string): Promise<boolean>;
  /** Marks the newest revision so that workers skip superseded jobs. */
  setLatestRevision(revision: string): Promise<void>;
  enqueueSync(input: { plan: Plan; revision: string; author: string; subject?: string; rollbackOf?: readonly string[] }): Promise<EnqueueResult>;
  /** A job's state and, once settled, its result; undefined when the queue does not hold it. */
  job(jobId: string): Promise<JobState | undefined>;
  /**
   * The last job enqueued for a revision. Undefined when none was needed, or it was lost (a Redis
   * restart without persistence): the status then says what the cluster shows.
   */
  jobOf(revision: string): Promise<JobState | undefined>;
  /** The last revision a sync job applied and verified (absent: drift is not tracked). */
  appliedRevision?(): Promise<string | undefined>;
}

export type { StatusKind, StatusState } from '../report/commit-status.js';
import type { StatusKind, StatusState } from '../report/commit-status.js';

export interface StatusPort {
  post(input: { sha: string; kind: StatusKind; state: StatusState; description: string; targetUrl?: string }): Promise<void>;
}

/** The pure stages, passed in so the cycle stays a thin composition. */
export interface Stages {
  buildDesired(snapshot: Snapshot): DesiredResult;
  buildPlan(input: { snapshot: Snapshot; desired: DesiredResult['state']; live: LiveView; approved: boolean }): Plan;
}

/** Checks a revision's declared intents against the cluster's workloads (connectivity analysis). */
export interface IntentsPort {
  check(input: { snapshot: Snapshot; desired: DesiredResult['state'] }): Promise<Issues>;
}

/** What a revision does to traffic, as its impact status shows it. */
export type ImpactAssessment =
  | { readonly ok: true; readonly description: string; readonly intentsViolated: number; readonly url?: string }
  | { readonly ok: false; readonly message: string };

/**
 * The connectivity impact of a revision on the cluster's live workloads. Computed when the
 * revision is first planned (against the policies the cluster runs before it) and kept: once
 * applied, a fresh diff would be empty. It decides nothing (the intents check is the gate), so
 * the cycle runs it after the sync job is enqueued, from the live resources it read before.
 */
export interface ImpactPort {
  assess(input: {
    snapshot: Snapshot;
    desired: DesiredResult['state'];
    /** The live resources before this revision's job was enqueued. */
    live: readonly LiveResource[];
    intents?: Issues;
  }): Promise<ImpactAssessment>;
}
