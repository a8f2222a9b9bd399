// End to end, self-heal on: a real git repository, the real Redis, the Kubernetes simulator with the
// agent's RBAC from deploy/, the real kubectl, a fake forge and an alert endpoint. A hand edit is
// reported (status, alert, Event, naming the field manager), healed and reported healed.
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
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
import { adminClient } from '../kube-sim/runtime/test-fixtures.js';
import { runCli } from '../support/cli.js';
import { startAlertReceiver, type AlertReceiver } from '../support/alert-receiver.js';
import { dropClusterKeys, eventually, startTestAgent, testConfig } from '../support/agent-harness.js';
import { startFakeForge, type FakeForge } from '../support/fake-forge.js';
import { cleanupGitFixtures, createRepoWithFiles, samplePolicyYaml, type WorkRepo } from '../support/git-fixtures.js';
import { installAgentRbac, type InstalledAgent } from '../support/install-agent.js';

const FORGE_REPO = 'acme/policies';
const TOKEN = `ghp_${randomBytes(8).toString('hex')}`;
const GNP = 'globalnetworkpolicies.crd.projectcalico.org';

let sim: KubeSim;
let installed: InstalledAgent;
let forge: FakeForge;
let alerts: AlertReceiver;
let work: WorkRepo;
let agent: AgentProcess;
let redis: Redis;
let config: Config;
let sha: string;
let dir: string;
const logLines: string[] = [];

beforeAll(async () => {
  sim = await startCluster({ tls: true });
  installed = await installAgentRbac(sim);
  forge = await startFakeForge({ tokens: { github: TOKEN }, repos: [FORGE_REPO] });
  alerts = await startAlertReceiver();
  const repo = await createRepoWithFiles({
    'policies/allow-ssh.yaml': samplePolicyYaml('allow-ssh', { order: 10 }),
    'policies/allow-dns.yaml': samplePolicyYaml('allow-dns', { order: 20, selector: "role == 'dns'" }),
  });
  work = repo.work;
  sha = repo.sha;
  dir = await mkdtemp(join(tmpdir(), 'cg-drift-'));
  await writeFile(join(dir, 'forge-token'), `${TOKEN}\n`);
  await writeFile(join(dir, 'alert-url'), `${alerts.url}\n`);
  config = testConfig({
    repo: repo.remote.url,
    path: 'policies',
    cluster: `drift-${randomBytes(4).toString('hex')}`,
    kubeconfig: installed.agentKubeconfig,
    forge: 'github',
    forgeUrl: forge.apiUrl('github'),
    forgeTokenFile: join(dir, 'forge-token'),
    forgeRepo: FORGE_REPO,
    alertWebhookFile: join(dir, 'alert-url'),
    alertFormat: 'json',
    // Cycles run only when a test triggers one: every drift here comes from kubectl, not a poll.
    pollInterval: '1h',
  });
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
  agent = await startTestAgent({ config, logger, cacheDir: dir, controller: true, workers: 1, http: true });
  redis = new Redis(config.redis);
}, 60_000);

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

const driftStatuses = (commit: string) =>
  forge
    .statuses('github', FORGE_REPO, commit)
    .filter((s) => s.context === `calico-gitops/${config.cluster}/drift`)
    .map((s) => `${s.state}: ${s.description}`);

