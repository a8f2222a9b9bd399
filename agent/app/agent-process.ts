// The composition root of `calico-gitops agent` and `calico-gitops worker`: one typed config in,
// every adapter built once, and one stop() that shuts them down in order without losing a job.
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config/config.js';
import { redactedConfig } from '../config/config.js';
import type { CycleOutcome } from '../controller/cycle.js';
import type { Summary } from '../controller/summarize.js';
import { formatCalicoVersion } from '../domain/calico-version.js';
import type { Clock, Logger } from '../domain/runtime.js';
import { createHttpServer, parseListen } from '../http/server.js';
import { createKubeClients } from '../kube/client.js';
import { detectCluster } from '../kube/detect.js';
import { createLiveCache } from '../live/create-live-cache.js';
import { createRedisClient, redisLocation } from '../queue/connection.js';
import { redisErrorLogger } from '../queue/redis-error-log.js';
import { queuePrefix } from '../queue/keys.js';
import type { FetchFn } from '../report/forge-http.js';
import { createMetrics } from '../report/metrics.js';
import { checkWebhook } from '../source/webhook-check.js';
import { startControllerRole, type ControllerRole } from './controller-role.js';
import { statusPortFor } from '../report/status-port.js';
import { createStatusReporter } from './reporting.js';
import { startWorkerRole, type WorkerRole } from './worker-role.js';

export interface AgentProcessOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Run the controller (leader-elected): `agent` does, `worker` does not. */
  readonly controller: boolean;
  /** In-process workers (0 = none). */
  readonly workers: number;
  readonly cacheDir: string;
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
  readonly gitEnv?: Readonly<Record<string, string>>;
  readonly fetch: FetchFn;
  readonly random: () => number;
  /** Serve HTTP (health, metrics, status, webhooks). */
  readonly http: boolean;
  readonly lease?: { durationMs: number; renewDeadlineMs: number; retryPeriodMs: number };
}

export interface AgentProcess {
  /** Base URL of the HTTP server, when serving. */
  readonly url?: string;
  readonly controller?: ControllerRole;
  readonly worker?: WorkerRole;
  /** The last controller cycle, for /status and tests. */
  lastCycle(): { outcome: CycleOutcome; summary: Summary; at: string } | undefined;
  stop(): Promise<void>;
}

export async function startAgentProcess(o: AgentProcessOptions): Promise<AgentProcess> {
  const { config, logger } = o;
  const clients = createKubeClients({
    ...(config.kubeconfig ? { kubeconfig: config.kubeconfig } : {}),
    ...(config.context ? { context: config.context } : {}),
  });
  const cluster = await detectCluster(clients, config.calicoVersion ? { calicoVersionOverride: config.calicoVersion } : {});
  logger.info(
    { calicoVersion: formatCalicoVersion(cluster.calicoVersion), apiMode: cluster.apiMode, server: clients.server, config: redactedConfig(config) },
    'starting',
  );
  const prefix = queuePrefix(config.cluster);
  const redis = createRedisClient(config.redis, 'producer', { lazyConnect: true });
  redis.on('error', redisErrorLogger({ log: logger, where: redisLocation(config.redis), what: 'statuses and audit', clock: o.clock }));
  await redis.connect().catch((err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'redis not reachable yet; retrying'));

  const metrics = createMetrics();
  const live = createLiveCache({ clients, cluster, logger: logger.child({ component: 'live' }), clock: o.clock, random: o.random });
  live.start();
  const statuses = statusPortFor({ reporter: createStatusReporter({ config, redis, prefix, clock: o.clock, logger, fetch: o.fetch }), cluster: config.cluster });

  // What both roles share.
  const shared = { config, logger, clock: o.clock, clients, calicoVersion: cluster.calicoVersion, live, statuses, redis, prefix };
  let last: { outcome: CycleOutcome; summary: Summary; at: string } | undefined;
  const stops: (() => Promise<void>)[] = [];
  let controller: ControllerRole | undefined;
  let worker: WorkerRole | undefined;
  try {
    if (o.controller) {
      controller = await startControllerRole({
        ...shared,
        cacheDir: o.cacheDir,
        baseEnv: o.baseEnv,
        ...(o.gitEnv ? { gitEnv: o.gitEnv } : {}),
        random: o.random,
        ...(o.lease ? { lease: o.lease } : {}),
        onCycle: (outcome, summary) => {
          last = { outcome, summary, at: o.clock.now().toISOString() };
          metrics.cycles.inc({ outcome: outcome.kind });
          if ('plan' in outcome) for (const a of ['create', 'update', 'delete'] as const) metrics.planSteps.set({ action: a }, outcome.plan.steps.filter((s) => s.action === a).length);
        },
      });
      stops.push(() => controller?.stop() ?? Promise.resolve());
    }
    if (o.workers > 0) {
      worker = await startWorkerRole({
        ...shared,
        metrics,
        concurrency: o.workers,
      });
      stops.push(() => worker?.stop() ?? Promise.resolve());
    }
  } catch (err) {
    await Promise.allSettled(stops.map((s) => s()));
    await live.stop();
    redis.disconnect();
    throw err;
  }

  let url: string | undefined;
  let server: ReturnType<typeof createHttpServer> | undefined;
  if (o.http) {
    const secret = config.webhookSecretFile ? (await readFile(config.webhookSecretFile, 'utf8')).trim() : undefined;
    server = createHttpServer({
      logger,
      handlers: {
        readiness: async () => ({
          liveSynced: live.isSynced(),
          redis: await redis.ping().then(() => true, () => false),
          ...(controller ? { leaderKnown: await controller.leaderKnown() } : {}),
        }),
        metrics: async () => {
          const counts = await controller?.queue.counts().catch(() => undefined);
          for (const [state, n] of Object.entries(counts ?? {})) metrics.queueDepth.set({ state }, n);
          return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
        },
        status: async () => ({
          cluster: config.cluster,
          instance: config.instance,
          calicoVersion: formatCalicoVersion(cluster.calicoVersion),
          apiMode: cluster.apiMode,
          leader: controller?.isLeader() ?? false,
          live: { synced: live.isSynced(), objects: live.size(), sources: live.status() },
          lastCycle: last ? { at: last.at, outcome: last.outcome.kind, revision: last.summary.revision, message: last.summary.message } : null,
        }),
        verifyWebhook: (headers, body) =>
          secret === undefined
            ? { ok: false, reason: 'no webhook secret configured (--webhook-secret-file)' }
            : checkWebhook({ headers, body, secret, branch: config.branch }),
        onPush: () => controller?.trigger(),
      },
    });
    const { host, port } = parseListen(config.listen);
    await new Promise<void>((resolve, reject) => {
      server?.once('error', reject);
      server?.listen(port, host, () => resolve());
    });
    const address = server.address() as AddressInfo;
    url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
    logger.info({ url }, 'http server listening');
  }

  return {
    ...(url ? { url } : {}),
    ...(controller ? { controller } : {}),
    ...(worker ? { worker } : {}),
    lastCycle: () => last,
    stop: async () => {
      // Stop taking webhooks first, then the roles (a worker finishes its job), then the cache.
      if (server) await new Promise((r) => server?.close(r));
      for (const stop of stops.reverse()) await stop().catch((err: unknown) => logger.warn({ err: String(err) }, 'stop failed'));
      await live.stop();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
