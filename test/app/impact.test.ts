// The impact status and page through the real parts (git, the simulator with the example
// workloads, Redis, a fake forge, the agent's HTTP server): every planned revision gets a
// calico-gitops/<cluster>/impact status saying what it opens and closes, linking to
// <--public-url>/impact/<sha>, whose page lists each connection with the rule that decided it;
// the status keeps the revision's impact after it is applied. An intent the revision breaks is
// counted in the status and listed on the page, its markup escaped.
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
import { dumpDom, findChromium } from '../support/chromium.js';
import { REPO_ROOT } from '../support/cli.js';
import { startFakeForge, type FakeForge } from '../support/fake-forge.js';
import { cleanupGitFixtures, createRepoWithFiles, type WorkRepo } from '../support/git-fixtures.js';
import { installAgentRbac, type InstalledAgent } from '../support/install-agent.js';

const FORGE_REPO = 'acme/impact';
const PUBLIC_URL = 'https://calico-gitops.example.com/prod';
const TOKEN = `ghp_${randomBytes(8).toString('hex')}`;
const cluster = `impact-${randomBytes(4).toString('hex')}`;
const example = (p: string) => readFileSync(join(REPO_ROOT, 'policies', p), 'utf8');
const ALLOW_DB = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: allow-db
spec:
  order: 10
  selector: projectcalico.org/namespace == 'test2'
  types: [Ingress]
  ingress:
    - action: Allow
      protocol: TCP
      source:
        namespaceSelector: kubernetes.io/metadata.name == 'test1'
      destination:
        ports: [5432]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: allow-db-out
spec:
  order: 10
  selector: projectcalico.org/namespace == 'test1'
  types: [Egress]
  egress:
    - action: Allow
      protocol: TCP
      destination:
        namespaceSelector: kubernetes.io/metadata.name == 'test2'
        ports: [5432]
`;
const LATE_POD = `apiVersion: v1
kind: Pod
metadata: {name: late, namespace: test2, labels: {app: early}}
spec: {nodeName: worker-1, containers: [{name: busybox, image: busybox, command: [sleep, "10000"]}]}
`;
const ALLOW_LATE = ALLOW_DB.replaceAll('allow-db', 'allow-late')
  .replace("selector: projectcalico.org/namespace == 'test2'", "selector: app == 'late'")
  .replace("namespaceSelector: kubernetes.io/metadata.name == 'test2'", "selector: app == 'late'")
  .replaceAll('5432', '9090');
const PAYLOAD = `<script>document.title='pwned'</script>`;
const HOSTILE_INTENT = `- name: "${PAYLOAD}"
  from: {namespace: test1}
  to: {namespace: test2}
  protocol: TCP
  port: 5432
  expect: deny
