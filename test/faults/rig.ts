// One rig for the fault tests: the simulator over HTTPS with the agent's RBAC from deploy/, a Git
// repository, an agent process, and the checks every fault test ends with: the cluster equals the
// repository, every change of the commit is audited exactly once, the statuses end right, no
// executor pod or ConfigMap is left behind. The outcome goes into the suite's ledger.
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { expect } from 'vitest';
import type { AgentProcess } from '../../agent/app/agent-process.js';
import type { Config } from '../../agent/config/config.js';
import { createLogger } from '../../agent/config/logger.js';
import { systemClock } from '../../agent/domain/runtime.js';
import { queuePrefix } from '../../agent/queue/keys.js';
import { AuditLog, type AuditRecord } from '../../agent/report/audit-log.js';
import { RedisStatusStore, type StoredCommitStatus } from '../../agent/report/redis-status-store.js';
import { startCluster, type ClusterOptions, type KubeSim } from '../kube-sim/index.js';
import { eventually, startTestAgent, testConfig } from '../support/agent-harness.js';
import { createRepoWithFiles, type FileChanges, type Remote, type WorkRepo } from '../support/git-fixtures.js';
import { installAgentRbac, type InstalledAgent } from '../support/install-agent.js';
import { recordFault } from './ledger.js';

