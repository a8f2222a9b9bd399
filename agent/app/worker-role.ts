// The worker's role: take jobs from the cluster's queue and run each through the apply pipeline
// (agent/apply) with the chosen executor (calicoctl pods, or the API as the executor account), the
// live verifier and the audit stream.
import type { Cluster, Redis } from 'ioredis';
import { runApply } from '../apply/pipeline.js';
import type { CalicoVersion } from '../domain/calico-version.js';
import type { Clock, Logger } from '../domain/runtime.js';
import { CalicoctlExecutor } from '../executor/calicoctl-executor.js';
import { liveVerifier, type LiveWatchPort } from '../executor/verify.js';
import type { KubeClients } from '../kube/client.js';
import type { RedisConnection } from '../queue/connection.js';
import type { KeyPrefix } from '../queue/keys.js';
import { createRevisionStore } from '../queue/revision-store.js';
import { createWorker } from '../queue/worker.js';
import { AuditLog } from '../report/audit-log.js';
import type { AgentMetrics } from '../report/metrics.js';
import { redisAppliedStore } from '../drift/applied-store.js';
import { createExecutor, type Executor } from './executor.js';
import type { AuditOptions, ExecutorOptions } from './role-options.js';

export interface WorkerRoleOptions {
  readonly cluster: string;
  readonly connection: RedisConnection;
  readonly executor: ExecutorOptions;
  readonly audit: AuditOptions;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly clients: KubeClients;
  readonly calicoVersion: CalicoVersion;
  readonly live: LiveWatchPort;
  readonly redis: Redis | Cluster;
  readonly prefix: KeyPrefix;
  readonly metrics: AgentMetrics;
  readonly concurrency: number;
}

export interface WorkerRole {
  readonly executor: Executor;
  stop(): Promise<void>;
}

export async function startWorkerRole(o: WorkerRoleOptions): Promise<WorkerRole> {
  const { logger } = o;
  const executor = await startExecutor(o);
  const revisions = await createRevisionStore({ connection: o.connection, cluster: o.cluster, prefix: o.prefix });
  const applied = redisAppliedStore(o.redis, o.prefix);
  const deps = {
    executor,
    verifier: liveVerifier(o.live),
    audit: new AuditLog({ redis: o.redis, prefix: o.prefix, clock: o.clock, maxLen: o.audit.maxEntries, cluster: o.cluster, logger: logger.child({ component: 'audit' }) }),
    latestRevision: () => revisions.get(),
    logger: logger.child({ component: 'apply' }),
    clock: o.clock,
    verifyTimeoutMs: o.executor.verifyTimeoutMs,
    metrics: o.metrics,
    markApplied: (revision: string) => applied.markApplied(revision),
  };
  const worker = await createWorker({
    connection: o.connection,
    cluster: o.cluster,
    prefix: o.prefix,
    concurrency: o.concurrency,
    logger,
    clock: o.clock,
    handler: (job, signal) => runApply({ job, deps, ...(signal ? { signal } : {}) }),
  });
  return {
    executor,
    stop: async () => {
      await worker.close({ graceMs: 25_000 });
      await revisions.close();
    },
  };
}

async function startExecutor(o: WorkerRoleOptions): Promise<Executor> {
  const executor = createExecutor({ executor: o.executor, clients: o.clients, calicoVersion: o.calicoVersion, logger: o.logger });
  // Pods left by a worker that died mid-job would otherwise linger; they are ours by label.
  if (executor instanceof CalicoctlExecutor) {
    await executor.sweep({ now: o.clock.now() }).catch((err: unknown) => {
      o.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not sweep leftover executor pods');
    });
  }
  return executor;
}
