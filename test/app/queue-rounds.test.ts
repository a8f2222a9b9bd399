// A finished job never blocks its plan from running again when the cluster needs it (real git,
// Redis, the simulator and calicoctl pods): an object deleted by hand twice on one commit comes back
// twice; a commit whose job ran out of retries during an API outage is applied after it; a force-push
// flip-flop A → C → A → C → A applies every return. And each change is audited once, whatever the retries.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentProcess } from '../../agent/app/agent-process.js';
import type { Config } from '../../agent/config/config.js';
import { systemClock } from '../../agent/domain/runtime.js';
import { queuePrefix } from '../../agent/queue/keys.js';
import { AuditLog } from '../../agent/report/audit-log.js';
import { RedisStatusStore } from '../../agent/report/redis-status-store.js';
import { startCluster, type KubeSim } from '../kube-sim/index.js';
import { dropClusterKeys, startTestAgent, testConfig } from '../support/agent-harness.js';
import { cleanupGitFixtures, createRepoWithFiles, samplePolicyYaml, type WorkRepo } from '../support/git-fixtures.js';
import { installAgentRbac, type InstalledAgent } from '../support/install-agent.js';

const CRD = '/apis/crd.projectcalico.org/v1';
let sim: KubeSim;
let installed: InstalledAgent;
let redis: Redis;
let dir: string;
const agents: AgentProcess[] = [];
const clusters: string[] = [];

beforeAll(async () => {
  sim = await startCluster({ tls: true });
  installed = await installAgentRbac(sim);
  redis = new Redis();
  dir = await mkdtemp(join(tmpdir(), 'cg-rounds-'));
}, 60_000);

afterAll(async () => {
  for (const a of agents) await a.stop();
  for (const cluster of clusters) {
    await dropClusterKeys(redis, cluster);
  }
  redis.disconnect();
  await sim?.close();
  await cleanupGitFixtures();
  await rm(dir, { recursive: true, force: true });
}, 60_000);

/** A repository and an agent of its own (own cluster name and owner), so each test runs alone. */
async function setup(files: Record<string, string>): Promise<{ work: WorkRepo; sha: string; config: Config; agent: AgentProcess; applied: (sha: string) => Promise<string | undefined> }> {
  const repo = await createRepoWithFiles(files);
  const cluster = `rounds-${randomBytes(4).toString('hex')}`;
  clusters.push(cluster);
  const config = testConfig({ repo: repo.remote.url, cluster, instance: cluster, kubeconfig: installed.agentKubeconfig, pollInterval: '300ms' });
  const agent = await startTestAgent({
      config,
      logger: pino({ level: 'silent' }),
      cacheDir: await mkdtemp(join(dir, 'cache-')),
      controller: true,
      workers: 1,
      http: false,
      jobRetry: { retry: { attempts: 2, backoffMs: 100 }, rounds: { baseMs: 500, maxMs: 2_000 } },
  });
  agents.push(agent);
  const statuses = new RedisStatusStore({ redis, prefix: queuePrefix(cluster), cluster, clock: systemClock });
  const applied = async (sha: string) => {
    const s = (await statuses.listStatuses({ sha })).find((x) => x.context === `calico-gitops/${cluster}/apply`);
    return s ? `${s.state}: ${s.description}` : undefined;
  };
  return { work: repo.work, sha: repo.sha, config, agent, applied };
}

async function gnps(prefix: string): Promise<string[]> {
  const { stdout } = await installed.kubectl(['get', 'globalnetworkpolicies.crd.projectcalico.org', '-o', 'json']);
  return (JSON.parse(stdout) as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name).filter((n) => n.startsWith(`default.${prefix}`)).sort();
}

const POLL = { timeout: 60_000, interval: 200 };

