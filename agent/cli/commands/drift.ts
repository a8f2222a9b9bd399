// `calico-gitops drift [--json]`: the live drift against the applied revision (exit 0 none,
// 2 drift, 1 error). `calico-gitops heal [--resource KIND/NS/NAME]`: ask the leader to restore the
// applied revision (also with --self-heal=false, and for a resource the fight guard gave up on).
import { Queue } from 'bullmq';
import type { Command } from 'commander';
import type { Cluster, Redis } from 'ioredis';
import { pino } from 'pino';
import type { Config } from '../../config/config.js';
import { redisAppliedStore } from '../../drift/applied-store.js';
import { describeEntry } from '../../drift/describe.js';
import { detectDrift } from '../../drift/detect-drift.js';
import type { DriftSnapshot } from '../../drift/monitor.js';
import { KIND_IDS, KINDS, type KindId } from '../../domain/kinds.js';
import { DEFAULT_INSTANCE } from '../../domain/ownership.js';
import { resourceKey, type ResourceKey } from '../../domain/resource.js';
import { createKubeClients } from '../../kube/client.js';
import { detectCluster } from '../../kube/detect.js';
import { createLiveCache } from '../../live/create-live-cache.js';
import { bullmqConnection } from '../../queue/connection.js';
import { inFlightJobs } from '../../queue/in-flight.js';
import { QUEUE_NAME, queuePrefix, redisKeys } from '../../queue/keys.js';
import { addConfigFlags, configFlags } from '../config-flags.js';
import { withRedis } from '../with-redis.js';

type RedisClient = Redis | Cluster;

export function registerDrift(program: Command): void {
  addConfigFlags(
    program
      .command('drift')
      .description('show what in the cluster differs from the applied revision (exit 0 none, 2 drift, 1 error)')
      .option('--json', 'print JSON')
      .option('--sync-timeout <seconds>', 'how long to wait for the live view of the cluster', '60'),
    ['redis', 'cluster', 'instance', 'kubeconfig', 'context', 'calicoVersion'],
  ).action(async (options: Record<string, unknown>) => {
    process.exitCode = await withRedis(configFlags(options), (redis, config) => failsafe(() => showDrift(config, redis, options)));
  });

  addConfigFlags(
    program
      .command('heal')
      .description('restore the applied revision now (all drift, or one resource), resuming healing the fight guard stopped')
      .option('--resource <KIND/NS/NAME>', 'only this resource (KIND/NAME for cluster-scoped kinds)')
      .option('--timeout <seconds>', 'how long to wait for the leader to report it restored', '120'),
    ['redis', 'cluster'],
  ).action(async (options: Record<string, unknown>) => {
    process.exitCode = await withRedis(configFlags(options), (redis, config) => failsafe(() => requestHeal(config, redis, options)));
  });
}

async function showDrift(config: Config, redis: RedisClient, options: Record<string, unknown>): Promise<number> {
  const prefix = queuePrefix(config.cluster);
  const applied = await redisAppliedStore(redis, prefix).load();
  if (!applied) {
    const revision = await redis.get(redisKeys.appliedRevision(prefix));
    process.stderr.write(revision ? `calico-gitops: the desired state of applied revision ${revision} is no longer recorded\n` : '');
    if (revision) return 1;
    if (options['json']) process.stdout.write(`${JSON.stringify({ revision: null, entries: [] }, null, 2)}\n`);
    else process.stdout.write(`nothing applied yet on cluster ${config.cluster}: no drift to show\n`);
    return 0;
  }
  const clients = createKubeClients({ ...(config.kubeconfig ? { kubeconfig: config.kubeconfig } : {}), ...(config.context ? { context: config.context } : {}) });
  const cluster = await detectCluster(clients, config.calicoVersion ? { calicoVersionOverride: config.calicoVersion } : {});
  const live = createLiveCache({ clients, cluster, logger: pino({ level: 'silent' }) });
  live.start();
  const bull = bullmqConnection(config.redis, 'producer');
  const queue = new Queue(QUEUE_NAME, { connection: bull.connection, prefix });
  queue.on('error', () => undefined);
  try {
    const seconds = Number(options['syncTimeout'] ?? '60');
    if (!(await live.waitForSync(seconds * 1000))) {
      process.stderr.write(`calico-gitops: the live view of the cluster did not sync within ${seconds}s\n`);
      return 1;
    }
    const flight = await inFlightJobs(queue);
    const latest = await redis.get(redisKeys.latestRevision(prefix));
    const pendingRevisions = new Set([...flight.revisions, ...(latest && latest !== applied.revision ? [latest] : [])]);
    const entries = detectDrift({ applied, live, instance: config.instance ?? DEFAULT_INSTANCE, inFlight: flight.keys, pendingRevisions, now: new Date().toISOString() });
    const leader = parseSnapshot(await redis.get(redisKeys.driftState(prefix)));
    const fighting = leader?.fighting ?? {};
    if (options['json']) {
      process.stdout.write(`${JSON.stringify({ revision: applied.revision, entries: entries.map((e) => ({ ...e, ...(fighting[e.key] ? { fightingWith: fighting[e.key] } : {}) })) }, null, 2)}\n`);
    } else if (entries.length === 0) {
      process.stdout.write(`no drift: the cluster matches applied revision ${applied.revision.slice(0, 12)}\n`);
    } else {
      for (const e of entries) {
        const fight = fighting[e.key] ? ` (fighting with ${fighting[e.key]}; not healed until a commit or \`calico-gitops heal\`)` : '';
        process.stdout.write(`${describeEntry(e)}${e.time ? ` at ${e.time}` : ''}${fight}\n`);
      }
      process.stdout.write(`${entries.length} resource${entries.length === 1 ? '' : 's'} differ from applied revision ${applied.revision.slice(0, 12)}\n`);
    }
    return entries.length === 0 ? 0 : 2;
  } finally {
    await live.stop();
    await queue.close().catch(() => undefined);
    bull.release();
  }
}