export interface FaultRig {
  readonly sim: KubeSim;
  readonly installed: InstalledAgent;
  readonly work: WorkRepo;
  readonly remote: Remote;
  readonly config: Config;
  readonly firstSha: string;
  /** JSON log lines of the in-process agent. */
  readonly logs: string[];
  /** Called with every log entry as it is written, to act at an exact point of a job. */
  onLog: ((entry: { msg?: string; revision?: string; jobId?: string }) => void) | undefined;
  agent: AgentProcess | undefined;
  startAgent(o?: { controller?: boolean; workers?: number; http?: boolean; config?: Config }): Promise<AgentProcess>;
  /** GlobalNetworkPolicy names in the cluster (tier prefix removed). */
  policies(): Promise<string[]>;
  status(sha: string, kind: 'validate' | 'apply'): Promise<StoredCommitStatus | undefined>;
  audit(): Promise<AuditRecord[]>;
  /** Executor pods and ConfigMaps still in the namespace. */
  leftovers(): Promise<string[]>;
  /**
   * Waits for the commit's apply status to succeed, then checks the cluster, the audit (each of
   * `changes` exactly once, nothing else for this commit) and the leftovers, and records the outcome.
   */
  converged(o: { sha: string; fault: string; injected: number; policies: string[]; changes: string[]; timeoutMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

export interface FaultRigOptions {
  readonly files: FileChanges;
  /** Default the shared Redis on 6379 (a random cluster name keeps it apart). */
  readonly redisUrl?: string;
  readonly flags?: Record<string, string>;
  readonly sim?: ClusterOptions;
}

export async function startFaultRig(o: FaultRigOptions): Promise<FaultRig> {
  const sim = await startCluster({ tls: true, ...o.sim });
  const installed = await installAgentRbac(sim);
  const repo = await createRepoWithFiles(o.files);
  const cacheDir = await mkdtemp(join(tmpdir(), 'cg-faults-cache-'));
  const redisUrl = o.redisUrl ?? 'redis://127.0.0.1:6379';
  const config = testConfig({
    repo: repo.remote.url,
    cluster: `fault-${randomBytes(4).toString('hex')}`,
    kubeconfig: installed.agentKubeconfig,
    redis: redisUrl,
    pollInterval: '1s',
    ...o.flags,
  });
  const prefix = queuePrefix(config.cluster);
  const logs: string[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: {
      write: (line: string) => {
        logs.push(line);
        rig.onLog?.(JSON.parse(line) as { msg?: string });
      },
    },
  });
  /** A short-lived client per read, so a read never waits on a connection that saw a Redis crash. */
  const withRedis = async <T>(fn: (redis: Redis) => Promise<T>): Promise<T> => {
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      return await fn(redis);
    } finally {
      redis.disconnect();
    }
  };
  const kubectlJson = async (args: string[]) => JSON.parse((await installed.kubectl([...args, '-o', 'json'])).stdout) as { items: { metadata: { name: string } }[] };

  const rig: FaultRig = {
    sim,
    installed,
    work: repo.work,
    remote: repo.remote,
    config,
    firstSha: repo.sha,
    logs,
    onLog: undefined,
    agent: undefined,
    startAgent: async (s = {}) => {
      rig.agent = await startTestAgent({ config: s.config ?? config, logger, cacheDir, controller: s.controller ?? true, workers: s.workers ?? 1, http: s.http ?? false });
      return rig.agent;
    },
    policies: async () => (await kubectlJson(['get', 'globalnetworkpolicies.crd.projectcalico.org'])).items.map((i) => i.metadata.name.replace(/^default\./, '')).sort(),
    status: (sha, kind) =>
      withRedis(async (redis) => {
        const store = new RedisStatusStore({ redis, prefix, cluster: config.cluster, clock: systemClock });
        return (await store.listStatuses({ sha })).find((s) => s.context === `calico-gitops/${config.cluster}/${kind}`);
      }),
    audit: () => withRedis((redis) => new AuditLog({ redis, prefix, clock: systemClock }).read({ limit: 100_000 })),
    leftovers: async () => {
      const selector = 'app.kubernetes.io/managed-by=calico-gitops';
      const pods = await kubectlJson(['get', 'pods', '-n', 'calico-gitops', '-l', selector]);
      const cms = await kubectlJson(['get', 'configmaps', '-n', 'calico-gitops', '-l', selector]);
      return [...pods.items.map((p) => `pod/${p.metadata.name}`), ...cms.items.map((c) => `configmap/${c.metadata.name}`)];
    },
    converged: async (c) => {
      let converged = 0;
      let lost = c.changes.length;
      let doubleApplies = 0;
      try {
        const status = await eventually(
          `apply success of ${c.sha.slice(0, 8)} after ${c.fault}`,
          async () => {
            const s = await rig.status(c.sha, 'apply');
            return s?.state === 'success' ? s : undefined;
          },
          { timeoutMs: c.timeoutMs ?? 90_000, context: () => logs.slice(-15).join('') },
        );
        const ofCommit = (await rig.audit()).filter((e) => e.revision === c.sha && e.result === 'ok').map((e) => `${e.action} ${e.resource}`);
        const seen = new Map<string, number>();
        for (const e of ofCommit) seen.set(e, (seen.get(e) ?? 0) + 1);
        lost = c.changes.filter((ch) => !seen.has(ch)).length;
        doubleApplies = [...seen.values()].reduce((n, count) => n + Math.max(0, count - 1), 0);
        const policies = await rig.policies();
        const missing = c.policies.filter((p) => !policies.includes(p)).length;
        lost = Math.max(lost, missing);
        expect(policies).toEqual([...c.policies].sort());
        expect(ofCommit.sort()).toEqual([...c.changes].sort());
        expect(status.state).toBe('success');
        await eventually('no executor pod or ConfigMap left', async () => ((await rig.leftovers()).length === 0 ? true : undefined), { timeoutMs: 30_000 });
        converged = 1;
      } finally {
        recordFault({ fault: c.fault, injected: c.injected, syncs: 1, converged, lost, doubleApplies });
      }
    },
    stop: async () => {
      await rig.agent?.stop();
      await sim.close();
      await withRedis(async (redis) => {
        const keys = await redis.keys(`${prefix}*`);
        if (keys.length > 0) await redis.del(...keys);
      }).catch(() => undefined);
    },
  };
  return rig;
}

/** `create GlobalNetworkPolicy//<name>` etc., as the audit names a change. */
export const change = (action: 'create' | 'update' | 'delete', name: string): string => `${action} GlobalNetworkPolicy//${name}`;