async function storedName(name: string): Promise<string> {
  const { stdout } = await installed.kubectl(['get', GNP, '-o', 'name']);
  const found = stdout.split('\n').map((l) => l.replace(/^.*\//, '')).find((n) => n === name || n.endsWith(`.${name}`));
  if (!found) throw new Error(`${name} not found in ${stdout}`);
  return found;
}

async function order(name: string): Promise<number | undefined> {
  const got = await installed.kubectl(['get', GNP, await storedName(name), '-o', 'jsonpath={.spec.order}']).catch(() => undefined);
  return got && got.stdout !== '' ? Number(got.stdout) : undefined;
}

async function events(name: string): Promise<{ reason: string; type: string; message: string }[]> {
  const { stdout } = await installed.kubectl(['get', 'events', '-n', 'default', '-o', 'json']);
  const list = JSON.parse(stdout) as { items: { reason: string; type: string; message: string; involvedObject: { name: string } }[] };
  return list.items.filter((e) => e.involvedObject.name === name).map((e) => ({ reason: e.reason, type: e.type, message: e.message }));
}

async function kubectlEdit(name: string, from: string, to: string): Promise<void> {
  const editor = join(dir, `edit-${randomBytes(3).toString('hex')}.sh`);
  await writeFile(editor, `#!/bin/sh\nsed -i "s/^  order: ${from}$/  order: ${to}/" "$1"\n`, { mode: 0o755 });
  // The real kubectl edit, with the script as its editor.
  await new Promise<void>((resolve, reject) =>
    execFile('kubectl', ['--kubeconfig', installed.adminKubeconfig, 'edit', GNP, name], { env: { ...process.env, KUBE_EDITOR: editor } }, (err) => (err ? reject(err) : resolve())),
  );
}

async function statusDrift(): Promise<boolean> {
  const status = (await (await fetch(`${agent.url}/status`)).json()) as { drift: { entries: unknown[] } };
  return status.drift.entries.length > 0;
}

async function auditHeals(): Promise<{ resource: string; fieldManager?: string; beforeHash?: string; afterHash?: string }[]> {
  const audit = new AuditLog({ redis, prefix: queuePrefix(config.cluster), clock: systemClock, cluster: config.cluster });
  return (await audit.read({ limit: 1000 })).filter((r) => r.action === 'heal');
}

describe('drift with self-heal', () => {
  it('applies the commit and records it as the applied revision', async () => {
    await eventually('apply success', async () => (forge.statuses('github', FORGE_REPO, sha).some((s) => s.context.endsWith('/apply') && s.state === 'success') ? true : undefined));
    await eventually('applied revision', async () => ((await redis.get(`${queuePrefix(config.cluster)}:applied-revision`)) === sha ? true : undefined));
    expect(driftStatuses(sha)).toEqual([]);
    expect(alerts.bodies).toEqual([]);
  });

  it('kubectl edit: failing drift status, alert and Event naming kubectl-edit; healed; status success', async () => {
    const name = await storedName('allow-dns');
    await kubectlEdit(name, '20', '99');
    const failing = await eventually('failing drift status', async () => driftStatuses(sha).find((s) => s.startsWith('failure')));
    expect(failing).toBe('failure: drift: GlobalNetworkPolicy/allow-dns modified by kubectl-edit');
    await eventually('healed', async () => ((await order('allow-dns')) === 20 ? true : undefined));
    await eventually('success after the heal', async () => (driftStatuses(sha).at(-1) === 'success: no drift' ? true : undefined));
    expect(driftStatuses(sha)).toEqual(['failure: drift: GlobalNetworkPolicy/allow-dns modified by kubectl-edit', 'success: no drift']);

    const firing = await eventually('firing alert', async () => alerts.bodies.find((b) => (b as { state: string }).state === 'firing') as { items: unknown[]; cluster: string } | undefined);
    expect(firing).toMatchObject({ kind: 'calico-gitops.drift', cluster: config.cluster, revision: sha, items: [{ resource: 'GlobalNetworkPolicy/allow-dns', change: 'modified', manager: 'kubectl-edit' }] });
    await eventually('resolved alert', async () => (alerts.bodies.some((b) => (b as { state: string }).state === 'resolved') ? true : undefined));

    const seen = await eventually('events', async () => {
      const list = await events(name);
      return list.some((e) => e.reason === 'DriftHealed') ? list : undefined;
    });
    expect(seen.find((e) => e.reason === 'DriftDetected')).toMatchObject({ type: 'Warning', message: expect.stringContaining('modified by kubectl-edit') });
    expect(seen.find((e) => e.reason === 'DriftHealed')).toMatchObject({ type: 'Normal' });

    const heals = await eventually('heal audit entry', async () => ((await auditHeals()).length > 0 ? auditHeals() : undefined));
    expect(heals).toEqual([expect.objectContaining({ resource: 'GlobalNetworkPolicy//allow-dns', fieldManager: 'kubectl-edit', beforeHash: expect.any(String), afterHash: expect.any(String) })]);
    expect(heals[0]?.beforeHash).not.toBe(heals[0]?.afterHash);

    const metrics = await (await fetch(`${agent.url}/metrics`)).text();
    expect(metrics).toMatch(/calico_gitops_drift_episodes_total 1/);
    const status = (await (await fetch(`${agent.url}/status`)).json()) as { drift: { entries: unknown[] } };
    expect(status.drift.entries).toEqual([]);
    // No secret in any log line.
    expect(logLines.join('\n')).not.toContain('SECRETTOKEN');
  });

  it('kubectl delete of an owned object: recreated', async () => {
    const name = await storedName('allow-ssh');
    // A dead alert endpoint: logged and retried, never holding up the status or the heal.
    const failuresBefore = alerts.failures();
    const alertsBefore = alerts.bodies.length;
    alerts.failNext(2);
    await installed.kubectl(['delete', GNP, name]);
    await eventually('recreated', async () => ((await order('allow-ssh')) === 10 ? true : undefined));
    await eventually('drift over', async () => (driftStatuses(sha).at(-1) === 'success: no drift' ? true : undefined));
    expect(driftStatuses(sha)).toContain('failure: drift: GlobalNetworkPolicy/allow-ssh deleted');
    const delivered = await eventually('alerts delivered after the retries', async () => (alerts.bodies.length >= alertsBefore + 2 ? alerts.bodies.slice(alertsBefore) : undefined), { timeoutMs: 20_000 });
    expect(delivered.map((b) => (b as { state: string }).state)).toEqual(['firing', 'resolved']);
    expect(delivered[0]).toMatchObject({ items: [{ resource: 'GlobalNetworkPolicy/allow-ssh', change: 'deleted' }] });
    expect(alerts.failures() - failuresBefore).toBe(2);
    expect(logLines.filter((l) => l.includes('drift alert not delivered; retrying'))).toHaveLength(2);
    // The URL is a secret (Slack keeps its token in the path): never logged.
    expect(logLines.join('\n')).not.toContain('SECRETTOKEN');
    expect((await auditHeals()).map((h) => h.resource)).toContain('GlobalNetworkPolicy//allow-ssh');
  });

  it('a drift during a sync job is handled once: the superseded heal does nothing, one repair after the sync', async () => {
    // On its own too (vitest -t): it starts from the first commit applied and nothing drifting.
    await eventually('first commit applied, no drift', async () => ((await redis.get(`${queuePrefix(config.cluster)}:applied-revision`)) === sha && !(await statusDrift()) ? true : undefined));
    const auditBefore = (await auditHeals()).length;
    const postedBefore = driftStatuses(sha).length;
    // The executor's first write (its ConfigMap) waits, so the job is surely running when the edit lands.
    sim.faults.set([{ method: 'POST', pathPrefix: '/api/v1/namespaces/calico-gitops/configmaps', latencyMs: 1_500, times: 1 }]);
    const next = await work.commitAndPush({ files: { 'policies/allow-ssh.yaml': samplePolicyYaml('allow-ssh', { order: 11 }) }, message: 'ssh order 11' });
    agent.controller?.trigger();
    await eventually('sync job running', async () => (((await agent.controller?.queue.counts())?.['active'] ?? 0) > 0 ? true : undefined), { timeoutMs: 20_000 });
    // A direct API write (kubectl is too slow to start to land inside the job reliably).
    const edited = await adminClient(sim).request({ method: 'PATCH', path: `/apis/crd.projectcalico.org/v1/globalnetworkpolicies/${await storedName('allow-dns')}?fieldManager=hand-edit`, body: { spec: { order: 77 } } });
    expect(edited.status).toBe(200);
    expect(((await agent.controller?.queue.counts())?.['active'] ?? 0) > 0).toBe(true);
    await eventually('new commit applied', async () => (forge.statuses('github', FORGE_REPO, next).some((x) => x.context.endsWith('/apply') && x.state === 'success') ? true : undefined));
    // The delay did hold the job up (the rule is spent).
    expect(sim.faults.list()).toEqual([]);
    await eventually('allow-dns restored', async () => ((await order('allow-dns')) === 20 ? true : undefined));
    await eventually('drift over', async () => ((await redis.get(`${queuePrefix(config.cluster)}:applied-revision`)) === next && !(await statusDrift()) ? true : undefined));
    expect(await order('allow-ssh')).toBe(11);
    const heals = (await auditHeals()).slice(0, (await auditHeals()).length - auditBefore);
    // Exactly one repair of allow-dns, by the kubectl-edit drift; the sync did not write it.
    expect(heals.map((h) => `${h.resource} ${h.fieldManager ?? ''}`)).toEqual(['GlobalNetworkPolicy//allow-dns hand-edit']);
    const audit = new AuditLog({ redis, prefix: queuePrefix(config.cluster), clock: systemClock, cluster: config.cluster });
    const forNext = (await audit.read({ limit: 1000 })).filter((r) => r.revision === next && r.action !== 'heal');
    expect(forNext.map((r) => `${r.action} ${r.resource}`)).toEqual(['update GlobalNetworkPolicy//allow-ssh']);
    // The sync's own write of allow-ssh was never drift; the edit was one episode, reported then ended.
    const posted = [...driftStatuses(sha).slice(postedBefore), ...driftStatuses(next)];
    expect(posted.filter((p) => p.includes('allow-ssh'))).toEqual([]);
    expect(posted).toEqual(['failure: drift: GlobalNetworkPolicy/allow-dns modified by hand-edit', 'success: no drift']);
  });

  it('after a commit already in sync (no sync job runs for it), a drift is still healed', async () => {
    const head = await work.head();
    await eventually('head applied by a sync job', async () => ((await redis.get(`${queuePrefix(config.cluster)}:applied-revision`)) === head && !(await statusDrift()) ? true : undefined));
    const docs = await work.commitAndPush({ files: { 'README.md': 'Network policies of the cluster.\n' }, message: 'docs only' });
    agent.controller?.trigger();
    await eventually('in sync', async () => (forge.statuses('github', FORGE_REPO, docs).some((x) => x.context.endsWith('/apply') && x.state === 'success') ? true : undefined));
    await eventually('applied revision', async () => ((await redis.get(`${queuePrefix(config.cluster)}:applied-revision`)) === docs ? true : undefined));
    const edited = await adminClient(sim).request({ method: 'PATCH', path: `/apis/crd.projectcalico.org/v1/globalnetworkpolicies/${await storedName('allow-dns')}?fieldManager=hand-edit`, body: { spec: { order: 55 } } });
    expect(edited.status).toBe(200);
    // Was: the heal was skipped as superseded (by the last synced commit) again and again.
    await eventually('healed', async () => ((await order('allow-dns')) === 20 ? true : undefined), { timeoutMs: 15_000, context: () => logLines.slice(-15).map((l) => l.slice(0, 300)).join('\n') });
    await eventually('drift over', async () => (driftStatuses(docs).at(-1) === 'success: no drift' ? true : undefined));
    expect(driftStatuses(docs)).toEqual(['failure: drift: GlobalNetworkPolicy/allow-dns modified by hand-edit', 'success: no drift']);
  });

  it('a writer that keeps changing the object: healing stops with a clear status and alert', async () => {
    const name = await storedName('allow-dns');
    // Drift is reported on the applied commit (the previous test applied a newer one).
    const appliedSha = (await redis.get(`${queuePrefix(config.cluster)}:applied-revision`)) ?? '';
    const patch = (n: number) =>
      new Promise<void>((resolve, reject) =>
        execFile('kubectl', ['--kubeconfig', installed.adminKubeconfig, 'patch', GNP, name, '--type=merge', '--field-manager', 'rogue-controller', '-p', JSON.stringify({ spec: { order: 500 + n } })], (err) => (err ? reject(err) : resolve())),
      );
    let n = 0;
    const fighting = await eventually(
      'fighting status',
      async () => {
        const last = driftStatuses(appliedSha).at(-1) ?? '';
        if (last.includes('fighting')) return last;
        // Like another controller: it reverts our repair once it is done (no job of ours running).
        const counts = await agent.controller?.queue.counts();
        const busy = (counts?.['waiting'] ?? 0) + (counts?.['delayed'] ?? 0) + (counts?.['active'] ?? 0) > 0;
        if (!busy && (await order('allow-dns')) === 20) await patch((n += 1));
        return undefined;
      },
      { timeoutMs: 90_000, context: () => [...driftStatuses(appliedSha), ...logLines.slice(-30).map((l) => l.slice(0, 300))].join('\n') },
    );
    expect(fighting).toBe('failure: drift: fighting with rogue-controller over GlobalNetworkPolicy/allow-dns');
    expect(await (await fetch(`${agent.url}/metrics`)).text()).toMatch(/calico_gitops_drift_resources\{kind="GlobalNetworkPolicy"\} 1/);
    await eventually('fighting alert', async () => (alerts.bodies.some((b) => (b as { state: string }).state === 'fighting') ? true : undefined));
    // It stays as the other writer left it: no heal is queued or running for it.
    expect(await order('allow-dns')).toBeGreaterThan(500);
    const counts = await agent.controller?.queue.counts();
    expect((counts?.['waiting'] ?? 0) + (counts?.['delayed'] ?? 0) + (counts?.['active'] ?? 0)).toBe(0);
    expect(await order('allow-dns')).toBeGreaterThan(500);
    const status = await runCli(['status', '--redis', config.redis, '--cluster', config.cluster]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('current drift from applied revision');
    expect(status.stdout).toMatch(/ {2}GlobalNetworkPolicy\/allow-dns modified by rogue-controller at \S+; fighting with rogue-controller, not healed\n/);
  }, 120_000);
});
