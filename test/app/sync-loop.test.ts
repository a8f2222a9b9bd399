// End to end: a real git repository (bare, over file://), the real Redis, the Kubernetes simulator
// with the agent's own RBAC from deploy/, a fake forge. A push is validated, planned, queued,
// applied by a calicoctl pod, verified, and reported on the commit.
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, rename, writeFile } from 'node:fs/promises';
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
import { startCluster, type KubeSim } from '../kube-sim/index.js';
import { startFakeForge, type FakeForge } from '../support/fake-forge.js';
import { dropClusterKeys, eventually, startTestAgent, testConfig } from '../support/agent-harness.js';
import { cleanupGitFixtures, createRepoWithFiles, samplePolicyYaml, type WorkRepo } from '../support/git-fixtures.js';
import { installAgentRbac, type InstalledAgent } from '../support/install-agent.js';

const FORGE_REPO = 'acme/policies';
const TOKEN = `ghp_${randomBytes(8).toString('hex')}`;
const SECRET = randomBytes(12).toString('hex');

let sim: KubeSim;
let installed: InstalledAgent;
let forge: FakeForge;
let work: WorkRepo;
let agent: AgentProcess;
let worker: AgentProcess;
let redis: Redis;
let config: Config;
let firstSha: string;
const logLines: string[] = [];

beforeAll(async () => {
  sim = await startCluster({ tls: true });
  installed = await installAgentRbac(sim);
  forge = await startFakeForge({ tokens: { github: TOKEN }, repos: [FORGE_REPO] });
  const repo = await createRepoWithFiles({
    'policies/allow-ssh.yaml': samplePolicyYaml('allow-ssh', { order: 10 }),
    'policies/allow-dns.yaml': samplePolicyYaml('allow-dns', { order: 20, selector: "role == 'dns'" }),
    'README.md': '# policies\n',
  });
  work = repo.work;
  firstSha = repo.sha;
  const dir = await mkdtemp(join(tmpdir(), 'cg-e2e-'));
  await writeFile(join(dir, 'forge-token'), `${TOKEN}\n`);
  await writeFile(join(dir, 'webhook-secret'), SECRET);
  config = testConfig({
    repo: repo.remote.url,
    path: 'policies',
    cluster: `e2e-${randomBytes(4).toString('hex')}`,
    kubeconfig: installed.agentKubeconfig,
    forge: 'github',
    forgeUrl: forge.apiUrl('github'),
    forgeTokenFile: join(dir, 'forge-token'),
    forgeRepo: FORGE_REPO,
    webhookSecretFile: join(dir, 'webhook-secret'),
    // Only webhooks trigger cycles in this test, so every apply is caused by a push we made.
    pollInterval: '1h',
  });
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
  agent = await startTestAgent({ config, logger, cacheDir: dir, controller: true, workers: 1, http: true });
  // A second, separate worker process: every change must still be applied exactly once.
  worker = await startTestAgent({ config, logger, cacheDir: dir, controller: false, workers: 1, http: false });
  redis = new Redis(config.redis);
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await worker?.stop();
  if (redis && config) {
    await dropClusterKeys(redis, config.cluster);
    redis.disconnect();
  }
  await forge?.close();
  await sim?.close();
  await cleanupGitFixtures();
}, 60_000);

