// The composition root of `calico-gitops agent` and `calico-gitops worker`: one typed config in,
// every adapter built once, and one stop() that shuts them down in order without losing a job.
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config/config.js';
import { redactedConfig } from '../config/config.js';
import type { CycleOutcome } from '../controller/cycle.js';
import type { Summary } from '../controller/summarize.js';
import { formatCalicoVersion } from '../domain/calico-version.js';
import type { Clock, Logger } from '../domain/runtime.js';
import type { LiveView } from '../domain/state.js';
import { createHttpServer, type HttpHandlers } from '../http/server.js';
import { parseListen } from '../config/listen.js';
import { ConfigError } from '../domain/errors.js';
import type { KubeClients } from '../kube/client.js';
import { createKubeClients } from '../kube/client.js';
import { detectCluster } from '../kube/detect.js';
import { createLiveCache } from '../live/create-live-cache.js';
import { createWorkloadCache, type WorkloadCache } from '../live/workload-cache.js';
import { createRedisClient, redisLocation } from '../queue/connection.js';
import { redisErrorLogger } from '../queue/redis-error-log.js';
import { queuePrefix } from '../queue/keys.js';
import type { FetchFn } from '../report/forge-http.js';
import { createMetrics } from '../report/metrics.js';
import { checkWebhook } from '../source/webhook-check.js';
import { precheckWebhook } from '../source/webhook-verify.js';
import { statusPortFor } from '../report/status-port.js';
import { createStatusReporter } from '../report/status-reporter.js';
import { IMPACT_PAGE_HEADERS, impactPageFor, renderUnknownImpactPage } from '../report/impact-page.js';
import { redisImpactStore } from '../report/impact-store.js';
import { checkExecutor } from './executor.js';
import { startControllerRole, type ControllerRole, type ControllerRoleOptions } from './controller-role.js';
import { roleOptions } from './role-options.js';
import { startWorkerRole, type WorkerRole } from './worker-role.js';

export interface AgentProcessOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Run the controller (leader-elected): `agent` does, `worker` does not. */
  readonly controller: boolean;
  /** In-process workers (0 = none). */
  readonly workers: number;
  /** Where the controller keeps its Git mirror; required with `controller` (a worker reads no Git). */
  readonly cacheDir?: string;
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
  readonly gitEnv?: Readonly<Record<string, string>>;
  readonly fetch: FetchFn;
  readonly random: () => number;
  /** Serve HTTP (health, metrics, status, webhooks). */
  readonly http: boolean;
  readonly lease?: { durationMs: number; renewDeadlineMs: number; retryPeriodMs: number };
  /** Retries of one job and pauses between rounds of a failed plan (tests shorten them). */
  readonly jobRetry?: ControllerRoleOptions['jobRetry'];
}

export interface AgentProcess {
  /** Base URL of the HTTP server, when serving. */
  readonly url?: string;
  readonly controller?: ControllerRole;
  readonly worker?: WorkerRole;
  /** The live view both roles plan and verify against. */
  readonly live: LiveView;
  /** The controller's namespaces, pods and service accounts (intents gate, impact); absent on a worker. */
  readonly workloads?: Pick<WorkloadCache, 'view' | 'isSynced'>;
  /** The last controller cycle, for /status and tests. */
  lastCycle(): { outcome: CycleOutcome; summary: Summary; at: string } | undefined;
  stop(): Promise<void>;
}

