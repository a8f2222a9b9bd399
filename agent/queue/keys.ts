// Redis key layout of one cluster's queue. Every key shares the `{calico-gitops:<cluster>}` hash
// tag, so all of them land in one Redis Cluster slot (BullMQ's Lua scripts need that).

/** BullMQ queue name inside the prefix; queue names may not contain `:`. */
export const QUEUE_NAME = 'jobs';
/** A second queue under the same prefix for the controller's periodic resync tick. */
export const RESYNC_QUEUE_NAME = 'resync';

export function queuePrefix(cluster: string): string {
  return `{calico-gitops:${cluster}}`;
}

export function latestRevisionKey(prefix: string): string {
  return `${prefix}:latest-revision`;
}

/** BullMQ job ids may not contain `:` nor be all digits. */
function idPart(value: string): string {
  return value.replace(/[^A-Za-z0-9._-]/g, '-');
}

/** `sync-<cluster>-<sha>-<planid>`: the same plan for the same commit is the same job. */
export function syncJobId(input: { cluster: string; revision: string; planId: string }): string {
  return `sync-${idPart(input.cluster)}-${idPart(input.revision)}-${idPart(input.planId)}`;
}

export function healJobId(input: { cluster: string; planId: string }): string {
  return `heal-${idPart(input.cluster)}-${idPart(input.planId)}`;
}

export function uninstallJobId(input: { cluster: string; planId: string }): string {
  return `uninstall-${idPart(input.cluster)}-${idPart(input.planId)}`;
}
