// Wiring of `calico-gitops uninstall`: the real adapters behind agent/uninstall's ports (the live
// cache, the configured executor (calicoctl pods or the API), the queue, the Kubernetes API for the agent's own objects, Redis).
import { KubernetesObjectApi } from '@kubernetes/client-node';
import { Queue } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import type { Config } from '../config/config.js';
import type { Logger } from '../domain/runtime.js';
import { systemClock } from '../domain/runtime.js';
import { CalicoctlExecutor } from '../executor/calicoctl-executor.js';
import { liveVerifier } from '../executor/verify.js';
import { createKubeClients } from '../kube/client.js';
import { detectCluster } from '../kube/detect.js';
import { toKubeError } from '../kube/errors.js';
import { createLiveCache } from '../live/create-live-cache.js';
import { bullmqConnection } from '../queue/connection.js';
import { QUEUE_NAME, queuePrefix, redisKeys } from '../queue/keys.js';
import { agentObjects, type AgentObjectRef } from '../uninstall/agent-objects.js';
import type { UninstallPorts } from '../uninstall/run-uninstall.js';
import { calicoctlExecutor, checkExecutor, createExecutor } from './executor.js';
import { roleOptions } from './role-options.js';

export interface UninstallWiring {
  readonly ports: UninstallPorts;
  close(): Promise<void>;
}

export async function uninstallPorts(input: { readonly config: Config; readonly redis: Redis | Cluster; readonly logger: Logger; say(line: string): void }): Promise<UninstallWiring> {
  const { config, redis, logger } = input;
  const prefix = queuePrefix(config.cluster);
  const clients = createKubeClients({ ...(config.kubeconfig ? { kubeconfig: config.kubeconfig } : {}), ...(config.context ? { context: config.context } : {}) });
  const cluster = await detectCluster(clients, config.calicoVersion ? { calicoVersionOverride: config.calicoVersion } : {});
  // The deletes go through the executor the agent is configured with, refused alike where it cannot run.
  const wiring = { executor: roleOptions(config, cluster.calicoVersion).executor, clients, calicoVersion: cluster.calicoVersion, logger };
  await checkExecutor({ ...wiring, cluster, applies: true });
  const live = createLiveCache({ clients, cluster, logger: logger.child({ component: 'live' }) });
  live.start();
  const executor = createExecutor(wiring);
  // Leftover executor pods and ConfigMaps (of a worker that died, or of calicoctl runs before a switch to api).
  const sweeper = executor instanceof CalicoctlExecutor ? executor : calicoctlExecutor(wiring);
  const objects = KubernetesObjectApi.makeApiClient(clients.config);
  const spec = (ref: AgentObjectRef) => ({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } });
  const bull = bullmqConnection(config.redis, 'producer');
  const queue = new Queue(QUEUE_NAME, { connection: bull.connection, prefix });
  queue.on('error', () => undefined);
  // A job may run for at most its pod deadline and the live check after it.
  const quietWithinMs = config.podTimeout + config.verifyTimeout + 10_000;

  const ports: UninstallPorts = {
    live,
    pause: async () => void (await redis.set(redisKeys.syncPaused(prefix), new Date().toISOString())),
    quiesce: async () => {
      await queue.drain(true);
      const running = await pollUntilZero(async () => Object.values(await queue.getJobCounts('active', 'waiting', 'delayed', 'prioritized')).reduce((a, b) => a + b, 0), quietWithinMs);
      if (running > 0) throw new Error(`a job was still running after ${Math.round(quietWithinMs / 1000)}s; run again`);
    },
    executor,
    verifier: liveVerifier(live),
    existingAgentObjects: async () => {
      const out: AgentObjectRef[] = [];
      for (const ref of agentObjects({ namespace: config.namespace, cluster: config.cluster })) {
        try {
          await objects.read(spec(ref));
          out.push(ref);
        } catch (err) {
          const e = toKubeError(err, { action: `read ${ref.kind} ${ref.name}` });
          if (e.status !== 404) throw e;
        }
      }
      return out;
    },
    removeAgentObject: async (ref) => {
      try {
        await objects.delete(spec(ref), undefined, undefined, undefined, undefined, 'Background');
      } catch (err) {
        const e = toKubeError(err, { action: `delete ${ref.kind} ${ref.name}` });
        if (e.status !== 404) throw e;
      }
    },
    sweepExecutorObjects: () => sweeper.sweep({ now: systemClock.now(), olderThanMs: 0 }),
    waitForAgentsGone: async (timeoutMs) => {
      // BullMQ names its connections: a worker's blocking one and a QueueEvents listener (every
      // controller has one) show in CLIENT LIST; this command runs neither.
      return pollUntilZero(async () => (await queue.getWorkersCount()) + (await queue.getQueueEvents()).length, timeoutMs);
    },
    clearRedis: async () => {
      const nodes: (Redis | Cluster)[] = 'nodes' in redis && typeof redis.nodes === 'function' ? redis.nodes('master') : [redis];
      let removed = 0;
      for (const node of nodes) {
        let cursor = '0';
        do {
          const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
          cursor = next;
          // One slot per cluster (the hash tag): a multi-key DEL is fine on Redis Cluster too.
          if (keys.length > 0) removed += await redis.del(...keys);
        } while (cursor !== '0');
      }
      return removed;
    },
    say: input.say,
  };
  return {
    ports,
    close: async () => {
      await live.stop();
      await queue.close().catch(() => undefined);
      bull.release();
    },
  };
}

/** Polls `count` every 200 ms until it is 0 or `timeoutMs` has passed; resolves the last count. */
async function pollUntilZero(count: () => Promise<number>, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = await count();
    if (n === 0 || Date.now() > deadline) return n;
    await new Promise((r) => setTimeout(r, 200));
  }
}
