// End to end: `calico-gitops uninstall` with a real git repository, the real Redis and the
// simulator, the CLI running as the uninstall identity of deploy/uninstall/. Without --yes nothing
// changes; --yes --keep-agent deletes every owned object (through the executor) and keeps the
// agent, paused: it re-creates nothing; a run stopped half-way (the API refusing a delete) says what
// is left, and running it again removes the agent's deploy/ objects and the cluster's Redis keys.
// Unowned objects and another instance's are never touched.
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentProcess } from '../../agent/app/agent-process.js';
import type { Config } from '../../agent/config/config.js';
import { queuePrefix, redisKeys } from '../../agent/queue/keys.js';
import { agentObjects } from '../../agent/uninstall/agent-objects.js';
import { startCluster, type KubeSim } from '../kube-sim/index.js';
import { dropClusterKeys, eventually, startTestAgent, testConfig } from '../support/agent-harness.js';
import { runCli } from '../support/cli.js';
import { cleanupGitFixtures, createRepoWithFiles, type Remote } from '../support/git-fixtures.js';
import { AGENT_NAMESPACE, installAgentRbac, type InstalledAgent } from '../support/install-agent.js';

let sim: KubeSim;
let installed: InstalledAgent;
let remote: Remote;
let agent: AgentProcess | undefined;
let redis: Redis;
let config: Config;
let home: string;
let uninstallKubeconfig: string;

const policies: Record<string, string> = {
  'policies/web.yaml': ['apiVersion: projectcalico.org/v3', 'kind: GlobalNetworkPolicy', 'metadata:', '  name: web', 'spec:', '  order: 100', "  selector: role == 'web'", '  types: [Ingress]', '  ingress:', '    - action: Allow', '      protocol: TCP', '      destination:', '        ports: [80]', ''].join('\n'),
  'policies/sets.yaml': ['apiVersion: projectcalico.org/v3', 'kind: NetworkSet', 'metadata:', '  name: office', '  namespace: test1', 'spec:', '  nets: [10.1.0.0/16]', '---', 'apiVersion: projectcalico.org/v3', 'kind: GlobalNetworkSet', 'metadata:', '  name: partners', 'spec:', '  nets: [192.0.2.0/24]', ''].join('\n'),
  'policies/np.yaml': ['apiVersion: projectcalico.org/v3', 'kind: NetworkPolicy', 'metadata:', '  name: db', '  namespace: test1', 'spec:', "  selector: app == 'db'", '  types: [Ingress]', '  ingress:', '    - action: Allow', '      source:', "        selector: app == 'web'", ''].join('\n'),
};

/** A NetworkSet written by hand in crd.projectcalico.org storage, with the given owner annotation. */
function handMadeSet(name: string, owner?: string): string {
  return JSON.stringify({
    apiVersion: 'crd.projectcalico.org/v1',
    kind: 'NetworkSet',
    metadata: { name, namespace: 'test1', ...(owner ? { annotations: { 'calico-gitops.io/owner': owner } } : {}) },
    spec: { nets: ['10.9.0.0/16'] },
  });
}

async function apply(manifest: string): Promise<void> {
  const file = join(home, `m-${randomBytes(4).toString('hex')}.json`);
  const { writeFile } = await import('node:fs/promises');
  await writeFile(file, manifest);
  await installed.kubectl(['apply', '-f', file]);
}

beforeAll(async () => {
  sim = await startCluster({ tls: true });
  installed = await installAgentRbac(sim);
  home = await mkdtemp(join(tmpdir(), 'cg-uninstall-'));
  // The rest of the agent as deploy/ installs it: its ConfigMap and Deployments (the simulator
  // keeps them; this process plays the agent), and the uninstall identity.
  await installed.kubectl(['apply', '-n', AGENT_NAMESPACE, '-f', 'deploy/config.yaml', '-f', 'deploy/agent.yaml', '-f', 'deploy/worker.yaml', '-f', 'deploy/uninstall/rbac.yaml']);
  uninstallKubeconfig = join(home, 'uninstall.kubeconfig');
  await sim.writeKubeconfig(uninstallKubeconfig, { serviceAccount: { namespace: AGENT_NAMESPACE, name: 'calico-gitops-uninstall' } });
  await installed.kubectl(['create', 'namespace', 'test1']);
  await apply(handMadeSet('unowned'));
  await apply(handMadeSet('theirs', 'other-instance'));
  const repo = await createRepoWithFiles(policies, { message: 'policies' });
  remote = repo.remote;
  config = testConfig({ repo: remote.url, path: 'policies', cluster: `un-${randomBytes(4).toString('hex')}`, kubeconfig: installed.agentKubeconfig, pollInterval: '1s' });
  agent = await startTestAgent({ config, logger: pino({ level: 'silent' }), cacheDir: home, controller: true, workers: 1, http: false });
  redis = new Redis(config.redis);
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  if (redis && config) {
    await dropClusterKeys(redis, config.cluster);
    redis.disconnect();
  }
  await sim?.close();
  await cleanupGitFixtures();
}, 60_000);

const cli = (args: string[]) =>
  runCli(['uninstall', ...args], {
    env: { HOME: home, CALICO_GITOPS_CLUSTER: config.cluster, CALICO_GITOPS_REDIS: config.redis, CALICO_GITOPS_KUBECONFIG: uninstallKubeconfig, CALICO_GITOPS_VERIFY_TIMEOUT: '20s' },
    timeoutMs: 90_000,
  });

/** Names of the Calico objects of one kind as the cluster stores them. */
async function names(plural: string, namespace?: string): Promise<string[]> {
  const { stdout } = await installed.kubectl(['get', `${plural}.crd.projectcalico.org`, ...(namespace ? ['-n', namespace] : []), '-o', 'json']);
  return (JSON.parse(stdout) as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name.replace(/^default\./, '')).sort();
}