`;

let sim: KubeSim;
let installed: InstalledAgent;
let forge: FakeForge;
let work: WorkRepo;
let firstSha: string;
let dbSha = '';
let dir: string;
let agent: AgentProcess | undefined;

const last = (sha: string, kind: string) => forge.statuses('github', FORGE_REPO, sha).filter((s) => s.context === `calico-gitops/${cluster}/${kind}`).at(-1);
const page = async (sha: string) => fetch(`${agent?.url ?? ''}/impact/${sha}`);

beforeAll(async () => {
  // Pods keep waiting for their (not emulated) image instead of failing: they stay workloads.
  sim = await startCluster({ tls: true, kubelet: { imagePullFailAfterMs: 3_600_000 } });
  installed = await installAgentRbac(sim);
  dir = await mkdtemp(join(tmpdir(), 'cg-impact-'));
  await writeFile(join(dir, 'sa.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: kube-system}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: coredns, namespace: kube-system}\n');
  await installed.kubectl(['apply', '-f', join(dir, 'sa.yaml')]);
  // The simulator serves no OpenAPI for List documents, so kubectl validates nothing here.
  await installed.kubectl(['apply', '--validate=false', '-f', join(REPO_ROOT, 'policies', '.calico-gitops', 'workloads.yaml')]);
  forge = await startFakeForge({ tokens: { github: TOKEN }, repos: [FORGE_REPO] });
  await writeFile(join(dir, 'forge-token'), TOKEN);
  const repo = await createRepoWithFiles({
    'policies/namespaces/test1/isolation.yaml': example('namespaces/test1/isolation.yaml'),
    'policies/namespaces/test2/isolation.yaml': example('namespaces/test2/isolation.yaml'),
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
    publicUrl: PUBLIC_URL,
  });
  agent = await startTestAgent({ config, logger: pino({ level: 'silent' }), cacheDir: await mkdtemp(join(dir, 'cache-')), controller: true, workers: 1, http: true });
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

describe('the impact of every planned revision', () => {
  it('the first revision: what the isolation closes, against a cluster without policies', async () => {
    await eventually('the first apply', async () => (last(firstSha, 'apply')?.state === 'success' ? true : undefined), { timeoutMs: 60_000 });
    const impact = last(firstSha, 'impact');
    expect(impact?.state).toBe('success');
    expect(impact?.description).toMatch(/^opens 0, closes \d+ connections$/);
    expect(impact?.targetUrl).toBe(`${PUBLIC_URL}/impact/${firstSha}`);
  }, 90_000);

  it('a revision that opens test1 → test2 TCP 5432: the status counts it, the page lists each pair with its rules, and both stay after the apply', async () => {
    await eventually('the first apply', async () => (last(firstSha, 'apply')?.state === 'success' ? true : undefined), { timeoutMs: 60_000 });
    const sha = await work.commitAndPush({ files: { 'policies/allow-db.yaml': ALLOW_DB }, message: 'test1 reaches the database in test2' });
    dbSha = sha;
    await expect.poll(() => last(sha, 'impact')?.description, { timeout: 60_000, interval: 200 }).toBe('opens 2, closes 0 connections');
    expect(last(sha, 'impact')).toMatchObject({ state: 'success', targetUrl: `${PUBLIC_URL}/impact/${sha}` });
    await expect.poll(() => last(sha, 'apply')?.state, { timeout: 60_000, interval: 200 }).toBe('success');
    // Applied: the cluster now runs the revision, and its impact is still what it changed.
    expect(last(sha, 'impact')?.description).toBe('opens 2, closes 0 connections');
    expect(forge.statuses('github', FORGE_REPO, sha).filter((s) => s.context === `calico-gitops/${cluster}/impact`).map((s) => s.description)).toEqual(['opens 2, closes 0 connections']);

    const res = await page(sha);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    for (const from of ['test1/busybox-test1-a', 'test1/busybox-test1-b']) {
      expect(html).toContain(`<tr class="opened"><td>opened</td><td>${from}</td><td>test2/busybox-test2-a</td><td>TCP 5432</td><td>GlobalNetworkPolicy/allow-db-out egress[0], GlobalNetworkPolicy/allow-db ingress[0]</td></tr>`);
    }
    expect(html).toContain('This revision declares no intents.');
    expect((await page('0'.repeat(40))).status).toBe(404);
    // The 7 hex digits a user copies from a commit list name the same page.
    const short = await page(sha.slice(0, 7));
    expect(short.status).toBe(200);
    expect(await short.text()).toBe(html);
  }, 120_000);

  it('a revision whose intent breaks: the status counts it, the page names it, escaped, and a browser runs none of it', async () => {
    // Runs after the allow-db revision above is applied: the intent breaks on what it opened.
    await expect.poll(() => dbSha && last(dbSha, 'apply')?.state, { timeout: 60_000, interval: 200 }).toBe('success');
    const sha = await work.commitAndPush({ files: { 'policies/.calico-gitops/intents.yaml': HOSTILE_INTENT }, message: 'an intent with markup in its name' });
    await expect.poll(() => last(sha, 'impact')?.state, { timeout: 60_000, interval: 200 }).toBe('failure');
    expect(last(sha, 'impact')?.description).toBe('no change to connectivity; 1 intent violated');
    expect(last(sha, 'validate')?.state).toBe('failure');
    const html = await (await page(sha)).text();
    expect(html).not.toContain(PAYLOAD);
    expect(html).toContain('intent &quot;&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;&quot; (expect deny) is violated: test1/busybox-test1-a → test2/busybox-test2-a allows TCP 5432');
    const chromium = await findChromium();
    // The page's browser test (test/report/impact-page-browser.test.ts) says so when chromium is missing.
    if (chromium) {
      const dom = await dumpDom(chromium, `${agent?.url ?? ''}/impact/${sha}`);
      expect(dom).toContain(`<title>Impact of ${sha.slice(0, 12)} on ${cluster}</title>`);
      expect(dom).not.toMatch(/<script/);
    }
  }, 120_000);

  it('a pod created and relabelled after the start is in the next revision\'s impact, from the watch: no new list of pods', async () => {
    await eventually('the first apply', async () => (last(firstSha, 'apply')?.state === 'success' ? true : undefined), { timeoutMs: 60_000 });
    const podLists = () => sim.requestCount({ verb: 'list', resource: 'pods', namespace: '' });
    const lists = podLists();
    const cycles = () => agent?.lastCycle()?.at;
    const before = cycles();
    await writeFile(join(dir, 'late.yaml'), LATE_POD);
    await installed.kubectl(['apply', '-f', join(dir, 'late.yaml')]);
    await installed.kubectl(['label', 'pod', 'late', '-n', 'test2', 'app=late', '--overwrite']);
    const lateLabel = async () => {
      const items = (await agent?.workloads?.view({ origin: '', syncTimeoutMs: 10_000 }).items()) ?? [];
      const late = items.find((i) => i['kind'] === 'Pod' && (i['metadata'] as { name?: string }).name === 'late');
      return late ? (late['metadata'] as { labels?: Record<string, string> }).labels?.['app'] : undefined;
    };
    await expect.poll(lateLabel, { timeout: 30_000, interval: 100 }).toBe('late');
    const sha = await work.commitAndPush({ files: { 'policies/allow-late.yaml': ALLOW_LATE }, message: 'test1 reaches the late pod in test2' });
    // After the suite's intent revision its broken intent is still counted; run alone there is none.
    await expect.poll(() => last(sha, 'impact')?.description, { timeout: 60_000, interval: 200 }).toMatch(/^opens 2, closes 0 connections(; 1 intent violated)?$/);
    const html = await (await page(sha.slice(0, 7))).text();
    for (const from of ['test1/busybox-test1-a', 'test1/busybox-test1-b']) {
      expect(html).toContain(`<tr class="opened"><td>opened</td><td>${from}</td><td>test2/late</td><td>TCP 9090</td>`);
    }
    // Cycles ran meanwhile (the intents gate on every one of them), and none listed pods again.
    expect(cycles()).not.toBe(before);
    expect(podLists()).toBe(lists);
    // /status shows the cache the analysis read, synced, source by source.
    const status = (await (await fetch(`${agent?.url ?? ''}/status`)).json()) as { workloads?: { synced: boolean; sources: { label: string; synced: boolean }[] } };
    expect(status.workloads?.synced).toBe(true);
    expect(status.workloads?.sources.map((x) => `${x.label} ${x.synced}`)).toEqual(['v1 namespaces true', 'v1 pods true', 'v1 serviceaccounts true']);
  }, 120_000);
});
