// End to end with `--executor api`, in both API modes that serve projectcalico.org/v3: pushes are
// applied, updated and deleted straight through the API as the impersonated executor account, with
// no pod; the commit statuses and the audit trail are those the calicoctl executor leaves for the
// same pushes (run here too, on the Calico API server, where calicoctl works); a forbidden answer
// fails the commit as it does on the calicoctl path.
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../agent/domain/runtime.js';
import { queuePrefix } from '../../agent/queue/keys.js';
import { AuditLog } from '../../agent/report/audit-log.js';
import { RedisStatusStore } from '../../agent/report/redis-status-store.js';
import { startCluster } from '../kube-sim/index.js';
import type { WatchEvent } from '../kube-sim/runtime/kube-http.js';
import { adminClient } from '../kube-sim/runtime/test-fixtures.js';
import { dropClusterKeys, eventually, startTestAgent, testConfig } from '../support/agent-harness.js';
import { cleanupGitFixtures, createRepoWithFiles, samplePolicyYaml } from '../support/git-fixtures.js';
import { installAgentRbac } from '../support/install-agent.js';

const KNP = ['apiVersion: networking.k8s.io/v1', 'kind: NetworkPolicy', 'metadata:', '  name: deny-web', '  namespace: web', 'spec:', '  podSelector: {}', '  policyTypes: [Ingress]', ''].join('\n');

interface Scenario {
  readonly statuses: string[];
  readonly audit: Record<string, unknown>[];
  readonly podsCreated: number;
}

const redis = new Redis();
afterAll(async () => {
  redis.disconnect();
  await cleanupGitFixtures();
});

/** Three pushes (create, update + delete, then an update the executor account may not make). */
async function scenario(o: { executor: 'api' | 'calicoctl'; mode: 'apiserver' | 'native-v3' }): Promise<Scenario> {
  const sim = await startCluster({ tls: true, ...(o.mode === 'apiserver' ? { calicoVersion: 'v3.31.2', calicoApiServer: true } : { calicoVersion: 'v3.32.0', calicoNativeV3: true }) });
  const cluster = `apiexec-${randomBytes(3).toString('hex')}`;
  const pods: WatchEvent[] = [];
  const stopWatch = new AbortController();
  const api = adminClient(sim);
  const watching = api.watch({ path: '/api/v1/pods?watch=true', onEvent: (e) => pods.push(e), signal: stopWatch.signal });
  let agent: Awaited<ReturnType<typeof startTestAgent>> | undefined;
  try {
    const installed = await installAgentRbac(sim);
    await installed.kubectl(['create', 'namespace', 'web']);
    const repo = await createRepoWithFiles({
      'policies/allow-ssh.yaml': samplePolicyYaml('allow-ssh', { order: 10 }),
      'policies/allow-dns.yaml': samplePolicyYaml('allow-dns', { order: 20 }),
      'policies/deny-web.yaml': KNP,
    });
    const dir = await mkdtemp(join(tmpdir(), 'cg-apiexec-'));
    const config = testConfig({ repo: repo.remote.url, path: 'policies', cluster, kubeconfig: installed.agentKubeconfig, executor: o.executor, pollInterval: '1h' });
    agent = await startTestAgent({ config, logger: pino({ level: process.env['DEBUG_API_EXEC'] ? 'info' : 'silent' }), cacheDir: dir, controller: true, workers: 1, http: false });
    const store = new RedisStatusStore({ redis, prefix: queuePrefix(cluster), cluster, clock: systemClock });
    const settled = (sha: string) =>
      eventually(`apply status of ${sha}`, async () => {
        const s = (await store.listStatuses({ sha })).find((x) => x.context === `calico-gitops/${cluster}/apply` && x.state !== 'pending');
        return s ? `${s.state}: ${s.description}` : undefined;
      });
    const statuses = [await settled(repo.sha)];
    const second = await repo.work.commitAndPush({
      files: { 'policies/allow-ssh.yaml': samplePolicyYaml('allow-ssh', { order: 15 }), 'policies/allow-dns.yaml': null },
      message: 'ssh later, no dns\n\nCalico-GitOps-Allow-Delete: 1\n',
    });
    agent.controller?.trigger();
    statuses.push(await settled(second));
    // The executor account loses its rights: the next change is forbidden.
    await installed.kubectl(['delete', 'clusterrolebinding', 'calico-gitops-executor']);
    const third = await repo.work.commitAndPush({ files: { 'policies/allow-ssh.yaml': samplePolicyYaml('allow-ssh', { order: 5 }) }, message: 'ssh first' });
    agent.controller?.trigger();
    statuses.push(await settled(third));

    const records = await new AuditLog({ redis, prefix: queuePrefix(cluster), clock: systemClock }).read({ limit: 100 });
    // What the two executors must agree on: which change, of what, for which revision, with what result.
    const audit = records
      .map((r) => ({ keys: Object.keys(r).filter((k) => k !== 'id').sort(), action: r.action, resource: r.resource, revision: [repo.sha, second, third].indexOf(r.revision), result: r.result, ...(r.result === 'failed' ? { forbidden: /^forbidden: /.test(r.message ?? '') } : {}) }))
      .sort((a, b) => `${a.revision}${a.resource}${a.action}`.localeCompare(`${b.revision}${b.resource}${b.action}`));
    return { statuses, audit, podsCreated: pods.filter((e) => e.type === 'ADDED').length };
  } finally {
    await agent?.stop();
    stopWatch.abort();
    await watching.catch(() => undefined);
    await dropClusterKeys(redis, cluster);
    await sim.close();
  }
}

describe('--executor api end to end', () => {
  let calicoctl: Scenario | undefined;
  const baseline = async (): Promise<Scenario> => (calicoctl ??= await scenario({ executor: 'calicoctl', mode: 'apiserver' }));

  it.each(['apiserver', 'native-v3'] as const)('in %s mode: applies, updates and deletes with no pod; statuses and audit as the calicoctl path', async (mode) => {
    const viaApi = await scenario({ executor: 'api', mode });
    expect(viaApi.podsCreated).toBe(0);
    expect(viaApi.statuses.slice(0, 2)).toEqual(['success: applied 3, deleted 0', 'success: applied 1, deleted 1']);
    expect(viaApi.statuses[2]).toMatch(/^failure: forbidden: GlobalNetworkPolicy allow-ssh: get globalnetworkpolicies.projectcalico.org allow-ssh: /);
    const expected = await baseline();
    expect(expected.podsCreated).toBeGreaterThan(0);
    expect(viaApi.statuses.slice(0, 2)).toEqual(expected.statuses.slice(0, 2));
    // The same state, outcome and resource; the API's words differ from calicoctl's.
    const head = (s: string | undefined) => s?.split(': ').slice(0, 3).join(': ');
    expect(head(viaApi.statuses[2])).toBe(head(expected.statuses[2]));
    expect(viaApi.audit).toEqual(expected.audit);
  }, 180_000);
});
