// Wiring of the leader's drift monitor: the applied revision in Redis, the live cache, the queue's
// in-flight jobs, and the reporting adapters (drift status, alerts, Events, metrics).
import { readFile } from 'node:fs/promises';
import type { Queue } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import type { StatusPort } from '../controller/ports.js';
import { redisAppliedStore, type AppliedStore } from '../drift/applied-store.js';
import { redisKeys, type KeyPrefix } from '../queue/keys.js';
import type { DriftAlert } from '../drift/describe.js';
import { DriftMonitor, type DriftLivePort, type DriftMonitorPorts, type DriftSnapshot } from '../drift/monitor.js';
import type { ResourceKey } from '../domain/resource.js';
import { systemTimers, type Clock, type Logger } from '../domain/runtime.js';
import type { KubeClients } from '../kube/client.js';
import { kubeEventWriter } from '../kube/events.js';
import { inFlightJobs } from '../queue/in-flight.js';
import { BackgroundAlerts, WebhookAlertSink } from '../report/alert-sink.js';
import type { FetchFn } from '../report/forge-http.js';
import type { AgentMetrics } from '../report/metrics.js';
import type { DriftOptions } from './role-options.js';

export interface DriftRoleOptions {
  readonly cluster: string;
  readonly drift: DriftOptions;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly random: () => number;
  readonly clients: KubeClients;
  readonly live: DriftLivePort;
  readonly statuses: StatusPort;
  readonly redis: Redis | Cluster;
  readonly prefix: KeyPrefix;
  readonly queue: Pick<Queue, 'getJobCounts' | 'getJobs'>;
  latestRevision(): Promise<string | undefined>;
  readonly heal: DriftMonitorPorts['heal'];
  readonly paused: NonNullable<DriftMonitorPorts['paused']>;
  readonly metrics?: AgentMetrics;
  readonly fetch: FetchFn;
  /** Called after each alert is delivered (bench). */
  readonly onAlert?: (alert: DriftAlert) => void;
}

export interface DriftRole {
  readonly monitor: DriftMonitor;
  readonly applied: AppliedStore;
  readonly alerts?: BackgroundAlerts;
}

export function createDriftRole(o: DriftRoleOptions): DriftRole {
  const { drift: config, redis, prefix } = o;
  const log = o.logger.child({ component: 'drift' });
  const applied = redisAppliedStore(redis, prefix);
  const file = config.alertWebhookFile;
  const alerts = file
    ? new BackgroundAlerts({
        // The URL is read when sending and never logged: it is a secret.
        sink: new WebhookAlertSink({ url: async () => (await readFile(file, 'utf8')).trim(), format: config.alertFormat, fetch: o.fetch }),
        logger: log,
        timers: systemTimers,
        ...(o.onAlert ? { onDelivered: o.onAlert } : {}),
      })
    : undefined;
  const metrics = o.metrics;
  const monitor = new DriftMonitor({
    cluster: o.cluster,
    instance: config.instance,
    selfHeal: config.selfHeal,
    resyncIntervalMs: config.resyncIntervalMs,
    alertIntervalMs: config.alertIntervalMs,
    clock: o.clock,
    timers: systemTimers,
    logger: log,
    ports: {
      live: o.live,
      applied,
      inFlight: () => inFlightJobs(o.queue),
      latestRevision: () => o.latestRevision(),
      statuses: o.statuses,
      ...(alerts ? { alerts } : {}),
      events: kubeEventWriter({ config: o.clients.config, clock: o.clock, random: o.random }),
      ...(metrics
        ? {
            metrics: {
              drifting: (byKind) => {
                metrics.driftResources.reset();
                for (const [kind, n] of Object.entries(byKind)) metrics.driftResources.set({ kind }, n);
              },
              episodeStarted: () => metrics.driftEpisodes.inc(),
            },
          }
        : {}),
      heal: o.heal,
      paused: o.paused,
      saveState: async (state) => void (await redis.set(redisKeys.driftState(prefix), JSON.stringify(state))),
      loadState: async () => {
        const raw = await redis.get(redisKeys.driftState(prefix));
        return raw ? (JSON.parse(raw) as DriftSnapshot) : undefined;
      },
      takeHealRequest: async () => {
        const raw = await redis.getdel(redisKeys.healRequest(prefix));
        if (!raw) return undefined;
        const parsed = JSON.parse(raw) as { resource?: string };
        return parsed.resource ? { resource: parsed.resource as ResourceKey } : {};
      },
    },
  });
  return { monitor, applied, ...(alerts ? { alerts } : {}) };
}
