// Bad input through the real parts (git, the simulator, Redis, a fake forge): a policy file
// replaced by a symlink, a vanished --path, and a warning each end with a validate status that says
// so on the commit and nothing applied; an unknown branch keeps the agent not ready until the
// repository is reached once, and a later outage does not flip it back.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentProcess } from '../../agent/app/agent-process.js';
import type { Config } from '../../agent/config/config.js';
import { startCluster, type KubeSim } from '../kube-sim/index.js';
import { startFakeForge, type FakeForge } from '../support/fake-forge.js';
import { dropClusterKeys, eventually, startTestAgent, testConfig } from '../support/agent-harness.js';
import { cleanupGitFixtures, createRepoWithFiles, samplePolicyYaml, type Remote, type WorkRepo } from '../support/git-fixtures.js';
import { installAgentRbac, type InstalledAgent } from '../support/install-agent.js';

const FORGE_REPO = 'acme/bad-input';
const TOKEN = `ghp_${randomBytes(8).toString('hex')}`;

let sim: KubeSim;
let installed: InstalledAgent;
let forge: FakeForge;
let remote: Remote;
let work: WorkRepo;
let firstSha: string;
let dir: string;
const agents: AgentProcess[] = [];
const clusters: string[] = [];
const logLines: string[] = [];

beforeAll(async () => {
  sim = await startCluster({ tls: true });
  installed = await installAgentRbac(sim);
  forge = await startFakeForge({ tokens: { github: TOKEN }, repos: [FORGE_REPO] });
  const repo = await createRepoWithFiles({ 'policies/a.yaml': samplePolicyYaml('a', { order: 10 }), 'policies/b.yaml': samplePolicyYaml('b', { order: 20 }) });
  ({ remote, work } = repo);
  firstSha = repo.sha;
  dir = await mkdtemp(join(tmpdir(), 'cg-bad-input-'));
  await writeFile(join(dir, 'forge-token'), TOKEN);
}, 60_000);

afterAll(async () => {
  for (const a of agents) await a.stop();
  const redis = new Redis();
  for (const cluster of clusters) {
    await dropClusterKeys(redis, cluster);
  }
  redis.disconnect();
  await forge?.close();
  await sim?.close();
  await cleanupGitFixtures();
  await rm(dir, { recursive: true, force: true });
}, 60_000);

function configFor(flags: Record<string, string>): Config {
  const cluster = `bad-${randomBytes(4).toString('hex')}`;
  clusters.push(cluster);
  return testConfig({
    repo: remote.url,
    path: 'policies',
    cluster,
    kubeconfig: installed.agentKubeconfig,
    forge: 'github',
    forgeUrl: forge.apiUrl('github'),
    forgeTokenFile: join(dir, 'forge-token'),
    forgeRepo: FORGE_REPO,
    pollInterval: '300ms',
    ...flags,
  });
}

async function start(config: Config, http = false): Promise<AgentProcess> {
  const agent = await startTestAgent({
    config,
    logger: pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) }),
    cacheDir: await mkdtemp(join(dir, 'cache-')),
    controller: true,
    workers: 1,
    http,
  });
  agents.push(agent);
  return agent;
}

const last = (config: Config, sha: string, kind: string) =>
  forge.statuses('github', FORGE_REPO, sha).filter((s) => s.context === `calico-gitops/${config.cluster}/${kind}`).at(-1);

async function gnpNames(): Promise<string[]> {
  const { stdout } = await installed.kubectl(['get', 'globalnetworkpolicies.crd.projectcalico.org', '-o', 'json']);
  return (JSON.parse(stdout) as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name).sort();
}

