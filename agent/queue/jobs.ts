// What travels through the queue. Plain JSON: plans are recomputable from Git and the cluster,
// so a lost job costs a resync, never a wrong apply.
import type { Plan, StepResult } from '../domain/state.js';

export const JOB_KINDS = ['sync', 'heal', 'uninstall'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export interface SyncJobData {
  readonly plan: Plan;
  readonly revision: string;
  readonly author: string;
}

/** Drift repair: a plan that restores the applied revision. */
export interface HealJobData {
  readonly plan: Plan;
  readonly revision: string;
  /** Why the heal was queued (which resources drifted), for logs and audit. */
  readonly reason?: string;
}

/** Removes every owned resource; the plan holds only deletes. */
export interface UninstallJobData {
  readonly plan: Plan;
  readonly requestedBy?: string;
}

export interface JobDataByKind {
  readonly sync: SyncJobData;
  readonly heal: HealJobData;
  readonly uninstall: UninstallJobData;
}

export type JobOutcome =
  | { readonly skipped: string }
  | { readonly applied: number; readonly deleted: number; readonly results: readonly StepResult[] };
