// End to end on a real Redis Cluster (three masters, one replica each, formed by
// `redis-cli --cluster create`): a controller process (`agent --workers 0`) and two separate
// `worker` processes for cluster A, with `--redis redis+cluster://…` seeds. The master that holds
// A's hash slot is failed over (`CLUSTER FAILOVER` on its replica) while a calicoctl pod runs: the
// commit is still applied, reported and audited exactly once. A second agent for cluster B on the
// same Redis Cluster never sees A's jobs, statuses or audit, nor A B's.
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../agent/domain/runtime.js';
import { bullmqConnection, createRedisClient } from '../../agent/queue/connection.js';
import { QUEUE_NAME, queuePrefix } from '../../agent/queue/keys.js';
import { AuditLog, type AuditRecord } from '../../agent/report/audit-log.js';
import { RedisStatusStore } from '../../agent/report/redis-status-store.js';
import { startCluster, type KubeSim } from '../kube-sim/index.js';
import { eventually, freePort } from '../support/agent-harness.js';
import { spawnCli, type CliProcess } from '../support/cli.js';
import { cleanupGitFixtures, createRepoWithFiles, GIT_TEST_ENV, samplePolicyYaml, type WorkRepo } from '../support/git-fixtures.js';
import { installAgentRbac, type InstalledAgent } from '../support/install-agent.js';
import { startRedisCluster, type RedisClusterFixture } from '../support/redis-server.js';

interface Side {
  readonly cluster: string;
  sim: KubeSim;
  installed: InstalledAgent;
  work: WorkRepo;
  firstSha: string;
  processes: CliProcess[];
}

let redisCluster: RedisClusterFixture;
let redis: Redis | Cluster;
let a: Side;
let b: Side;

const allOutput = () => [a, b].flatMap((s) => s?.processes ?? []).map((p) => p.output().slice(-4_000)).join('\n----\n');

async function startSide(cluster: string, policies: Record<string, string>): Promise<Side> {
  const sim = await startCluster({ tls: true });
  const installed = await installAgentRbac(sim);
  const repo = await createRepoWithFiles(policies);
  return { cluster, sim, installed, work: repo.work, firstSha: repo.sha, processes: [] };
}

/** A worker's flags: the queue, the cluster and the executor (it refuses the controller's). */
function workerFlags(side: Side): string[] {
  return ['--kubeconfig', side.installed.agentKubeconfig, '--cluster', side.cluster, '--redis', redisCluster.seedUrl, '--verify-timeout', '30s'];
}

function flags(side: Side, remoteUrl: string): string[] {
  return ['--repo', remoteUrl, '--poll-interval', '1s', ...workerFlags(side)];
}

const env = { ...GIT_TEST_ENV, CALICO_GITOPS_LOG_LEVEL: 'info' };

async function applyState(side: Side, sha: string): Promise<string | undefined> {
  const store = new RedisStatusStore({ redis, prefix: queuePrefix(side.cluster), cluster: side.cluster, clock: systemClock });
  return (await store.listStatuses({ sha })).find((s) => s.context === `calico-gitops/${side.cluster}/apply`)?.state;
}

async function audit(side: Side): Promise<AuditRecord[]> {
  return new AuditLog({ redis, prefix: queuePrefix(side.cluster), clock: systemClock }).read({ limit: 10_000 });
}

async function gnpNames(side: Side): Promise<string[]> {
  const { stdout } = await side.installed.kubectl(['get', 'globalnetworkpolicies.crd.projectcalico.org', '-o', 'json']);
  return (JSON.parse(stdout) as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name.replace(/^default\./, '')).sort();
}

async function jobIds(side: Side): Promise<string[]> {
  const { connection, release } = bullmqConnection(redisCluster.seedUrl, 'producer');
  const queue = new Queue(QUEUE_NAME, { connection, prefix: queuePrefix(side.cluster) });
  try {
    const jobs = await queue.getJobs(['completed', 'failed', 'active', 'waiting', 'delayed', 'prioritized']);
    return jobs.map((j) => j.id ?? '');
  } finally {
    await queue.close();
    release();
  }
}

beforeAll(async () => {
  redisCluster = await startRedisCluster();
  redis = createRedisClient(redisCluster.seedUrl, 'producer');
  const suffix = randomBytes(3).toString('hex');
  a = await startSide(`rca-${suffix}`, { 'allow-ssh.yaml': samplePolicyYaml('allow-ssh', { order: 10 }) });
  b = await startSide(`rcb-${suffix}`, { 'allow-dns.yaml': samplePolicyYaml('allow-dns', { order: 20 }) });
}, 120_000);

afterAll(async () => {
  await Promise.allSettled([a, b].flatMap((s) => s?.processes ?? []).map((p) => p.stop(10_000)));
  redis?.disconnect();
  await redisCluster?.stop();
  await Promise.allSettled([a?.sim.close(), b?.sim.close()]);
  await cleanupGitFixtures();
}, 60_000);