async function requestHeal(config: Config, redis: RedisClient, options: Record<string, unknown>): Promise<number> {
  const prefix = queuePrefix(config.cluster);
  let resource: ResourceKey | undefined;
  if (typeof options['resource'] === 'string') {
    const parsed = parseResourceArg(options['resource']);
    if (typeof parsed === 'string') {
      process.stderr.write(`calico-gitops heal: ${parsed}\n`);
      return 1;
    }
    resource = parsed.key;
  }
  const requestedAt = new Date();
  await redis.set(redisKeys.healRequest(prefix), JSON.stringify({ ...(resource ? { resource } : {}), at: requestedAt.toISOString() }), 'EX', 3600);
  process.stdout.write(`heal requested for ${resource ?? 'every drifted resource'} on cluster ${config.cluster}\n`);
  const deadline = Date.now() + Number(options['timeout'] ?? '120') * 1000;
  for (;;) {
    const state = parseSnapshot(await redis.get(redisKeys.driftState(prefix)));
    // Taken by the leader and checked after it: only then does "no drift" mean restored.
    const taken = (await redis.exists(redisKeys.healRequest(prefix))) === 0;
    if (taken && state && Date.parse(state.checkedAt) > requestedAt.getTime()) {
      const left = state.entries.filter((e) => !resource || e.key === resource);
      if (left.length === 0) {
        process.stdout.write(`restored: ${resource ?? 'the cluster'} matches applied revision ${(state.revision ?? '').slice(0, 12)}\n`);
        return 0;
      }
    }
    if (Date.now() > deadline) {
      process.stderr.write(`calico-gitops heal: ${taken ? 'still drifting' : 'no leader took the request'} after ${options['timeout'] ?? '120'}s (see \`calico-gitops drift\`)\n`);
      return 1;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** `NetworkPolicy/test1/web` or `GlobalNetworkPolicy/allow-dns`; a message when it is neither. */
export function parseResourceArg(text: string): { key: ResourceKey } | string {
  const parts = text.split('/');
  const kind = parts[0] ?? '';
  if (!(KIND_IDS as readonly string[]).includes(kind)) return `unknown kind "${kind}" in --resource (one of ${KIND_IDS.join(', ')})`;
  const kindId = kind as KindId;
  const namespaced = KINDS[kindId].scope === 'Namespaced';
  const rest = parts.slice(1).filter((p, i) => !(i === 0 && p === '' && !namespaced));
  if (namespaced ? rest.length !== 2 || !rest[0] || !rest[1] : rest.length !== 1 || !rest[0]) {
    return `--resource must be ${namespaced ? `${kind}/NAMESPACE/NAME` : `${kind}/NAME`} (got "${text}")`;
  }
  return { key: resourceKey(kindId, namespaced ? rest[0] : undefined, rest[namespaced ? 1 : 0] as string) };
}

function parseSnapshot(raw: string | null): DriftSnapshot | undefined {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as DriftSnapshot;
  } catch {
    return undefined;
  }
}

async function failsafe(fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (err) {
    process.stderr.write(`calico-gitops: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n`);
    return 1;
  }
}
