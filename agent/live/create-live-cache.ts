// Composition: a LiveCache reading a real cluster through client-node.
import type { Clock, Logger } from '../domain/runtime.js';
import { systemClock } from '../domain/runtime.js';
import type { KubeClients } from '../kube/client.js';
import type { ClusterInfo } from '../kube/detect.js';
import { abortableSleep } from '../kube/leader-election.js';
import { desiredNormalizer } from './desired-normalizer.js';
import { LiveCache, type LiveCacheOptions } from './live-cache.js';
import type { Normalizer } from './normalizer.js';
import { liveSourcesFor } from './sources.js';
import { kubeTransport } from './transport.js';

export interface CreateLiveCacheOptions {
  readonly clients: KubeClients;
  readonly cluster: Pick<ClusterInfo, 'calicoVersion' | 'apiMode'>;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly normalizer?: Normalizer;
  readonly resyncIntervalMs?: number;
  readonly watchTimeoutSeconds?: number;
  readonly backoff?: LiveCacheOptions['backoff'];
  readonly random?: () => number;
}

/** Builds (does not start) a cache over every source the cluster has. */
export function createLiveCache(o: CreateLiveCacheOptions): LiveCache {
  return new LiveCache({
    transport: kubeTransport(o.clients),
    sources: liveSourcesFor(o.cluster),
    normalizer: o.normalizer ?? desiredNormalizer,
    logger: o.logger,
    clock: o.clock ?? systemClock,
    sleep: abortableSleep,
    random: o.random ?? Math.random,
    ...(o.backoff === undefined ? {} : { backoff: o.backoff }),
    ...(o.resyncIntervalMs === undefined ? {} : { resyncIntervalMs: o.resyncIntervalMs }),
    ...(o.watchTimeoutSeconds === undefined ? {} : { watchTimeoutSeconds: o.watchTimeoutSeconds }),
  });
}