describe('a finished job does not block its plan', () => {
  it('repairs a second hand-deletion of the same object on the same commit', async () => {
    const { sha, config, agent, applied } = await setup({ 'a.yaml': samplePolicyYaml('hd-a') });
    await expect.poll(() => applied(sha), POLL).toMatch(/^success/);
    for (const round of [1, 2]) {
      await installed.kubectl(['delete', 'globalnetworkpolicies.crd.projectcalico.org', 'default.hd-a']);
      await expect.poll(() => gnps('hd-'), POLL).toEqual(['default.hd-a']);
      // The repair's job has finished (a cycle after it is in sync, not busy), so the next deletion
      // is a new one: not one that a retry of the job still running would cover.
      const back = new Date().toISOString();
      await expect.poll(() => {
        const last = agent.lastCycle();
        return last && last.at > back ? last.outcome.kind : undefined;
      }, POLL).toBe('in-sync');
      await expect.poll(() => applied(sha), POLL).toMatch(/^success/);
      // Each deletion was repaired by a run of its own: the first apply and one write per repair.
      const audit = await new AuditLog({ redis, prefix: queuePrefix(config.cluster), clock: systemClock }).read({ limit: 100 });
      expect(audit.filter((r) => r.resource === 'GlobalNetworkPolicy//hd-a' && r.result === 'ok')).toHaveLength(1 + round);
    }
  });

  it('applies a commit whose job ran out of retries during an API outage once the API is back', async () => {
    const { work, sha, applied } = await setup({ 'a.yaml': samplePolicyYaml('out-a') });
    await expect.poll(() => applied(sha), POLL).toMatch(/^success/);
    // Executor pods cannot be created: every attempt of the job fails, and it runs out of retries.
    sim.faults.set([{ method: 'POST', pathPrefix: '/api/v1/namespaces/calico-gitops/pods', status: 500 }]);
    try {
      const next = await work.commitAndPush({ files: { 'b.yaml': samplePolicyYaml('out-b') }, message: 'add b during the outage' });
      // The status says a new round will run after the failure.
      await expect.poll(() => applied(next), POLL).toMatch(/^pending: retrying \(round [2-9]\) after: /);
      sim.faults.clear();
      await expect.poll(() => gnps('out-'), POLL).toEqual(['default.out-a', 'default.out-b']);
      await expect.poll(() => applied(next), POLL).toMatch(/^success/);
    } finally {
      sim.faults.clear();
    }
  });

  it('applies every return of a force-push flip-flop A → C → A → C → A', async () => {
    const { work, sha: base, applied } = await setup({ 'README.md': '# flip-flop\n' });
    await expect.poll(() => applied(base), POLL).toMatch(/^success/);
    const a = await work.commit({ files: { 'a.yaml': samplePolicyYaml('ff-a') }, message: 'A' });
    await work.resetHard(base);
    const c = await work.commit({ files: { 'c.yaml': samplePolicyYaml('ff-c') }, message: 'C' });
    for (const [sha, names] of [[a, ['default.ff-a']], [c, ['default.ff-c']], [a, ['default.ff-a']], [c, ['default.ff-c']], [a, ['default.ff-a']]] as const) {
      await work.resetHard(sha);
      await work.push({ force: true });
      await expect.poll(() => gnps('ff-'), POLL).toEqual(names);
      await expect.poll(() => applied(sha), POLL).toMatch(/^success/);
    }
  });

  it('audits each change once although the job took two attempts', async () => {
    const { work, sha, config, applied } = await setup({ 'README.md': '# audit\n' });
    await expect.poll(() => applied(sha), POLL).toMatch(/^success/);
    const set = ['apiVersion: projectcalico.org/v3', 'kind: GlobalNetworkSet', 'metadata:', '  name: au-set', '  labels: { role: au }', 'spec:', '  nets: [10.9.0.0/16]', ''].join('\n');
    // The set (applied first) is created; the policy after it hits one API error: the job retries.
    sim.faults.set([{ method: 'POST', pathPrefix: `${CRD}/globalnetworkpolicies`, status: 500, times: 1 }]);
    const next = await work.commitAndPush({ files: { 'set.yaml': set, 'p.yaml': samplePolicyYaml('au-p') }, message: 'set and policy' });
    await expect.poll(() => applied(next), POLL).toMatch(/^success/);
    const records = await new AuditLog({ redis, prefix: queuePrefix(config.cluster), clock: systemClock }).read({ limit: 100 });
    const ok = records.filter((r) => r.revision === next && r.result === 'ok').map((r) => `${r.action} ${r.resource}`).sort();
    expect(ok).toEqual(['create GlobalNetworkPolicy//au-p', 'create GlobalNetworkSet//au-set']);
  });
});
