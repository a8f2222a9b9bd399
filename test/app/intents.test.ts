// Declared intents through the real parts (git, the simulator with the example workloads, Redis,
// a fake forge): a revision that keeps them is applied; one that breaks test1/test2 isolation
// fails its validate status with the intent's name, file, line and example peers, and applies
// nothing. The agent reads the workloads with the RBAC deploy/ grants it, from its watched cache:
// a pod relabelled after the start breaks an intent of the revision already applied on the next
// cycle, with no new list of pods.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentProcess } from '../../agent/app/agent-process.js';
import { startCluster, type KubeSim } from '../kube-sim/index.js';
import { dropClusterKeys, eventually, startTestAgent, testConfig } from '../support/agent-harness.js';
import { REPO_ROOT } from '../support/cli.js';
import { startFakeForge, type FakeForge } from '../support/fake-forge.js';
import { cleanupGitFixtures, createRepoWithFiles, type WorkRepo } from '../support/git-fixtures.js';
import { installAgentRbac, type InstalledAgent } from '../support/install-agent.js';

const FORGE_REPO = 'acme/intents';
const TOKEN = `ghp_${randomBytes(8).toString('hex')}`;
const cluster = `intents-${randomBytes(4).toString('hex')}`;
const example = (p: string) => readFileSync(join(REPO_ROOT, 'policies', p), 'utf8');
const OPEN_ALL = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: open-all
spec:
  order: 1
  selector: all()
  types: [Ingress, Egress]
  ingress:
    - action: Allow
  egress:
    - action: Allow