async function calicoState(): Promise<Record<string, string[]>> {
  return {
    gnp: await names('globalnetworkpolicies'),
    np: await names('networkpolicies', 'test1'),
    sets: await names('networksets', 'test1'),
    gsets: await names('globalnetworksets'),
  };
}

/** The deploy/ objects of the agent that still exist (the test-only both-roles account is not one). */
async function agentObjectsLeft(): Promise<string[]> {
  const left: string[] = [];
  for (const ref of agentObjects({ namespace: AGENT_NAMESPACE, cluster: config.cluster })) {
    const resource = `${ref.kind.toLowerCase()}${ref.apiVersion.includes('/') ? `.${ref.apiVersion.split('/')[0]}` : ''}`;
    const found = await installed.kubectl(['get', resource, ref.name, ...(ref.namespace ? ['-n', ref.namespace] : []), '-o', 'name']).then(
      () => true,
      () => false,
    );
    if (found) left.push(`${ref.kind}/${ref.name}`);
  }
  return left;
}

const applied = { gnp: ['web'], np: ['db'], sets: ['office', 'theirs', 'unowned'], gsets: ['partners'] };
const afterUninstall = { gnp: [], np: [], sets: ['theirs', 'unowned'], gsets: [] };

describe('calico-gitops uninstall', () => {
  it('without --yes lists what it would delete and changes nothing', async () => {
    await eventually('policies applied', async () => (JSON.stringify(await calicoState()) === JSON.stringify(applied) ? true : undefined));
    const r = await cli([]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const listed = r.stdout.split('\n').filter((l) => l.startsWith('  - '));
    // Reverse apply order: policies before the sets they use; nothing unowned, nothing of another instance.
    expect(listed.slice(0, 4)).toEqual(['  - NetworkPolicy test1/db', '  - GlobalNetworkPolicy web', '  - NetworkSet test1/office', '  - GlobalNetworkSet partners']);
    expect(r.stdout).not.toMatch(/unowned|theirs/);
    expect(r.stdout).toContain('Deployment calico-gitops/calico-gitops-agent');
    expect(r.stdout).toContain('run again with --yes to delete them');
    expect(await calicoState()).toEqual(applied);
    expect(await redis.exists(redisKeys.syncPaused(queuePrefix(config.cluster)))).toBe(0);
    expect(await agentObjectsLeft()).toHaveLength(agentObjects({ namespace: AGENT_NAMESPACE, cluster: config.cluster }).length);
  }, 120_000);

  it('--yes --keep-agent deletes every owned object and keeps the agent, which stays paused and re-creates nothing', async () => {
    const r = await cli(['--yes', '--keep-agent']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('uninstalled: 4 owned objects deleted; agent kept; sync stays paused');
    expect(await calicoState()).toEqual(afterUninstall);
    // The leader (this process) honours the pause: a cycle after it plans nothing, heals nothing.
    await eventually('a paused cycle', async () => (agent?.lastCycle()?.outcome.kind === 'paused' ? true : undefined));
    const at = agent?.lastCycle()?.at ?? '';
    await eventually('another paused cycle', async () => ((agent?.lastCycle()?.at ?? '') > at && agent?.lastCycle()?.outcome.kind === 'paused' ? true : undefined));
    expect(await calicoState()).toEqual(afterUninstall);
    expect(await agentObjectsLeft()).toHaveLength(agentObjects({ namespace: AGENT_NAMESPACE, cluster: config.cluster }).length);
  }, 120_000);

  it('a run stopped half-way says what is left, keeps the Redis keys while the agent still runs, and running it again removes the agent and its Redis keys', async () => {
    sim.faults.set([{ method: 'DELETE', pathPrefix: '/apis/rbac.authorization.k8s.io/v1/clusterroles/', status: 500 }]);
    const failed = await cli(['--yes']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('calico-gitops uninstall: removing ClusterRole calico-gitops-agent failed');
    expect(failed.stderr).toContain('  - ClusterRole calico-gitops-agent');
    expect(failed.stderr).toContain('run calico-gitops uninstall --yes again to finish');
    expect(await agentObjectsLeft()).toEqual(['ClusterRole/calico-gitops-agent', 'ClusterRole/calico-gitops-worker', 'ClusterRole/calico-gitops-executor', 'ServiceAccount/calico-gitops', 'ServiceAccount/calico-gitops-worker', 'ServiceAccount/calico-gitops-executor']);
    expect(await redis.exists(redisKeys.syncPaused(queuePrefix(config.cluster)))).toBe(1);

    sim.faults.clear();
    // Its Deployments are gone, but this process (the agent) has not stopped: a cycle or a worker
    // still running would write keys again after they are cleared, so they are kept.
    const running = await cli(['--yes', '--agent-stop-timeout', '2']);
    expect(running.code).toBe(1);
    expect(running.stderr).toMatch(/calico-gitops uninstall: \d+ agent or worker process(es are| is) still connected to the cluster's queue after 2s: the cluster's Redis keys are kept/);
    expect(await agentObjectsLeft()).toEqual([]);
    expect(await redis.exists(redisKeys.syncPaused(queuePrefix(config.cluster)))).toBe(1);

    // The agent's pods end, as they do once their Deployments are deleted.
    await agent?.stop();
    agent = undefined;
    const done = await cli(['--yes']);
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/uninstalled: 0 owned objects deleted; \d+ agent objects removed, \d+ Redis keys deleted/);
    expect(await agentObjectsLeft()).toEqual([]);
    expect(await redis.keys(`${queuePrefix(config.cluster)}*`)).toEqual([]);
    expect(await calicoState()).toEqual(afterUninstall);
  }, 180_000);
});
