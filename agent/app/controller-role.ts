// The leader's role: follow Git, plan against the live cache, enqueue. Only the Lease holder runs
// the controller, so two replicas never plan and enqueue at the same time.
import { hostname } from 'node:os';
import type { Cluster, Redis } from 'ioredis';
import { Controller } from '../controller/controller.js';
import type { CycleOutcome } from '../controller/cycle.js';
import type { LivePort, StatusPort } from '../controller/ports.js';
import { stagesFor } from '../controller/stages.js';
import type { Summary } from '../controller/summarize.js';
import { ConfigError, DependencyError } from '../domain/errors.js';
import { systemTimers, type Clock, type Logger } from '../domain/runtime.js';
import type { KubeClients } from '../kube/client.js';
import { LeaderElector, abortableSleep } from '../kube/leader-election.js';
import { kubeLeaseStore, leaseIsHeld } from '../kube/lease-store.js';
import { redisLocation, type RedisConnection } from '../queue/connection.js';
import { redisKeys, type KeyPrefix } from '../queue/keys.js';
import type { RoundPolicy } from '../queue/rounds.js';
import { createSyncQueue, type RetryPolicy, type SyncQueue } from '../queue/sync-queue.js';
import { GitSource } from '../source/git-source.js';
import type { DriftLivePort } from '../drift/monitor.js';
import { redisAppliedStore } from '../drift/applied-store.js';
import type { ResourceKey } from '../domain/resource.js';
import type { DesiredState, Snapshot } from '../domain/state.js';
import type { DesiredResult } from '../desired/index.js';
import type { FetchFn } from '../report/forge-http.js';
import type { AgentMetrics } from '../report/metrics.js';
import { createDriftRole, type DriftRole } from './drift-role.js';
import type { ControllerOptions, DriftOptions } from './role-options.js';
import { clusterIntentsCheck } from './intents-check.js';
import { clusterImpact } from './impact.js';
import { redisImpactStore } from '../report/impact-store.js';
import type { WorkloadView } from '../live/workload-cache.js';

export interface ControllerRoleOptions {
  readonly cluster: string;
  readonly connection: RedisConnection;
  readonly controller: ControllerOptions;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly clients: KubeClients;
  readonly live: LivePort;
  /** The cluster's namespaces, pods and service accounts, for the intents gate and the impact. */
  readonly workloads: WorkloadView;
  readonly statuses: StatusPort;
  readonly redis: Redis | Cluster;
  readonly prefix: KeyPrefix;
  /** Where the bare mirror lives. */
  readonly cacheDir: string;
  /** Environment for git (GIT_* entries are dropped by the source). */
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
  readonly gitEnv?: Readonly<Record<string, string>>;
  readonly random: () => number;
  readonly onCycle: (outcome: CycleOutcome, summary: Summary) => void;
  /** Lease timings; defaults follow client-go (15 s / 10 s / 2 s). */
  readonly lease?: { durationMs: number; renewDeadlineMs: number; retryPeriodMs: number };
  /** Drift detection (leader only); absent: drift is not tracked. */
  readonly drift?: { readonly options: DriftOptions; readonly live: DriftLivePort; readonly metrics?: AgentMetrics; readonly fetch: FetchFn };
  /** Retries of one job and pauses between rounds of a failed plan; defaults in agent/queue. */
  readonly jobRetry?: { readonly retry?: RetryPolicy; readonly rounds?: RoundPolicy };
}

export interface ControllerRole {
  readonly queue: SyncQueue;
  readonly source: GitSource;
  readonly controller: Controller;
  readonly drift?: DriftRole;
  isLeader(): boolean;
  /** This replica leads, or the Lease names a holder whose term has not run out. */
  leaderKnown(): Promise<boolean>;
  /**
   * The repository has been reached once (fetched by the leader, or its head read by a follower).
   * Until then an unknown repository or branch, or refused credentials, keep the replica not ready;
   * later outages do not flip it (the last good state stays applied and the log says why).
   */
  sourceReady(): Promise<boolean>;
  /** Why the repository has not been reached yet; undefined once it has. */
  sourceProblem(): string | undefined;
  /** Webhook: fetch now (only the leader acts). */
  trigger(): void;
  stop(): Promise<void>;
}

