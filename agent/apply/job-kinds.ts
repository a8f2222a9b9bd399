// The kinds of job the worker runs and how each one reads its data. Every kind goes through the
// same pipeline (pipeline.ts); a new kind (heal, uninstall, rollback) is one more entry here, a
// data type in JobDataByKind, and an enqueue function on the queue.
import type { Plan } from '../domain/state.js';

export interface SyncJobData {
  readonly plan: Plan;
  readonly revision: string;
  readonly author: string;
}

export interface JobDataByKind {
  readonly sync: SyncJobData;
}

export type JobKind = keyof JobDataByKind;

/** What the pipeline applies, for which revision, on whose behalf. */
export interface ApplyTarget {
  readonly plan: Plan;
  readonly revision: string;
  /** Recorded in the audit stream. */
  readonly author: string;
  /** Skipped once a newer revision is known (applying it would undo the newer one). */
  readonly supersedable: boolean;
}

export interface JobKindSpec<D> {
  read(data: D): ApplyTarget;
}

export const JOB_KINDS: { readonly [K in JobKind]: JobKindSpec<JobDataByKind[K]> } = {
  sync: { read: (d) => ({ plan: d.plan, revision: d.revision, author: d.author, supersedable: true }) },
};

export function isJobKind(name: string): name is JobKind {
  return Object.hasOwn(JOB_KINDS, name);
}

/** The target of a job of any kind (the data was written by the producer of that kind). */
export function targetOf(kind: JobKind, data: unknown): ApplyTarget {
  const spec = JOB_KINDS[kind] as JobKindSpec<unknown>;
  return spec.read(data);
}