export async function startAgentProcess(o: AgentProcessOptions): Promise<AgentProcess> {
  const { config, logger } = o;
  // Start-up checks first: everything that can fail on the operator's input fails here, before any
  // role starts, so a failure leaves nothing running (no Lease taken, no job taken).
  const cacheDir = o.cacheDir;
  if (o.controller && !cacheDir) throw new ConfigError('the controller needs a cache directory for its Git mirror', { code: 'cache-dir' });
  const secret = o.http && o.controller && config.webhookSecretFile ? await readWebhookSecret(config.webhookSecretFile) : undefined;
  const clients = createKubeClients({
    ...(config.kubeconfig ? { kubeconfig: config.kubeconfig } : {}),
    ...(config.context ? { context: config.context } : {}),
  });
  // The roles fill this in once started; until then the server answers health but is not ready.
  const roles: { running?: Running } = {};
  const http = o.http ? await listen({ config, logger, handlers: lazyHandlers(() => roles.running, { secret, branch: config.branch, webhooks: o.controller }) }) : undefined;
  let cluster: Awaited<ReturnType<typeof detectCluster>>;
  let options: ReturnType<typeof roleOptions>;
  try {
    cluster = await detectCluster(clients, config.calicoVersion ? { calicoVersionOverride: config.calicoVersion } : {});
    options = roleOptions(config, cluster.calicoVersion);
    await checkExecutor({ executor: options.executor, clients, cluster, applies: o.workers > 0 });
  } catch (err) {
    await closeServer(http?.server);
    throw err;
  }
  logger.info(
    { calicoVersion: formatCalicoVersion(cluster.calicoVersion), apiMode: cluster.apiMode, server: clients.server, config: redactedConfig(config) },
    'starting',
  );
  const prefix = queuePrefix(config.cluster);
  const redis = createRedisClient(config.redis, 'producer', { lazyConnect: true });
  redis.on('error', redisErrorLogger({ log: logger, where: redisLocation(config.redis), what: 'statuses and audit', clock: o.clock }));
  await redis.connect().catch((err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'redis not reachable yet; retrying'));

  const metrics = createMetrics();
  // --resync-interval: a full relist (catching a missed event), and the drift monitor's full check.
  const live = createLiveCache({ clients, cluster, logger: logger.child({ component: 'live' }), clock: o.clock, random: o.random, resyncIntervalMs: config.resyncInterval });
  live.start();
  // Only the controller analyses connectivity (intents gate, impact): a worker watches no pods.
  const workloads = o.controller
    ? createWorkloadCache({ clients, logger: logger.child({ component: 'workloads' }), clock: o.clock, random: o.random, resyncIntervalMs: config.resyncInterval })
    : undefined;
  workloads?.start();
  const statuses = statusPortFor({ reporter: createStatusReporter({ ...options.statuses, redis, prefix, clock: o.clock, logger, fetch: o.fetch }), cluster: config.cluster });

  const impactReports = redisImpactStore({ redis, prefix, clock: o.clock });
  // What both roles share.
  const shared = { cluster: options.cluster, connection: options.redis, logger, clock: o.clock, clients, live, prefix };
  let last: { outcome: CycleOutcome; summary: Summary; at: string } | undefined;
  const stops: (() => Promise<void>)[] = [];
  let controller: ControllerRole | undefined;
  let worker: WorkerRole | undefined;
  try {
    if (o.controller && workloads && cacheDir) {
      controller = await startControllerRole({
        ...shared,
        controller: options.controller,
        workloads: workloads.view({ origin: clients.server, syncTimeoutMs: 30_000 }),
        statuses,
        redis,
        cacheDir,
        baseEnv: o.baseEnv,
        ...(o.gitEnv ? { gitEnv: o.gitEnv } : {}),
        random: o.random,
        ...(o.lease ? { lease: o.lease } : {}),
        drift: { options: options.drift, live, metrics, fetch: o.fetch },
        ...(o.jobRetry ? { jobRetry: o.jobRetry } : {}),
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
        executor: options.executor,
        audit: options.audit,
        calicoVersion: cluster.calicoVersion,
        redis,
        metrics,
        concurrency: o.workers,
      });
      stops.push(() => worker?.stop() ?? Promise.resolve());
    }
  } catch (err) {
    await closeServer(http?.server);
    await Promise.allSettled(stops.map((s) => s()));
    await live.stop();
    await workloads?.stop();
    redis.disconnect();
    throw err;
  }

  roles.running = {
    readiness: async (): Promise<Record<string, boolean>> => {
      const redisUp = await redis.ping().then(() => true, () => false);
      // A worker plans nothing: it is ready when it can take jobs (Redis) and run them (the API server).
      if (!controller) return { redis: redisUp, apiServer: await apiServerReachable(clients) };
      return { liveSynced: live.isSynced(), redis: redisUp, leaderKnown: await controller.leaderKnown(), source: await controller.sourceReady() };
    },
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
      ...(controller ? { source: { reached: controller.sourceProblem() === undefined, ...(controller.sourceProblem() ? { problem: controller.sourceProblem() } : {}) } } : {}),
      live: { synced: live.isSynced(), objects: live.size(), sources: live.status() },
      ...(workloads ? { workloads: { synced: workloads.isSynced(), objects: workloads.size(), sources: workloads.status() } } : {}),
      lastCycle: last ? { at: last.at, outcome: last.outcome.kind, revision: last.summary.revision, message: last.summary.message } : null,
      ...(controller?.drift ? { drift: { selfHeal: options.drift.selfHeal, ...controller.drift.monitor.current() } } : {}),
    }),
    onPush: () => controller?.trigger(),
    impactPage: async (sha) => impactPageFor(sha, await impactReports.find(sha)),
  };

  return {
    ...(http ? { url: http.url } : {}),
    ...(controller ? { controller } : {}),
    ...(worker ? { worker } : {}),
    live,
    ...(workloads ? { workloads } : {}),
    lastCycle: () => last,
    stop: async () => {
      // Stop taking webhooks first, then the roles (a worker finishes its job), then the cache.
      await closeServer(http?.server);
      for (const stop of stops.reverse()) await stop().catch((err: unknown) => logger.warn({ err: String(err) }, 'stop failed'));
      await live.stop();
      await workloads?.stop();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** What the HTTP server asks of the started roles. */
interface Running {
  readiness(): Promise<Record<string, boolean>>;
  metrics(): Promise<{ contentType: string; body: string }>;
  status(): Promise<unknown>;
  onPush(): void;
  impactPage(sha: string): Promise<{ found: boolean; html: string }>;
}

function lazyHandlers(current: () => Running | undefined, o: { secret: string | undefined; branch: string; webhooks: boolean }): HttpHandlers {
  return {
    readiness: async () => (await current()?.readiness()) ?? { started: false },
    metrics: async () => (await current()?.metrics()) ?? { contentType: 'text/plain; version=0.0.4', body: '' },
    status: async () => (await current()?.status()) ?? { starting: true },
    ...(o.webhooks
      ? {
          webhook: {
            precheck: (headers) => precheckWebhook({ headers, secret: o.secret }),
            verify: (headers, body) =>
              o.secret === undefined
                ? { ok: false, reason: 'no webhook secret configured (--webhook-secret-file)' }
                : checkWebhook({ headers, body, secret: o.secret, branch: o.branch }),
            onPush: () => current()?.onPush(),
          },
          impactPage: async (sha: string) => (await current()?.impactPage(sha)) ?? { found: false, html: renderUnknownImpactPage() },
        }
      : {}),
  };
}

async function readWebhookSecret(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    const why = (cause as { code?: unknown }).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    throw new ConfigError(`--webhook-secret-file ${file} ${why}`, { code: 'webhook-secret', cause });
  }
  const secret = text.trim();
  if (secret === '') throw new ConfigError(`--webhook-secret-file ${file} is empty`, { code: 'webhook-secret' });
  return secret;
}

async function listen(o: { config: Config; logger: Logger; handlers: HttpHandlers }): Promise<{ server: Server; url: string }> {
  const address = parseListen(o.config.listen);
  if (!address) throw new ConfigError(`--listen must be [HOST]:PORT (got ${JSON.stringify(o.config.listen)})`, { code: 'listen' });
  const server = createHttpServer({ logger: o.logger, handlers: o.handlers, html: { headers: IMPACT_PAGE_HEADERS, notFound: renderUnknownImpactPage() } });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new ConfigError(
          err.code === 'EADDRINUSE' ? `--listen ${o.config.listen}: the address is already in use` : `--listen ${o.config.listen}: ${err.message}`,
          { code: 'listen', cause: err },
        ),
      ),
    );
    server.listen(address.port, address.host, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  const url = `http://${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`;
  o.logger.info({ url }, 'http server listening');
  return { server, url };
}

async function closeServer(server: Server | undefined): Promise<void> {
  if (!server?.listening) return;
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
}

/** The API server answers at all (any HTTP answer counts; a refused or timed-out connection does not). */
async function apiServerReachable(clients: KubeClients): Promise<boolean> {
  try {
    await withTimeout(clients.apis.getAPIVersions(), 5_000);
    return true;
  } catch (err) {
    return typeof (err as { code?: unknown }).code === 'number';
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), ms)))]).finally(() => clearTimeout(timer));
}