`;

let sim: KubeSim;
let installed: InstalledAgent;
let forge: FakeForge;
let work: WorkRepo;
let firstSha: string;
let dir: string;
let agent: AgentProcess | undefined;
const logLines: string[] = [];

const last = (sha: string, kind: string) => forge.statuses('github', FORGE_REPO, sha).filter((s) => s.context === `calico-gitops/${cluster}/${kind}`).at(-1);

beforeAll(async () => {
  // Pods keep waiting for their (not emulated) image instead of failing: they stay workloads.
  sim = await startCluster({ tls: true, kubelet: { imagePullFailAfterMs: 3_600_000 } });
  installed = await installAgentRbac(sim);
  dir = await mkdtemp(join(tmpdir(), 'cg-intents-'));
  await writeFile(join(dir, 'sa.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: kube-system}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: coredns, namespace: kube-system}\n');
  await installed.kubectl(['apply', '-f', join(dir, 'sa.yaml')]);
  // The simulator serves no OpenAPI for List documents, so kubectl validates nothing here.
  await installed.kubectl(['apply', '--validate=false', '-f', join(REPO_ROOT, 'policies', '.calico-gitops', 'workloads.yaml')]);
  forge = await startFakeForge({ tokens: { github: TOKEN }, repos: [FORGE_REPO] });
  await writeFile(join(dir, 'forge-token'), TOKEN);
  const repo = await createRepoWithFiles({
    'policies/namespaces/test1/isolation.yaml': example('namespaces/test1/isolation.yaml'),
    'policies/namespaces/test2/isolation.yaml': example('namespaces/test2/isolation.yaml'),
    'policies/.calico-gitops/intents.yaml': example('.calico-gitops/intents.yaml').replace(/- name: ssh-to-hosts-from-the-vpn[\s\S]*$/, ''),
  });
  work = repo.work;
  firstSha = repo.sha;
  const config = testConfig({
    repo: repo.remote.url,
    path: 'policies',
    cluster,
    kubeconfig: installed.agentKubeconfig,
    forge: 'github',
    forgeUrl: forge.apiUrl('github'),
    forgeTokenFile: join(dir, 'forge-token'),
    forgeRepo: FORGE_REPO,
    pollInterval: '300ms',
  });
  agent = await startTestAgent({ config, logger: pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) }), cacheDir: await mkdtemp(join(dir, 'cache-')), controller: true, workers: 1, http: false });
}, 90_000);

afterAll(async () => {
  await agent?.stop();
  const redis = new Redis();
  await dropClusterKeys(redis, cluster);
  redis.disconnect();
  await forge?.close();
  await sim?.close();
  await cleanupGitFixtures();
  await rm(dir, { recursive: true, force: true });
}, 60_000);

async function policyNames(kind: string): Promise<string[]> {
  const { stdout } = await installed.kubectl(['get', `${kind}.crd.projectcalico.org`, '-A', '-o', 'json']);
  return (JSON.parse(stdout) as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name).sort();
}

describe('declared intents on every revision', () => {
  it('a revision that keeps its intents is applied', async () => {
    await eventually('the first apply', async () => (last(firstSha, 'apply')?.state === 'success' ? true : undefined), { timeoutMs: 60_000 });
    expect(last(firstSha, 'validate')?.state).toBe('success');
  }, 90_000);

  it('a revision that breaks one fails validate with the intent, file, line and peers, and applies nothing', async () => {
    await eventually('the first apply', async () => (last(firstSha, 'apply')?.state === 'success' ? true : undefined), { timeoutMs: 60_000 });
    const sha = await work.commitAndPush({ files: { 'policies/open-all.yaml': OPEN_ALL }, message: 'open everything' });
    await expect.poll(() => last(sha, 'validate')?.state, { timeout: 60_000, interval: 200 }).toBe('failure');
    // The forge caps a description at 140 characters; the log line has the whole list.
    expect(last(sha, 'validate')?.description).toMatch(/^invalid: policies\/\.calico-gitops\/intents\.yaml:5 intent "test1-isolated-from-test2" \(expect deny\) is violated: test1\/busybox-test1-a → test2/);
    expect(
      logLines.some((l) =>
        l.includes('policies/.calico-gitops/intents.yaml:5:1: error: intent \\"test1-isolated-from-test2\\" (expect deny) is violated: test1/busybox-test1-a → test2/busybox-test2-a allows all (allowed by GlobalNetworkPolicy/open-all egress[0], GlobalNetworkPolicy/open-all ingress[0])'),
      ),
    ).toBe(true);
    expect(last(sha, 'apply')).toBeUndefined();
    expect(await policyNames('globalnetworkpolicies')).not.toContain('default.open-all');
  }, 90_000);

  it('a pod relabelled after the start breaks an intent on the next cycle, read from the watch: no new list of pods', async () => {
    await eventually('the first apply', async () => (last(firstSha, 'apply')?.state === 'success' ? true : undefined), { timeoutMs: 60_000 });
    const intents = `${example('.calico-gitops/intents.yaml').replace(/- name: ssh-to-hosts-from-the-vpn[\s\S]*$/, '')}- name: nothing-reaches-the-db-from-test1
  from: {namespace: test1}
  to: {selector: app == 'db'}
  expect: deny
`;
    const sha = await work.commitAndPush({ files: { 'policies/.calico-gitops/intents.yaml': intents, 'policies/open-all.yaml': null }, message: 'no database reachable from test1' });
    // No pod is labelled app=db yet: the intent checks nothing and the revision is valid.
    await expect.poll(() => last(sha, 'validate')?.state, { timeout: 60_000, interval: 200 }).toBe('success');
    const podLists = () => sim.requestCount({ verb: 'list', resource: 'pods', namespace: '' });
    const lists = podLists();
    // A pod of test1 becomes the database: test1 reaches it (same namespace), so the intent breaks.
    await installed.kubectl(['label', 'pod', 'busybox-test1-b', '-n', 'test1', 'app=db', '--overwrite']);
    await expect.poll(() => last(sha, 'validate')?.state, { timeout: 60_000, interval: 200 }).toBe('failure');
    // The forge caps a description at 140 characters: the intent's file, line and name are in it.
    expect(last(sha, 'validate')?.description).toMatch(/^invalid: policies\/\.calico-gitops\/intents\.yaml:\d+ intent "nothing-reaches-the-db-from-test1" \(expect deny\) is violated: test1\/busybox-test1-/);
    expect(podLists()).toBe(lists);
  }, 120_000);
});