describe('bad input', () => {
  let config: Config;

  // Each test starts from the first commit applied, so any one of them runs alone.
  beforeAll(async () => {
    config = configFor({});
    await start(config);
    await eventually('the first apply', async () => (last(config, firstSha, 'apply')?.state === 'success' ? true : undefined), { timeoutMs: 60_000 });
  }, 90_000);

  it('a policy file replaced by a symlink fails validate naming the file, and nothing is deleted', async () => {
    await rm(join(work.dir, 'policies', 'b.yaml'));
    await symlink('a.yaml', join(work.dir, 'policies', 'b.yaml'));
    const sha = await work.commitAndPush({ message: 'b becomes a link' });
    await expect.poll(() => last(config, sha, 'validate')?.state, { timeout: 60_000, interval: 200 }).toBe('failure');
    expect(last(config, sha, 'validate')?.description).toMatch(/^invalid: policies\/b\.yaml symbolic link/);
    expect(last(config, sha, 'apply')).toBeUndefined();
    expect(await gnpNames()).toEqual(['default.a', 'default.b']);
  });

  it('a warning reaches the validate status and the log', async () => {
    const warned = `${samplePolicyYaml('b', { order: 20 })}  egress:\n    - action: Allow\n`;
    await rm(join(work.dir, 'policies', 'b.yaml'));
    const sha = await work.commitAndPush({ files: { 'policies/b.yaml': warned }, message: 'b with egress rules it does not use' });
    await expect.poll(() => last(config, sha, 'apply')?.state, { timeout: 60_000, interval: 200 }).toBe('success');
    expect(last(config, sha, 'validate')?.description).toMatch(/^valid: 2 resources; 1 warning: policies\/b\.yaml:\d+ egress rules have no effect/);
    expect(logLines.some((l) => l.includes(sha) && /policies\/b\.yaml:\d+:\d+: warning: egress rules have no effect/.test(l))).toBe(true);
  });

  it('the policy folder vanishing fails validate on the commit and deletes nothing', async () => {
    const sha = await work.commitAndPush({
      files: { 'policies/a.yaml': null, 'policies/b.yaml': null, 'elsewhere/a.yaml': samplePolicyYaml('a', { order: 10 }) },
      message: 'move the folder',
    });
    await expect.poll(() => last(config, sha, 'validate')?.state, { timeout: 60_000, interval: 200 }).toBe('failure');
    expect(last(config, sha, 'validate')?.description).toMatch(/^invalid: path policies does not exist at [0-9a-f]{12} of file:\/\//);
    expect(await gnpNames()).toEqual(['default.a', 'default.b']);
  });

  it('an unknown branch keeps the agent not ready, saying why, until the branch is reached; a later outage does not flip it', async () => {
    const branch = `release-${randomBytes(3).toString('hex')}`;
    // Its own instance name, so it never touches what the first agent applied.
    const agent = await start(configFor({ branch, instance: 'other-instance' }), true);
    const readyz = async () => (await fetch(`${agent.url}/readyz`)).json() as Promise<{ ready: boolean; checks: Record<string, boolean> }>;
    await expect.poll(() => logLines.some((l) => l.includes(`branch ${branch} does not exist`)), { timeout: 30_000, interval: 200 }).toBe(true);
    expect(await readyz()).toMatchObject({ ready: false, checks: { source: false } });
    const status = (await (await fetch(`${agent.url}/status`)).json()) as { source: { reached: boolean; problem?: string } };
    expect(status.source).toEqual({ reached: false, problem: expect.stringContaining(`branch ${branch} does not exist`) });

    await work.push({ branch });
    await expect.poll(async () => (await readyz()).ready, { timeout: 60_000, interval: 200 }).toBe(true);
    await work.git(['push', '--quiet', 'origin', `:${branch}`]);
    // The branch is gone again: logged, but readiness stays (the last good state stays applied).
    const before = logLines.length;
    await expect.poll(() => logLines.slice(before).some((l) => l.includes(`branch ${branch} does not exist`)), { timeout: 30_000, interval: 200 }).toBe(true);
    expect(await readyz()).toMatchObject({ ready: true, checks: { source: true } });
  });
});
