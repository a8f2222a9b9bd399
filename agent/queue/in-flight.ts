// Which resources queued or running jobs are about to write (or are verifying), and for which
// revisions: the drift check leaves them alone, since that is our own executor at work.
import type { Queue } from 'bullmq';
import type { ResourceKey } from '../domain/resource.js';

const UNFINISHED = ['active', 'waiting', 'delayed', 'prioritized', 'waiting-children'] as const;

export interface InFlightJobs {
  readonly keys: ReadonlySet<ResourceKey>;
  readonly revisions: ReadonlySet<string>;
}

export async function inFlightJobs(queue: Pick<Queue, 'getJobCounts' | 'getJobs'>): Promise<InFlightJobs> {
  const counts = await queue.getJobCounts(...UNFINISHED);
  const keys = new Set<ResourceKey>();
  const revisions = new Set<string>();
  // Most checks find an idle queue: one cheap count, no job bodies read.
  if (Object.values(counts).every((n) => n === 0)) return { keys, revisions };
  for (const job of await queue.getJobs([...UNFINISHED])) {
    const data = (job?.data ?? {}) as { revision?: unknown; plan?: { steps?: readonly { key?: unknown }[] } };
    if (typeof data.revision === 'string' && job?.name === 'sync') revisions.add(data.revision);
    for (const step of data.plan?.steps ?? []) if (typeof step.key === 'string') keys.add(step.key as ResourceKey);
  }
  return { keys, revisions };
}
