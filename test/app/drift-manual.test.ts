// End to end, self-heal off, on a repository of 1,000 generated policies of every kind: applying
// them raises no drift at all; a kubectl edit stays reported (status, `calico-gitops drift` exit 2
// naming kubectl-edit) until `calico-gitops heal --resource` restores it.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentProcess } from '../../agent/app/agent-process.js';
import type { Config } from '../../agent/config/config.js';
import { queuePrefix } from '../../agent/queue/keys.js';
import { generatePolicies } from '../../scripts/bench/generate-policies.js';
import { startCluster, type KubeSim } from '../kube-sim/index.js';
import { startAlertReceiver, type AlertReceiver } from '../support/alert-receiver.js';
import { dropClusterKeys, eventually, startTestAgent, testConfig } from '../support/agent-harness.js';
import { runCli } from '../support/cli.js';
import { startFakeForge, type FakeForge } from '../support/fake-forge.js';
import { cleanupGitFixtures, createRepoWithFiles, samplePolicyYaml } from '../support/git-fixtures.js';
import { installAgentRbac, type InstalledAgent } from '../support/install-agent.js';

const FORGE_REPO = 'acme/policies';
const TOKEN = `ghp_${randomBytes(8).toString('hex')}`;
const GNP = 'globalnetworkpolicies.crd.projectcalico.org';

let sim: KubeSim;
let installed: InstalledAgent;
let forge: FakeForge;
let alerts: AlertReceiver;
let agent: AgentProcess;
let redis: Redis;
let config: Config;
let sha: string;
let dir: string;

beforeAll(async () => {
  sim = await startCluster({ tls: true });
  installed = await installAgentRbac(sim);
  forge = await startFakeForge({ tokens: { github: TOKEN }, repos: [FORGE_REPO] });
  alerts = await startAlertReceiver();
  const generated = generatePolicies({ count: 1_000 });
  const files: Record<string, string> = Object.fromEntries(generated.map((f) => [`policies/${f.path}`, f.content]));
  files['policies/allow-dns.yaml'] = samplePolicyYaml('allow-dns', { order: 20 });
  for (const ns of new Set(generated.flatMap((f) => [...f.content.matchAll(/namespace: (\S+)/g)].map((m) => m[1] ?? '')))) {
    if (ns) await installed.kubectl(['create', 'namespace', ns]);
  }
  const repo = await createRepoWithFiles(files);
  sha = repo.sha;
  dir = await mkdtemp(join(tmpdir(), 'cg-drift-manual-'));
  await writeFile(join(dir, 'forge-token'), `${TOKEN}\n`);
  await writeFile(join(dir, 'alert-url'), `${alerts.url}\n`);
  config = testConfig({
    repo: repo.remote.url,
    path: 'policies',
    cluster: `driftm-${randomBytes(4).toString('hex')}`,
    kubeconfig: installed.agentKubeconfig,
    forge: 'github',
    forgeUrl: forge.apiUrl('github'),
    forgeTokenFile: join(dir, 'forge-token'),
    forgeRepo: FORGE_REPO,
    alertWebhookFile: join(dir, 'alert-url'),
    alertFormat: 'slack',
    selfHeal: 'false',
    pollInterval: '1h',
    verifyTimeout: '60s',
    podTimeout: '5m',
  });
  agent = await startTestAgent({ config, logger: pino({ level: 'silent' }), cacheDir: dir, controller: true, workers: 1, http: true });
  redis = new Redis(config.redis);
}, 120_000);

afterAll(async () => {
  await agent?.stop();
  if (redis && config) {
    await dropClusterKeys(redis, config.cluster);
    redis.disconnect();
  }
  await alerts?.close();
  await forge?.close();
  await sim?.close();
  await cleanupGitFixtures();
}, 60_000);

const cli = (args: string[]) => runCli([...args, '--redis', config.redis, '--cluster', config.cluster], { timeoutMs: 120_000 });
const driftStatuses = () => forge.statuses('github', FORGE_REPO, sha).filter((s) => s.context.endsWith('/drift')).map((s) => `${s.state}: ${s.description}`);