function githubPush(after: string): { headers: Record<string, string>; body: string } {
  const body = JSON.stringify({ ref: 'refs/heads/main', after, repository: { full_name: FORGE_REPO } });
  const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
  return { body, headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': signature } };
}

async function webhook(after: string): Promise<number> {
  const { headers, body } = githubPush(after);
  const res = await fetch(`${agent.url}/hooks/git`, { method: 'POST', headers, body });
  return res.status;
}

const forgeState = (sha: string, kind: string) => {
  const statuses = forge.statuses('github', FORGE_REPO, sha).filter((s) => s.context === `calico-gitops/${config.cluster}/${kind}`);
  return statuses.at(-1);
};

/** Each test can run alone (`-t`): the later ones start from the first commit, applied by the agent's first cycle. */
const firstCommitApplied = (): Promise<true> => eventually('first commit applied', async () => (forgeState(firstSha, 'apply')?.state === 'success' ? true : undefined));

async function gnpNames(): Promise<string[]> {
  const { stdout } = await installed.kubectl(['get', 'globalnetworkpolicies.crd.projectcalico.org', '-o', 'json']);
  const list = JSON.parse(stdout) as { items: { metadata: { name: string } }[] };
  return list.items.map((i) => i.metadata.name).sort();
}

async function auditCount(): Promise<Record<string, number>> {
  const audit = new AuditLog({ redis, prefix: queuePrefix(config.cluster), clock: systemClock });
  const records = await audit.read({ limit: 1000 });
  const counts: Record<string, number> = {};
  for (const r of records) counts[`${r.action} ${r.resource}`] = (counts[`${r.action} ${r.resource}`] ?? 0) + 1;
  return counts;
}

describe('sync loop', () => {
  it('applies a pushed commit with two policies and reports validate and apply success on it', async () => {
    // The agent runs a first cycle at start; the webhook (sent twice) must not apply anything twice.
    expect(await webhook(firstSha)).toBe(202);
    expect(await webhook(firstSha)).toBe(202);
    const history = () =>
      forge
        .statuses('github', FORGE_REPO, firstSha)
        .filter((s) => s.context === `calico-gitops/${config.cluster}/apply`)
        .map((s) => `${s.state}: ${s.description}`);
    const applyHistory = await eventually('apply success', async () => (history().includes('success: applied 2, deleted 0') ? history() : undefined));
    // The worker's report is the last word on the commit: later in-sync cycles do not overwrite it.
    expect(applyHistory.at(-1)).toBe('success: applied 2, deleted 0');
    expect(applyHistory[0]).toMatch(/^pending: applying: 2 to create, 0 to update, 0 to delete$/);
    expect(forgeState(firstSha, 'validate')).toMatchObject({ state: 'success', description: 'valid: 2 resources' });
    expect(await gnpNames()).toEqual(expect.arrayContaining([expect.stringMatching(/allow-dns$/), expect.stringMatching(/allow-ssh$/)]));
    // Exactly once, although two workers run and the webhook came twice.
    expect(await auditCount()).toEqual({ 'create GlobalNetworkPolicy//allow-dns': 1, 'create GlobalNetworkPolicy//allow-ssh': 1 });
    // No executor pod or ConfigMap is left behind.
    const { stdout } = await installed.kubectl(['get', 'pods,configmaps', '-n', 'calico-gitops', '-l', 'app.kubernetes.io/managed-by=calico-gitops', '-o', 'name']);
    expect(stdout.trim()).toBe('');
  });

  it('a second controller follows: it knows the leader, does not lead, and is ready', async () => {
    const follower = await startTestAgent({ config, logger: pino({ level: 'silent' }), cacheDir: await mkdtemp(join(tmpdir(), 'cg-e2e-follower-')), controller: true, workers: 0, http: true });
    try {
      expect(agent.controller?.isLeader()).toBe(true);
      expect(follower.controller?.isLeader()).toBe(false);
      // Ready once its live cache has synced, as a readiness probe would see it.
      const ready = await eventually('follower readiness', async () => {
        const res = await fetch(`${follower.url}/readyz`);
        return res.status === 200 ? ((await res.json()) as unknown) : undefined;
      });
      expect(ready).toEqual({ ready: true, checks: { liveSynced: true, redis: true, leaderKnown: true, source: true } });
      expect(await follower.controller?.leaderKnown()).toBe(true);
    } finally {
      await follower.stop();
    }
  });

  it('rejects a webhook with a bad signature', async () => {
    const { body } = githubPush(firstSha);
    const res = await fetch(`${agent.url}/hooks/git`, {
      method: 'POST',
      headers: { 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` },
      body,
    });
    expect(res.status).toBe(401);
  });

  it('reports an invalid commit with file and line and changes nothing in the cluster', async () => {
    await firstCommitApplied();
    const before = await gnpNames();
    const bad = samplePolicyYaml('allow-web').replace("selector: \"all()\"", 'selector: "app = web"');
    const sha = await work.commitAndPush({ files: { 'policies/allow-web.yaml': bad }, message: 'add web policy (typo)' });
    expect(await webhook(sha)).toBe(202);
    const status = await eventually('validate failure', async () => {
      const s = forgeState(sha, 'validate');
      return s?.state === 'failure' ? s : undefined;
    });
    expect(status.description).toBe('invalid: policies/allow-web.yaml:7 invalid selector: expected "==" at offset 4');
    expect(forgeState(sha, 'apply')).toBeUndefined();
    expect(await gnpNames()).toEqual(before);
  });

  it('deletes a policy removed from the repository', async () => {
    await firstCommitApplied();
    const sha = await work.commitAndPush({
      files: { 'policies/allow-web.yaml': null, 'policies/allow-dns.yaml': null },
      message: 'drop the dns policy\n\nCalico-GitOps-Allow-Delete: 1\n',
    });
    expect(await webhook(sha)).toBe(202);
    const status = await eventually('apply success after delete', async () => {
      const s = forgeState(sha, 'apply');
      return s?.state === 'success' && s.description.startsWith('applied') ? s : undefined;
    });
    expect(status.description).toBe('applied 0, deleted 1');
    expect(await gnpNames()).toEqual([expect.stringMatching(/allow-ssh$/)]);
    expect((await auditCount())['delete GlobalNetworkPolicy//allow-dns']).toBe(1);
  });

  it('keeps the last good state and keeps running while the Git host is unreachable', async () => {
    await firstCommitApplied();
    const before = await gnpNames();
    const remoteDir = (await import('node:url')).fileURLToPath(config.repo ?? '');
    await rename(remoteDir, `${remoteDir}.away`);
    try {
      expect(await webhook(firstSha)).toBe(202);
      const failed = await eventually('a failed source cycle', async () => {
        const last = agent.lastCycle();
        return last?.outcome.kind === 'failed' ? last : undefined;
      });
      expect(failed.summary.message).toMatch(/^source failed \(SourceError\/(unreachable|not-found|git)\)/);
      expect(failed.summary.message).not.toContain(TOKEN);
      expect(await gnpNames()).toEqual(before);
    } finally {
      await rename(`${remoteDir}.away`, remoteDir);
    }
    // Back: the next push is picked up as usual.
    const sha = await work.commitAndPush({ files: { 'policies/allow-ntp.yaml': samplePolicyYaml('allow-ntp', { order: 30 }) }, message: 'ntp' });
    expect(await webhook(sha)).toBe(202);
    await eventually('apply after recovery', async () => (forgeState(sha, 'apply')?.description === 'applied 1, deleted 0' ? true : undefined));
    expect(await gnpNames()).toHaveLength(before.length + 1);
  });

  it('reports a conflict with an object it does not own, and leaves that object alone', async () => {
    await firstCommitApplied();
    // Made by hand (as an operator would have with calicoctl before calico-gitops): no owner annotation.
    const file = join(await mkdtemp(join(tmpdir(), 'cg-e2e-unowned-')), 'unowned.json');
    const stored = { apiVersion: 'crd.projectcalico.org/v1', kind: 'GlobalNetworkPolicy', metadata: { name: 'default.allow-web' }, spec: { tier: 'default', order: 5, selector: 'all()', types: ['Ingress'] } };
    await writeFile(file, JSON.stringify(stored));
    await installed.kubectl(['apply', '-f', file]);
    const sha = await work.commitAndPush({ files: { 'policies/allow-web.yaml': samplePolicyYaml('allow-web', { order: 40 }) }, message: 'web' });
    expect(await webhook(sha)).toBe(202);
    const status = await eventually('conflict status', async () => {
      const s = forgeState(sha, 'apply');
      return s?.state === 'failure' ? s : undefined;
    });
    expect(status.description).toMatch(/^1 conflict: GlobalNetworkPolicy allow-web already exists in the cluster and is not managed by calico-gitops/);
    const { stdout } = await installed.kubectl(['get', 'globalnetworkpolicies.crd.projectcalico.org', 'default.allow-web', '-o', 'jsonpath={.spec.order}']);
    expect(stdout).toBe('5');
  });

  it('never logs the forge token or the webhook secret', () => {
    const all = logLines.join('\n');
    expect(all.length).toBeGreaterThan(0);
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain(SECRET);
  });
});