export async function startControllerRole(o: ControllerRoleOptions): Promise<ControllerRole> {
  const { logger, controller: options } = o;
  if (!options.source) throw new ConfigError('--repo is required for the controller');
  const source = new GitSource({
    ...options.source,
    cacheDir: o.cacheDir,
    logger: logger.child({ component: 'source' }),
    baseEnv: o.baseEnv,
    ...(o.gitEnv ? { gitEnv: o.gitEnv } : {}),
  });
  const reach = { ok: false, problem: undefined as string | undefined, probedAt: 0 };
  const noteSource = async <T>(work: Promise<T>): Promise<T> => {
    try {
      const result = await work;
      reach.ok = true;
      reach.problem = undefined;
      return result;
    } catch (err) {
      if (!reach.ok) reach.problem = err instanceof Error ? err.message : String(err);
      throw err;
    }
  };
  const queue = await createSyncQueue({ connection: o.connection, cluster: o.cluster, logger, prefix: o.prefix, clock: o.clock, ...o.jobRetry });
  const applied = redisAppliedStore(o.redis, o.prefix);
  // The desired state of the revision being planned is kept with it, so drift can be measured
  // against it once it is applied (also by a later leader).
  const stages = stagesFor(options.planning);
  const paused = async (): Promise<boolean> => {
    try {
      return (await o.redis.exists(redisKeys.syncPaused(o.prefix))) === 1;
    } catch (cause) {
      throw new DependencyError(`reading the sync pause: Redis at ${redisLocation(o.connection)} is unavailable`, { cause, code: 'redis' });
    }
  };
  let planned: { revision: string; state: DesiredState } | undefined;
  let built: { readonly snapshot: Snapshot; readonly result: DesiredResult } | undefined;
  const saveDesired = async (revision: string, skipped: readonly { key: ResourceKey }[]): Promise<void> => {
    if (!o.drift || planned?.revision !== revision) return;
    // A key left to someone else (a conflict) is not ours to watch for drift.
    const left = new Set(skipped.map((k) => k.key));
    await applied.saveDesired(revision, { resources: new Map([...planned.state.resources].filter(([k]) => !left.has(k))) });
  };
  const drift = o.drift
    ? createDriftRole({
        cluster: o.cluster,
        drift: o.drift.options,
        logger,
        clock: o.clock,
        random: o.random,
        clients: o.clients,
        live: o.drift.live,
        statuses: o.statuses,
        redis: o.redis,
        prefix: o.prefix,
        queue: queue.queue,
        latestRevision: () => queue.latestRevision(),
        // Paused for an uninstall: its deletes are not drift, and a heal would re-create them.
        paused,
        heal: async ({ plan, revision, drift: entries, detectedAt }) => {
          await queue.enqueueHeal({ plan, revision, detectedAt, drift: entries.map((e) => ({ key: e.key, ...(e.manager ? { fieldManager: e.manager } : {}), ...(e.liveHash ? { beforeHash: e.liveHash } : {}) })) });
        },
        ...(o.drift.metrics ? { metrics: o.drift.metrics } : {}),
        fetch: o.drift.fetch,
      })
    : undefined;
  const controller = new Controller({
    cycle: {
      source: {
        latest: async () => {
          const result = await noteSource(source.latest());
          return { snapshot: result.snapshot, forcePush: result.forcePush };
        },
        current: () => {
          const snapshot = source.lastSnapshot;
          return snapshot ? { snapshot, forcePush: false } : undefined;
        },
      },
      live: o.live,
      queue: {
        setLatestRevision: (revision) => queue.setLatestRevision(revision),
        enqueueSync: async (input) => {
          await saveDesired(input.revision, input.plan.skipped);
          return queue.enqueueSync(input);
        },
        ...(o.drift ? { appliedRevision: () => applied.appliedRevision() } : {}),
        job: (jobId) => queue.job(jobId),
        jobOf: (revision) => queue.jobOf(revision),
        busy: async (revision) => {
          const counts = await queue.counts();
          if ((counts['active'] ?? 0) > 0) return true;
          const pending = (counts['waiting'] ?? 0) + (counts['delayed'] ?? 0) + (counts['prioritized'] ?? 0) + (counts['waiting-children'] ?? 0);
          return pending > 0 && (await queue.latestRevision()) === revision;
        },
      },
      stages: {
        ...stages,
        buildDesired: (snapshot) => {
          // The cycle a settled job starts plans the snapshot it read last again (the one that
          // posts the apply status): built once per snapshot, the stage being pure.
          const result = built?.snapshot === snapshot ? built.result : stages.buildDesired(snapshot);
          built = { snapshot, result };
          planned = { revision: snapshot.revision, state: result.state };
          return result;
        },
      },
      logger: logger.child({ component: 'controller' }),
      liveSyncTimeoutMs: 30_000,
      paused,
      isApproved: async (revision) => (await o.redis.exists(redisKeys.approval(o.prefix, revision))) === 1,
      intents: clusterIntentsCheck({ workloads: o.workloads, live: o.live, calicoVersion: options.planning.calicoVersion, instance: options.planning.instance }),
      impact: clusterImpact({
        workloads: o.workloads,
        calicoVersion: options.planning.calicoVersion,
        instance: options.planning.instance,
        cluster: o.cluster,
        store: redisImpactStore({ redis: o.redis, prefix: o.prefix, clock: o.clock }),
        clock: o.clock,
        ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
      }),
    },
    statuses: o.statuses,
    logger: logger.child({ component: 'controller' }),
    pollIntervalMs: options.pollIntervalMs,
    retryDelayMs: Math.min(options.pollIntervalMs, 10_000),
    jitter: 0.1,
    random: o.random,
    timers: systemTimers,
    onCycle: (outcome, summary) => {
      // The force-push check compares with the last revision the cluster was seen to match.
      if (outcome.kind === 'in-sync' || outcome.kind === 'drifted') source.markApplied(outcome.snapshot.revision);
      // Found matching without a job of ours (first start, a lost job result): applied all the same.
      if (outcome.kind === 'in-sync' && o.drift) void recordInSync(outcome.snapshot.revision, outcome.plan.skipped);
      o.onCycle(outcome, summary);
    },
  });
  async function recordInSync(revision: string, skipped: readonly { key: ResourceKey }[]): Promise<void> {
    try {
      if ((await applied.appliedRevision()) === revision) return;
      await saveDesired(revision, skipped);
      await applied.markApplied(revision);
    } catch (err) {
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not record the applied revision');
    }
  }
  const lease = o.lease ?? { durationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };
  const leaseStore = kubeLeaseStore(o.clients, { namespace: options.namespace, name: `calico-gitops-${o.cluster}` });
  const elector = new LeaderElector({
    store: leaseStore,
    // A random suffix keeps two candidates in one process (tests, embedding) from sharing an identity.
    identity: `${hostname()}-${process.pid}-${Math.floor(o.random() * 36 ** 6).toString(36)}`,
    leaseDurationMs: lease.durationMs,
    renewDeadlineMs: lease.renewDeadlineMs,
    retryPeriodMs: lease.retryPeriodMs,
    clock: o.clock,
    sleep: abortableSleep,
    logger: logger.child({ component: 'leader-election' }),
    onStartedLeading: () => {
      controller.start();
      drift?.monitor.start().catch((err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'drift monitor did not start'));
    },
    onStoppedLeading: () => {
      void controller.stop();
      void drift?.monitor.stop();
    },
  });
  // A settled job changes what the commit shows: look again now rather than at the next poll.
  // Only the queue changed: the revision already read is planned again, without a fetch.
  const unsubscribe = await queue.onSettled(() => controller.trigger({ fetch: false }));
  elector.start();
  return {
    queue,
    source,
    controller,
    ...(drift ? { drift } : {}),
    isLeader: () => elector.isLeader(),
    leaderKnown: async () => {
      if (elector.isLeader()) return true;
      return leaseIsHeld(await leaseStore.read().catch(() => undefined), o.clock.now());
    },
    sourceReady: async () => {
      // A follower does not fetch: it reads the branch head (ls-remote) now and then until it works.
      const now = o.clock.now().getTime();
      if (!reach.ok && !elector.isLeader() && now - reach.probedAt >= 5_000) {
        reach.probedAt = now;
        await noteSource(source.headRevision()).catch(() => undefined);
      }
      return reach.ok;
    },
    sourceProblem: () => (reach.ok ? undefined : (reach.problem ?? 'the repository has not been fetched yet')),
    trigger: () => controller.trigger(),
    stop: async () => {
      unsubscribe();
      await controller.stop();
      await drift?.monitor.stop();
      await elector.stop();
      await queue.close();
      await source.close();
    },
  };
}
