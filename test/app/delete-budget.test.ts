// The delete budget end to end: one delete from a small repository applies; a commit deleting
// every owned object is held with one pending apply status that says how to release it, the log
// says so once although the agent keeps polling, and the trailer releases it.
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
import { startFakeForge, type FakeForge } from '../support/fake-forge.js';
import { dropClusterKeys, startTestAgent, testConfig } from '../support/agent-harness.js';
import { cleanupGitFixtures, createRepoWithFiles, samplePolicyYaml, type WorkRepo } from '../support/git-fixtures.js';
import { installAgentRbac, type InstalledAgent } from '../support/install-agent.js';

const FORGE_REPO = 'acme/budget';
const TOKEN = `ghp_${randomBytes(8).toString('hex')}`;

let sim: KubeSim;
let installed: InstalledAgent;
let forge: FakeForge;
let work: WorkRepo;
let firstSha: string;
let agent: AgentProcess;
let config: Config;
const logLines: string[] = [];

beforeAll(async () => {
  sim = await startCluster({ tls: true });
  installed = await installAgentRbac(sim);
  forge = await startFakeForge({ tokens: { github: TOKEN }, repos: [FORGE_REPO] });
  const repo = await createRepoWithFiles({
    'p/a.yaml': samplePolicyYaml('a', { order: 10 }),
    'p/b.yaml': samplePolicyYaml('b', { order: 20 }),
    'p/c.yaml': samplePolicyYaml('c', { order: 30 }),
  });
  work = repo.work;
  firstSha = repo.sha;
  const dir = await mkdtemp(join(tmpdir(), 'cg-budget-'));
  await writeFile(join(dir, 'forge-token'), TOKEN);
  config = testConfig({
    repo: repo.remote.url,
    path: 'p',
    cluster: `budget-${randomBytes(4).toString('hex')}`,
    kubeconfig: installed.agentKubeconfig,
    forge: 'github',
    forgeUrl: forge.apiUrl('github'),
    forgeTokenFile: join(dir, 'forge-token'),
    forgeRepo: FORGE_REPO,
    // Short, so a held plan is looked at again many times while the test watches.
    pollInterval: '300ms',
  });
  agent = await startTestAgent({
    config,
    logger: pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) }),
    cacheDir: dir,
    controller: true,
    workers: 1,
    http: false,
  });
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

const applyStatuses = (sha: string) => forge.statuses('github', FORGE_REPO, sha).filter((s) => s.context === `calico-gitops/${config.cluster}/apply`);
const lastApply = (sha: string) => applyStatuses(sha).at(-1);

async function gnpNames(): Promise<string[]> {
  const { stdout } = await installed.kubectl(['get', 'globalnetworkpolicies.crd.projectcalico.org', '-o', 'json']);
  return (JSON.parse(stdout) as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name).sort();
}

/** Log records (parsed) with this message for this revision. */
const logged = (revision: string, prefix: string) =>
  logLines.map((l) => JSON.parse(l) as { msg?: string; revision?: string; level: number }).filter((r) => r.revision === revision && (r.msg ?? '').startsWith(prefix) && r.level >= 40);

describe('delete budget', () => {
  it('applies one delete from a repository of three (25% of 3 rounds to 0, the budget is at least 1)', async () => {
    await expect.poll(() => lastApply(firstSha)?.state, { timeout: 60_000, interval: 200 }).toBe('success');
    expect(await gnpNames()).toEqual(['default.a', 'default.b', 'default.c']);
    const sha = await work.commitAndPush({ files: { 'p/c.yaml': null }, message: 'drop c' });
    await expect.poll(() => lastApply(sha)?.state, { timeout: 60_000, interval: 200 }).toBe('success');
    expect(await gnpNames()).toEqual(['default.a', 'default.b']);
  });

  it('holds a commit deleting every owned object with one pending status saying how to release it, logged once', async () => {
    // Every policy the repository holds now (run alone a, b and c; after the test above a and b),
    // once the cluster holds them.
    const head = await work.head();
    await expect.poll(() => lastApply(head)?.state, { timeout: 60_000, interval: 200 }).toBe('success');
    const files = (await work.git(['ls-files', 'p'])).split('\n').filter((f) => f.endsWith('.yaml'));
    const owned = await gnpNames();
    expect(owned).toHaveLength(files.length);
    const n = owned.length;
    const sha = await work.commitAndPush({ files: { ...Object.fromEntries(files.map((f) => [f, null])), 'p/keep.txt': 'nothing here\n' }, message: 'empty the folder' });
    await expect.poll(() => lastApply(sha)?.state, { timeout: 60_000, interval: 200 }).toBe('pending');
    // Several more polls of the same held revision.
    const cyclesBefore = logLines.length;
    await expect.poll(() => logLines.slice(cyclesBefore).filter((l) => l.includes('"outcome":"held"')).length, { timeout: 30_000, interval: 200 }).toBeGreaterThanOrEqual(5);

    const posted = applyStatuses(sha);
    expect(posted).toHaveLength(1);
    expect(posted[0]?.description).toMatch(new RegExp(`^held: it deletes all ${n} owned objects`));
    expect(posted[0]?.description).toContain(`Calico-GitOps-Allow-Delete: ${n}`);
    expect(posted[0]?.description).not.toContain('plan held');
    expect(logged(sha, 'plan held')).toHaveLength(1);
    expect(await gnpNames()).toEqual(owned);

    const released = await work.commitAndPush({ message: `retire them all\n\nCalico-GitOps-Allow-Delete: ${n}`, allowEmpty: true });
    await expect.poll(() => lastApply(released)?.state, { timeout: 60_000, interval: 200 }).toBe('success');
    expect(await gnpNames()).toEqual([]);
  });
});
