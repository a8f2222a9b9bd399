// End to end: the apply status of a commit has one writer (the controller, reading the job's state
// and result from the queue), so what a worker's job came to is not overwritten later: not by the
// next poll, not by a restarted agent, not by a new leader. Real git, Redis, simulator with the
// RBAC from deploy/, a fake forge that records every status posted.
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentProcess } from '../../agent/app/agent-process.js';
import type { Config } from '../../agent/config/config.js';
import { startCluster, type KubeSim } from '../kube-sim/index.js';
import { dropClusterKeys, eventually, startTestAgent, testConfig } from '../support/agent-harness.js';
import { startFakeForge, type FakeForge } from '../support/fake-forge.js';
import { cleanupGitFixtures, createRepoWithFiles, samplePolicyYaml, type WorkRepo } from '../support/git-fixtures.js';
import { installAgentRbac, type InstalledAgent } from '../support/install-agent.js';

const FORGE_REPO = 'acme/policies';
const TOKEN = `ghp_${randomBytes(8).toString('hex')}`;
const EXECUTOR_BINDING = join('deploy', 'rbac-executor.yaml');

let sim: KubeSim;
let installed: InstalledAgent;
let forge: FakeForge;
let work: WorkRepo;
let config: Config;
let dir: string;
let sha: string;
let agent: AgentProcess | undefined;
const logger = pino({ level: 'silent' });

const applyHistory = (commit: string) =>
  forge
    .statuses('github', FORGE_REPO, commit)
    .filter((s) => s.context === `calico-gitops/${config.cluster}/apply`)
    .map((s) => `${s.state}: ${s.description}`);

const start = () => startTestAgent({ config, logger, cacheDir: dir, controller: true, workers: 1, http: false });

/** Waits for `n` more controller cycles of the agent (each one posts the statuses it decides). */
async function cycles(a: AgentProcess, n: number): Promise<void> {
  const seen = new Set<string>();
  await eventually(`${n} controller cycles`, async () => {
    const at = a.lastCycle()?.at;
    if (at) seen.add(at);
    return seen.size > n ? true : undefined;
  });
}

/** The first commit's forbidden failure is on the commit: each scenario starts from it, so each also runs alone. */
const failurePosted = () => eventually('apply failure', async () => (applyHistory(sha).some((s) => s.startsWith('failure')) ? true : undefined), { timeoutMs: 90_000 });

beforeAll(async () => {
  sim = await startCluster({ tls: true });
  installed = await installAgentRbac(sim);
  // The executor may not write policy: every apply is forbidden, a stalled failure.
  await installed.kubectl(['delete', 'clusterrolebinding', 'calico-gitops-executor']);
  forge = await startFakeForge({ tokens: { github: TOKEN }, repos: [FORGE_REPO] });
  const repo = await createRepoWithFiles({ 'policies/allow-ssh.yaml': samplePolicyYaml('allow-ssh', { order: 10 }) });
  work = repo.work;
  sha = repo.sha;
  dir = await mkdtemp(join(tmpdir(), 'cg-one-writer-'));
  await writeFile(join(dir, 'forge-token'), `${TOKEN}\n`);
  config = testConfig({
    repo: repo.remote.url,
    path: 'policies',
    cluster: `writer-${randomBytes(4).toString('hex')}`,
    kubeconfig: installed.agentKubeconfig,
    forge: 'github',
    forgeUrl: forge.apiUrl('github'),
    forgeTokenFile: join(dir, 'forge-token'),
    forgeRepo: FORGE_REPO,
    pollInterval: '1s',
  });
  agent = await start();
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  if (config) {
    const redis = new Redis(config.redis);
    await dropClusterKeys(redis, config.cluster);
    redis.disconnect();
  }
  await forge?.close();
  await sim?.close();
  await cleanupGitFixtures();
}, 60_000);

describe('one writer for the apply status', () => {
  // Each scenario waits for a calicoctl pod on a loaded machine: more room than the default.
  it("a job's stalled failure stays on the commit through later polls", async () => {
    await failurePosted();
    const running = agent;
    if (!running) throw new Error('no agent');
    await cycles(running, 3);
    const history = applyHistory(sha);
    expect(history[0]).toBe('pending: applying: 1 to create, 0 to update, 0 to delete');
    const failure = history.findIndex((s) => s.startsWith('failure'));
    expect(history[failure]).toMatch(/^failure: forbidden: GlobalNetworkPolicy [\w.-]*allow-ssh: /);
    expect(history[failure]).not.toContain('forbidden: forbidden');
    // Nothing after the failure says otherwise (the forge only gets a status when it changes).
    expect(history.slice(failure + 1)).toEqual([]);
  }, 150_000);

  it('a restarted agent (a new leader) reads the same job and posts no pending over the failure', async () => {
    await failurePosted();
    const before = applyHistory(sha);
    await agent?.stop();
    agent = await start();
    await cycles(agent, 3);
    const after = applyHistory(sha).slice(before.length);
    expect(after.filter((s) => !s.startsWith('failure: forbidden:'))).toEqual([]);
    expect(agent.lastCycle()?.summary.statuses).toContainEqual({ kind: 'apply', state: 'failure', description: expect.stringMatching(/^forbidden: /) });
  }, 150_000);

  it('with the rights restored, the next commit is applied and reported', async () => {
    await failurePosted();
    await installed.kubectl(['apply', '-f', EXECUTOR_BINDING]);
    const next = await work.commitAndPush({ files: { 'policies/allow-web.yaml': samplePolicyYaml('allow-web', { order: 30 }) }, message: 'add web policy' });
    await eventually('apply success of the next commit', async () => (applyHistory(next).some((s) => s.startsWith('success')) ? true : undefined), { timeoutMs: 90_000 });
    expect(applyHistory(next)).toEqual(['pending: applying: 2 to create, 0 to update, 0 to delete', 'success: applied 2, deleted 0']);
  }, 200_000);

  it('every key the agent wrote carries the cluster hash tag (one Redis Cluster slot)', async () => {
    await failurePosted();
    const redis = new Redis(config.redis);
    try {
      // The job, its revision, the statuses and what was posted: present once the failure is.
      await expect.poll(async () => (await redis.keys(`*${config.cluster}*`)).length, { timeout: 30_000 }).toBeGreaterThan(5);
      const keys = await redis.keys(`*${config.cluster}*`);
      expect(keys.filter((k) => !k.startsWith(`{calico-gitops:${config.cluster}}:`))).toEqual([]);
    } finally {
      redis.disconnect();
    }
  }, 150_000);
});
