// Every Redis key the agent writes, built here and nowhere else. All of a cluster's keys start with
// its prefix `{calico-gitops:<cluster>}`, whose braces are a Redis Cluster hash tag: they all land
// in one slot (BullMQ's Lua scripts and MULTI need that). Only `queuePrefix` makes a KeyPrefix, and
// every key builder takes one, so a key without the tag cannot be built.

declare const keyPrefix: unique symbol;
/** `{calico-gitops:<cluster>}`; see queuePrefix. */
export type KeyPrefix = string & { readonly [keyPrefix]: true };

/** BullMQ queue name inside the prefix; queue names may not contain `:`. */
export const QUEUE_NAME = 'jobs';

export function queuePrefix(cluster: string): KeyPrefix {
  // A brace in the name would end the hash tag early (or start another): two clusters could share
  // keys, or one cluster's keys could spread over slots.
  if (/[{}]/.test(cluster)) throw new RangeError(`a cluster name may not contain { or } (got ${JSON.stringify(cluster)})`);
  return `{calico-gitops:${cluster}}` as KeyPrefix;
}

export const redisKeys = {
  /** The newest revision the controller has seen (workers skip older jobs). */
  latestRevision: (prefix: KeyPrefix): string => `${prefix}:latest-revision`,
  /** The id of the last job enqueued for a revision (the commit status reads its result). */
  revisionJob: (prefix: KeyPrefix, revision: string): string => `${prefix}:revision-job:${revision}`,
  /** Marks a revision as approved despite the delete budget (`calico-gitops approve <sha>`). */
  approval: (prefix: KeyPrefix, revision: string): string => `${prefix}:approved:${revision}`,
  /** The audit stream. */
  audit: (prefix: KeyPrefix): string => `${prefix}:audit`,
  /** What one run of a job already appended to the audit stream (so a retry does not repeat it). */
  audited: (prefix: KeyPrefix, run: string): string => `${prefix}:audited:${run}`,
  /** The commit statuses of one commit (hash: context → status). */
  statuses: (prefix: KeyPrefix, sha: string): string => `${prefix}:statuses:${sha}`,
  /** Commits with stored statuses, by time (sorted set), to cap how many are kept. */
  statusCommits: (prefix: KeyPrefix): string => `${prefix}:status-commits`,
  /** What was last sent to the forge per context of one commit (deduplication). */
  posted: (prefix: KeyPrefix, sha: string): string => `${prefix}:posted:${sha}`,
  /** The last revision a sync job applied and verified (drift is measured against it). */
  appliedRevision: (prefix: KeyPrefix): string => `${prefix}:applied-revision`,
  /** A revision's desired state, stored by the controller when it plans it. */
  desired: (prefix: KeyPrefix, revision: string): string => `${prefix}:desired:${revision}`,
  /** The leader's current drift (for `/status`, `calico-gitops status` and `drift`). */
  driftState: (prefix: KeyPrefix): string => `${prefix}:drift`,
  /** Set by `calico-gitops uninstall`: the leader plans nothing and heals nothing while it exists. */
  syncPaused: (prefix: KeyPrefix): string => `${prefix}:sync-paused`,
  /** `calico-gitops heal` asks the leader through this key. */
  healRequest: (prefix: KeyPrefix): string => `${prefix}:heal-request`,
  /** A planned revision's connectivity impact report (JSON, expiring), behind `/impact/<sha>`. */
  impactReport: (prefix: KeyPrefix, sha: string): string => `${prefix}:impact:${sha}`,
  /** Revisions with an impact report, by time (sorted set), to cap how many are kept. */
  impactCommits: (prefix: KeyPrefix): string => `${prefix}:impact-commits`,
} as const;

/** BullMQ job ids may not contain `:` nor be all digits. */
function idPart(value: string): string {
  return value.replace(/[^A-Za-z0-9._-]/g, '-');
}

/** `sync-<cluster>-<sha>-<planid>`: the same plan for the same commit is the same job. */
export function syncJobId(input: { cluster: string; revision: string; planId: string }): string {
  return `sync-${idPart(input.cluster)}-${idPart(input.revision)}-${idPart(input.planId)}`;
}

/** `heal-<cluster>-<planid>-<detectedAt>`: one repair per drift seen; a repeat of it is a new job. */
export function healJobId(input: { cluster: string; planId: string; detectedAt: number }): string {
  return `heal-${idPart(input.cluster)}-${idPart(input.planId)}-${input.detectedAt}`;
}
