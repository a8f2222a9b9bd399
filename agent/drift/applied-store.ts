// The applied revision and its desired state in Redis, so any leader (a new one too) knows what
// the cluster was last made to match. The controller stores a revision's desired state when it
// plans it; the worker marks the revision applied once a sync job is applied and verified.
import type { Cluster, Redis } from 'ioredis';
import type { DesiredResource, ResourceKey } from '../domain/resource.js';
import type { DesiredState } from '../domain/state.js';
import { redisKeys, type KeyPrefix } from '../queue/keys.js';
import type { AppliedState } from './types.js';

/** A revision's desired state is kept this long after it was last planned or applied. */
const DESIRED_TTL_SECONDS = 30 * 86_400;

export interface AppliedStore {
  /** Stores what a revision asks for (before its sync job is queued, or when found in sync). */
  saveDesired(revision: string, desired: DesiredState): Promise<void>;
  markApplied(revision: string): Promise<void>;
  appliedRevision(): Promise<string | undefined>;
  /** The applied revision with its desired state; undefined before the first apply. */
  load(): Promise<AppliedState | undefined>;
}

export function redisAppliedStore(redis: Redis | Cluster, prefix: KeyPrefix): AppliedStore {
  let cached: AppliedState | undefined;
  let savedRevision: string | undefined;
  return {
    saveDesired: async (revision, desired) => {
      if (savedRevision === revision) return;
      const resources = [...desired.resources.values()];
      await redis.set(redisKeys.desired(prefix, revision), JSON.stringify(resources), 'EX', DESIRED_TTL_SECONDS);
      savedRevision = revision;
    },
    markApplied: async (revision) => {
      await redis.multi().set(redisKeys.appliedRevision(prefix), revision).expire(redisKeys.desired(prefix, revision), DESIRED_TTL_SECONDS).exec();
    },
    appliedRevision: async () => (await redis.get(redisKeys.appliedRevision(prefix))) ?? undefined,
    load: async () => {
      const revision = await redis.get(redisKeys.appliedRevision(prefix));
      if (!revision) return undefined;
      if (cached?.revision === revision) return cached;
      const raw = await redis.get(redisKeys.desired(prefix, revision));
      if (!raw) return undefined;
      const list = JSON.parse(raw) as DesiredResource[];
      cached = { revision, resources: new Map(list.map((r) => [r.key as ResourceKey, r])) };
      return cached;
    },
  };
}
