// The cluster's namespaces, pods and service accounts for the connectivity analysis, read from the
// core API (/api/v1) and trimmed to what the analysis reads (labels, service account, named
// ports, IPs, node). The agent keeps them by list+watch (WorkloadCache), so the intents gate and
// the impact read memory on every cycle instead of listing every pod; one-shot commands list once.
import type { Clock, Logger } from '../domain/runtime.js';
import { systemClock } from '../domain/runtime.js';
import type { KubeClients } from '../kube/client.js';
import { abortableSleep } from '../kube/leader-election.js';
import { KubeError } from '../domain/errors.js';
import { ListWatchCache, type CacheEntry, type ListWatchCacheOptions, type WatchedCollection } from './list-watch-cache.js';
import { kubeTransport, type LiveTransport } from './transport.js';

export interface WorkloadSource extends WatchedCollection {
  readonly kind: 'Namespace' | 'Pod' | 'ServiceAccount';
}

/** What the agent reads of the core API: exactly what its RBAC lists and watches (deploy/rbac-agent.yaml). */
export const WORKLOAD_SOURCES: readonly WorkloadSource[] = [
  { kind: 'Namespace', group: '', version: 'v1', plural: 'namespaces', label: 'v1 namespaces' },
  { kind: 'Pod', group: '', version: 'v1', plural: 'pods', label: 'v1 pods' },
  { kind: 'ServiceAccount', group: '', version: 'v1', plural: 'serviceaccounts', label: 'v1 serviceaccounts' },
];

export interface WorkloadEntry extends CacheEntry<string> {
  /** The object as parseWorkloads reads it, with only the fields it uses. */
  readonly item: Readonly<Record<string, unknown>>;
}

/** Where the analysis gets the cluster's namespaces, pods and service accounts. */
export interface WorkloadView {
  /** The API server, named as the workloads' file in messages. */
  readonly origin: string;
  /** Every object; throws (KubeError) rather than answer from an incomplete view. */
  items(): Promise<readonly Readonly<Record<string, unknown>>[]>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const pick = (o: Obj, keys: readonly string[]): Obj => Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));

/** The entry for a listed or watched object; a status-only change of a pod hashes the same. */
export function workloadEntry(source: WorkloadSource, object: unknown): WorkloadEntry | undefined {
  if (!isObj(object) || !isObj(object['metadata'])) return undefined;
  const meta = object['metadata'];
  const name = meta['name'];
  if (typeof name !== 'string') return undefined;
  const item: Obj = { kind: source.kind, metadata: pick(meta, ['name', 'namespace', 'labels']) };
  if (source.kind === 'Pod') {
    const spec = isObj(object['spec']) ? object['spec'] : {};
    const status = isObj(object['status']) ? object['status'] : {};
    const containers = Array.isArray(spec['containers']) ? spec['containers'] : [];
    item['spec'] = {
      ...pick(spec, ['hostNetwork', 'serviceAccountName', 'serviceAccount', 'nodeName']),
      containers: containers.map((c) => (isObj(c) ? pick(c, ['name', 'ports']) : {})),
    };
    item['status'] = pick(status, ['phase', 'podIP', 'podIPs']);
  }
  const namespace = typeof meta['namespace'] === 'string' ? meta['namespace'] : '';
  const resourceVersion = meta['resourceVersion'];
  return {
    key: `${source.kind}/${namespace}/${name}`,
    ...(typeof resourceVersion === 'string' ? { resourceVersion } : {}),
    hash: JSON.stringify(item),
    item,
  };
}

export class WorkloadCache extends ListWatchCache<WorkloadSource, string, WorkloadEntry> {
  /** A view that waits up to `syncTimeoutMs` for a first sync, and fails while a source is not synced. */
  view(o: { origin: string; syncTimeoutMs: number }): WorkloadView {
    return {
      origin: o.origin,
      items: async () => {
        // A source that failed is restarting with backoff: say so now rather than stall the cycle;
        // one not listed yet (just started) is waited for.
        const failed = this.status().some((s) => !s.synced && s.lastError !== undefined);
        if (failed || !(await this.waitForSync(o.syncTimeoutMs))) {
          const down = this.status().find((s) => !s.synced);
          const forbidden = /forbidden/i.test(down?.lastError ?? '');
          throw new KubeError(`the cluster's workloads are not synced (${down?.label ?? 'unknown'}: ${down?.lastError ?? 'not listed yet'}); the analysis needs all of them`, {
            status: forbidden ? 403 : 503,
            reason: forbidden ? 'Forbidden' : 'WorkloadsNotSynced',
          });
        }
        // By key, so the analysis sees the same order whatever order the events came in.
        return [...this.list()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((e) => e.item);
      },
    };
  }
}

export interface CreateWorkloadCacheOptions {
  readonly clients: KubeClients;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly random?: () => number;
  readonly resyncIntervalMs?: number;
  readonly watchTimeoutSeconds?: number;
  readonly backoff?: ListWatchCacheOptions<WorkloadSource, string, WorkloadEntry>['backoff'];
}

/** Builds (does not start) the cache of the cluster's namespaces, pods and service accounts. */
export function createWorkloadCache(o: CreateWorkloadCacheOptions): WorkloadCache {
  return new WorkloadCache({
    transport: kubeTransport(o.clients),
    sources: WORKLOAD_SOURCES,
    toEntry: workloadEntry,
    logger: o.logger,
    clock: o.clock ?? systemClock,
    sleep: abortableSleep,
    random: o.random ?? Math.random,
    ...(o.backoff === undefined ? {} : { backoff: o.backoff }),
    ...(o.resyncIntervalMs === undefined ? {} : { resyncIntervalMs: o.resyncIntervalMs }),
    ...(o.watchTimeoutSeconds === undefined ? {} : { watchTimeoutSeconds: o.watchTimeoutSeconds }),
  });
}

/** For one-shot commands (plan, connectivity): one paged list of each source, no watch. */
export function listedWorkloads(o: { transport: LiveTransport; origin: string; pageSize?: number }): WorkloadView {
  return {
    origin: o.origin,
    items: async () => {
      const lists = await Promise.all(
        WORKLOAD_SOURCES.map(async (source) => {
          const out: Readonly<Record<string, unknown>>[] = [];
          let continueToken: string | undefined;
          do {
            const page = await o.transport.list(source, { limit: o.pageSize ?? 1000, ...(continueToken ? { continueToken } : {}) });
            for (const object of page.items) {
              const entry = workloadEntry(source, object);
              if (entry) out.push(entry.item);
            }
            continueToken = page.continueToken;
          } while (continueToken);
          return out;
        }),
      );
      return lists.flat();
    },
  };
}
