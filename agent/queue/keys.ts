// Redis key layout of one cluster's queue. Every key shares the `{calico-gitops:<cluster>}` hash
// tag, so all of them land in one Redis Cluster slot (BullMQ's Lua scripts need that).

/** BullMQ queue name inside the prefix; queue names may not contain `:`. */
export const QUEUE_NAME = 'jobs';

export function queuePrefix(cluster: string): string {
  return `{calico-gitops:${cluster}}`;
}

export function latestRevisionKey(prefix: string): string {
  return `${prefix}:latest-revision`;
}

/** The id of the last job enqueued for a revision (the commit status reads its result). */
export function revisionJobKey(prefix: string, revision: string): string {
  return `${prefix}:revision-job:${revision}`;
}

/** BullMQ job ids may not contain `:` nor be all digits. */
function idPart(value: string): string {
  return value.replace(/[^A-Za-z0-9._-]/g, '-');
}

/** `sync-<cluster>-<sha>-<planid>`: the same plan for the same commit is the same job. */
export function syncJobId(input: { cluster: string; revision: string; planId: string }): string {
  return `sync-${idPart(input.cluster)}-${idPart(input.revision)}-${idPart(input.planId)}`;
}

/** Marks a revision as approved despite the delete budget (`calico-gitops approve <sha>`). */
export function approvalKey(prefix: string, revision: string): string {
  return `${prefix}:approved:${revision}`;
}