describe('Redis Cluster', () => {
  it('a controller and two worker processes apply the first commit through a cluster seed URL', async () => {
    const remoteA = (await a.work.git(['remote', 'get-url', 'origin'])).trim();
    const port = await freePort();
    a.processes.push(spawnCli(['agent', ...flags(a, remoteA), '--workers', '0', '--listen', `127.0.0.1:${port}`], { env }));
    for (let i = 0; i < 2; i += 1) a.processes.push(spawnCli(['worker', ...workerFlags(a), '--listen', `127.0.0.1:${await freePort()}`], { env }));

    // Both workers are up (each serves its own health port) before the first job.
    await eventually('both workers running', async () => (a.processes.slice(1).every((p) => p.output().includes('"msg":"starting"')) ? true : undefined), { context: allOutput });
    await eventually('apply success of the first commit', async () => ((await applyState(a, a.firstSha)) === 'success' ? true : undefined), { timeoutMs: 90_000, context: allOutput });
    expect(await gnpNames(a)).toEqual(['allow-ssh']);
    const entries = await audit(a);
    expect(entries.map((e) => [e.action, e.resource, e.result])).toEqual([['create', 'GlobalNetworkPolicy//allow-ssh', 'ok']]);
    // Every key of the cluster's queue is in one slot (one hash tag), else BullMQ's scripts would fail with CROSSSLOT.
    const health = (await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()) as { ready: boolean };
    expect(health.ready).toBe(true);
  }, 120_000);

  it('a master failover while a calicoctl pod runs loses nothing and applies nothing twice', async () => {
    const slotKey = `${queuePrefix(a.cluster)}:jobs:meta`;
    const owner = await redisCluster.ownerOf(slotKey);
    // Pods take a little longer, so the failover surely falls inside one.
    a.sim.faults.set([{ pathPrefix: '/api/v1/namespaces/calico-gitops/pods', latencyMs: 300 }]);
    let failover: Promise<{ from: number; to: number }> | undefined;
    const unsubscribe = a.processes.slice(1).map((w) =>
      w.onLine((line) => {
        if (!failover && line.includes('"msg":"executor pod started"')) failover = redisCluster.failover(slotKey);
      }),
    );
    const names = ['allow-web', 'allow-ntp', 'allow-smtp'];
    const sha = await a.work.commitAndPush({ files: Object.fromEntries(names.map((n, i) => [`${n}.yaml`, samplePolicyYaml(n, { order: 30 + i })])), message: 'three more' });
    try {
      await eventually('an executor pod to start', async () => (failover ? true : undefined), { timeoutMs: 60_000, context: allOutput });
    } finally {
      unsubscribe.forEach((u) => u());
    }
    const moved = await failover;
    expect(moved).toEqual({ from: owner.master.port, to: owner.replica.port });
    a.sim.faults.clear();

    await eventually('apply success after the failover', async () => ((await applyState(a, sha)) === 'success' ? true : undefined), { timeoutMs: 90_000, context: allOutput });
    expect(await gnpNames(a)).toEqual(['allow-ntp', 'allow-smtp', 'allow-ssh', 'allow-web']);
    const ofCommit = (await audit(a)).filter((e) => e.revision === sha);
    // Exactly once each: a job re-run after the failover would append a second entry.
    expect(ofCommit.map((e) => `${e.action} ${e.resource} ${e.result}`).sort()).toEqual(names.map((n) => `create GlobalNetworkPolicy//${n} ok`).sort());
    const now = await redisCluster.nodes();
    expect(now.find((n) => n.port === owner.replica.port)?.role).toBe('master');
    // Both workers are still alive and connected.
    const dead = a.processes.filter((p) => p.child.exitCode !== null || p.child.signalCode !== null);
    expect(dead.map((p) => p.output().slice(-3_000))).toEqual([]);
  }, 150_000);

  it('a second agent for another cluster on the same Redis sees none of the first one’s jobs, statuses or audit', async () => {
    const remoteB = (await b.work.git(['remote', 'get-url', 'origin'])).trim();
    b.processes.push(spawnCli(['agent', ...flags(b, remoteB), '--workers', '1', '--listen', `127.0.0.1:${await freePort()}`], { env }));
    await eventually('apply success of B', async () => ((await applyState(b, b.firstSha)) === 'success' ? true : undefined), { timeoutMs: 90_000, context: allOutput });

    expect(await gnpNames(b)).toEqual(['allow-dns']);
    expect(await gnpNames(a)).toEqual(['allow-ntp', 'allow-smtp', 'allow-ssh', 'allow-web']);
    const auditA = await audit(a);
    const auditB = await audit(b);
    expect(auditB.map((e) => e.resource)).toEqual(['GlobalNetworkPolicy//allow-dns']);
    expect(auditA.some((e) => e.resource.endsWith('allow-dns'))).toBe(false);
    // Statuses: neither cluster holds a status for the other's commits.
    expect(await applyState(b, a.firstSha)).toBeUndefined();
    expect(await applyState(a, b.firstSha)).toBeUndefined();
    const jobsA = await jobIds(a);
    const jobsB = await jobIds(b);
    expect(jobsB.length).toBeGreaterThan(0);
    expect(jobsB.every((id) => id.includes(b.cluster))).toBe(true);
    expect(jobsA.every((id) => id.includes(a.cluster))).toBe(true);
  }, 120_000);
});
