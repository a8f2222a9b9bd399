// The worker's role: take jobs from the cluster's queue, run them in calicoctl pods, verify them
// against the live cache, report and audit.
import type { Cluster, Redis } from 'ioredis';
import type { Config } from '../config/config.js';
import type { StatusPort } from '../controller/ports.js';
import type { CalicoVersion } from '../domain/calico-version.js';
import type { Clock, Logger } from '../domain/runtime.js';
import { CalicoctlExecutor } from '../executor/calicoctl-executor.js';
import { calicoctlImageFor } from '../executor/images.js';
import { kubeOpsFor } from '../executor/kube-ops.js';
import { liveVerifier, type LiveWatchPort } from '../executor/verify.js';
import type { KubeClients } from '../kube/client.js';
import { planProcessors } from '../queue/processors.js';
import type { Processors } from '../queue/worker.js';
import { createRevisionStore } from '../queue/revision-store.js';
import { createWorker } from '../queue/worker.js';
import { AuditLog } from '../report/audit-log.js';
import type { AgentMetrics } from '../report/metrics.js';
import { auditSinkFor, createApplyReporter } from './reporting.js';

export interface WorkerRoleOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly clients: KubeClients;
  readonly calicoVersion: CalicoVersion;
  readonly live: LiveWatchPort;
  readonly statuses: StatusPort;
  readonly redis: Redis | Cluster;
  readonly prefix: string;
  readonly metrics: AgentMetrics;
  readonly concurrency: number;
}

export interface WorkerRole {
  readonly executor: CalicoctlExecutor;
  stop(): Promise<void>;
}

export async function startWorkerRole(o: WorkerRoleOptions): Promise<WorkerRole> {
  const { config, logger } = o;
  const executor = new CalicoctlExecutor({
    kube: kubeOpsFor(o.clients.config),
    namespace: config.namespace,
    serviceAccount: config.executorServiceAccount,
    calicoctlImage: calicoctlImageFor({ version: o.calicoVersion, override: config.calicoctlImage }),
    podTimeoutMs: config.podTimeout,
    logger: logger.child({ component: 'executor' }),
  });
  // Pods left by a worker that died mid-job would otherwise linger; they are ours by label.
  await executor.sweep({ now: o.clock.now() }).catch((err: unknown) => {
    logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not sweep leftover executor pods');
  });
  const revisions = await createRevisionStore({ connection: config.redis, cluster: config.cluster, prefix: o.prefix });
  const worker = await createWorker({
    connection: config.redis,
    cluster: config.cluster,
    prefix: o.prefix,
    concurrency: o.concurrency,
    logger,
    clock: o.clock,
    processors: timed(o.metrics, planProcessors({
      executor,
      verifier: liveVerifier(o.live),
      reporter: createApplyReporter({ statuses: o.statuses, metrics: o.metrics, logger }),
      audit: auditSinkFor(new AuditLog({ redis: o.redis, prefix: o.prefix, clock: o.clock, maxLen: config.auditMaxEntries, cluster: config.cluster, logger: logger.child({ component: 'audit' }) })),
      latestRevision: () => revisions.get(),
      logger,
      clock: o.clock,
      verifyTimeoutMs: config.verifyTimeout,
    })),
  });
  return {
    executor,
    stop: async () => {
      await worker.close({ graceMs: 25_000 });
      await revisions.close();
    },
  };
}

/** Observes each job's duration (execute + verify + report) in the sync-duration histogram. */
function timed(metrics: AgentMetrics, processors: Processors): Processors {
  const wrap = <P extends (...args: never[]) => Promise<unknown>>(fn: P): P =>
    (async (...args: Parameters<P>) => {
      const end = metrics.syncDuration.startTimer();
      try {
        const outcome = await fn(...args);
        end({ outcome: outcome && typeof outcome === 'object' && 'skipped' in outcome ? 'skipped' : 'applied' });
        return outcome;
      } catch (err) {
        end({ outcome: 'failed' });
        throw err;
      }
    }) as P;
  return { sync: wrap(processors.sync), heal: wrap(processors.heal), uninstall: wrap(processors.uninstall) };
}