async function dnsName(): Promise<string> {
  const { stdout } = await installed.kubectl(['get', GNP, '-o', 'name']);
  const found = stdout.split('\n').map((l) => l.replace(/^.*\//, '')).find((n) => n === 'allow-dns' || n.endsWith('.allow-dns'));
  if (!found) throw new Error('allow-dns not applied');
  return found;
}
const order = async () => Number((await installed.kubectl(['get', GNP, await dnsName(), '-o', 'jsonpath={.spec.order}'])).stdout);

describe('drift with self-heal off', () => {
  it('applying 1,000 policies raises no drift at all', async () => {
    await eventually('apply success', async () => (forge.statuses('github', FORGE_REPO, sha).some((s) => s.context.endsWith('/apply') && s.state === 'success') ? true : undefined), { timeoutMs: 110_000 });
    await eventually('applied revision', async () => ((await redis.get(`${queuePrefix(config.cluster)}:applied-revision`)) === sha ? true : undefined));
    const drift = await cli(['drift', '--kubeconfig', installed.agentKubeconfig]);
    expect(drift.stdout).toBe(`no drift: the cluster matches applied revision ${sha.slice(0, 12)}\n`);
    expect(drift.code).toBe(0);
    expect(driftStatuses()).toEqual([]);
    expect(alerts.bodies).toEqual([]);
  }, 150_000);

  it('a kubectl edit stays reported, names kubectl-edit, and `heal --resource` restores it', async () => {
    const editor = join(dir, 'edit.sh');
    await writeFile(editor, '#!/bin/sh\nsed -i "s/^  order: 20$/  order: 21/" "$1"\n', { mode: 0o755 });
    const name = await dnsName();
    await new Promise<void>((resolve, reject) =>
      execFile('kubectl', ['--kubeconfig', installed.adminKubeconfig, 'edit', GNP, name], { env: { ...process.env, KUBE_EDITOR: editor } }, (err) => (err ? reject(err) : resolve())),
    );
    await eventually('failing drift status', async () => (driftStatuses().at(-1) === 'failure: drift: GlobalNetworkPolicy/allow-dns modified by kubectl-edit' ? true : undefined));
    const slack = await eventually('slack alert', async () => alerts.bodies[0] as { text: string } | undefined);
    expect(slack.text).toContain('• GlobalNetworkPolicy/allow-dns modified by kubectl-edit');

    const drift = await cli(['drift', '--kubeconfig', installed.agentKubeconfig]);
    expect(drift.code).toBe(2);
    expect(drift.stdout).toMatch(/^GlobalNetworkPolicy\/allow-dns modified by kubectl-edit at \S+\n1 resource differ/);
    const json = await cli(['drift', '--json', '--kubeconfig', installed.agentKubeconfig]);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ revision: sha, entries: [{ key: 'GlobalNetworkPolicy//allow-dns', change: 'modified', manager: 'kubectl-edit' }] });
    // Nothing repairs it by itself: no heal job, the edit is still there.
    const counts = await agent.controller?.queue.counts();
    expect((counts?.['waiting'] ?? 0) + (counts?.['delayed'] ?? 0) + (counts?.['active'] ?? 0)).toBe(0);
    expect(await order()).toBe(21);

    const bad = await cli(['heal', '--resource', 'GlobalNetworkPolicy/x/allow-dns']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--resource must be GlobalNetworkPolicy/NAME');
    const heal = await cli(['heal', '--resource', 'GlobalNetworkPolicy/allow-dns', '--timeout', '60']);
    expect(heal.stderr).toBe('');
    expect(heal.code).toBe(0);
    expect(heal.stdout).toContain(`restored: GlobalNetworkPolicy//allow-dns matches applied revision ${sha.slice(0, 12)}`);
    expect(await order()).toBe(20);
    await eventually('success', async () => (driftStatuses().at(-1) === 'success: no drift' ? true : undefined));
    expect((await cli(['drift', '--kubeconfig', installed.agentKubeconfig])).code).toBe(0);
  }, 150_000);
});
