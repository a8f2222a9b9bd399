// The kinds of job the worker runs and how each one reads its data. Every kind goes through the
// same pipeline (pipeline.ts); a new kind (heal, uninstall, rollback) is one more entry here, a
// data type in JobDataByKind, and an enqueue function on the queue.
import type { ResourceKey } from '../domain/resource.js';
import type { Plan } from '../domain/state.js';

export interface SyncJobData {
  readonly plan: Plan;
  readonly revision: string;
  readonly author: string;
  /** First line of the commit message, for the audit. */
  readonly subject?: string;
  /** The commits this revision reverts (its `Calico-GitOps-Rollback-Of` trailer): audited as `rollback`. */
  readonly rollbackOf?: readonly string[];
}

/** One drifted resource a heal restores: who changed it, and the hash it had. */
export interface HealItem {
  readonly key: ResourceKey;
  readonly fieldManager?: string;
  readonly beforeHash?: string;
}

/** Drift repair: a plan that restores the applied revision for the drifted resources. */
export interface HealJobData {
  readonly plan: Plan;
  readonly revision: string;
  readonly drift: readonly HealItem[];
  /** When the drift was seen (ms): the same repair needed again later is a new job. */
  readonly detectedAt: number;
}

export interface JobDataByKind {
  readonly sync: SyncJobData;
  readonly heal: HealJobData;
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
  /** Set for heals: the audit records action `heal`, who drifted each resource and its hash before. */
  readonly heal?: readonly HealItem[];
  /** First line of the commit message, for the audit. */
  readonly subject?: string;
  /** Set for rollbacks: the audit records action `rollback` naming these commits. */
  readonly rollbackOf?: readonly string[];
}

export interface JobKindSpec<D> {
  read(data: D): ApplyTarget;
}

export const JOB_KINDS: { readonly [K in JobKind]: JobKindSpec<JobDataByKind[K]> } = {
  sync: {
    read: (d) => ({
      plan: d.plan,
      revision: d.revision,
      author: d.author,
      supersedable: true,
      ...(d.subject ? { subject: d.subject } : {}),
      ...(d.rollbackOf && d.rollbackOf.length > 0 ? { rollbackOf: d.rollbackOf } : {}),
    }),
  },
  // A heal restores the applied revision; once a newer one is known the sync of that one does it.
  heal: { read: (d) => ({ plan: d.plan, revision: d.revision, author: 'calico-gitops (self-heal)', supersedable: true, heal: d.drift }) },
};

export function isJobKind(name: string): name is JobKind {
  return Object.hasOwn(JOB_KINDS, name);
}

/** The target of a job of any kind (the data was written by the producer of that kind). */
export function targetOf(kind: JobKind, data: unknown): ApplyTarget {
  const spec = JOB_KINDS[kind] as JobKindSpec<unknown>;
  return spec.read(data);
}
