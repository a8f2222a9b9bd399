// `calico-gitops uninstall` with `--executor api`, in both API modes that serve projectcalico.org/v3
// (Calico API server, native v3 CRDs), as the uninstall identity of deploy/uninstall/: the owned
// objects are deleted straight through the API as the impersonated executor account, with no pod,
// in reverse apply order, stopping at the first failure (the rest is left, and said so) so a re-run
// finishes; objects nobody owns and another instance's are never touched.
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { startCluster } from '../kube-sim/index.js';
import type { WatchEvent } from '../kube-sim/runtime/kube-http.js';
import { adminClient } from '../kube-sim/runtime/test-fixtures.js';
import { dropClusterKeys } from '../support/agent-harness.js';
import { runCli } from '../support/cli.js';
import { AGENT_NAMESPACE, installAgentRbac } from '../support/install-agent.js';

const redis = new Redis();
afterAll(() => redis.disconnect());

const OWNER = 'calico-gitops.io/owner';
const meta = (name: string, owner?: string, namespace?: string) => ({ name, ...(namespace ? { namespace } : {}), ...(owner ? { annotations: { [OWNER]: owner } } : {}) });
const v3 = (kind: string, metadata: Record<string, unknown>, spec: Record<string, unknown>) => ({ apiVersion: 'projectcalico.org/v3', kind, metadata, spec });
const OBJECTS = [
    v3('GlobalNetworkPolicy', meta('web', 'calico-gitops'), { order: 100, selector: "role == 'web'", types: ['Ingress'], ingress: [{ action: 'Allow' }] }),
    v3('NetworkPolicy', meta('db', 'calico-gitops', 'test1'), { selector: "app == 'db'", types: ['Ingress'], ingress: [{ action: 'Allow' }] }),
    v3('NetworkSet', meta('office', 'calico-gitops', 'test1'), { nets: ['10.1.0.0/16'] }),
    v3('GlobalNetworkSet', meta('partners', 'calico-gitops'), { nets: ['192.0.2.0/24'] }),
    v3('NetworkSet', meta('unowned', undefined, 'test1'), { nets: ['10.9.0.0/16'] }),
    v3('NetworkSet', meta('theirs', 'other-instance', 'test1'), { nets: ['10.8.0.0/16'] }),
];

describe('calico-gitops uninstall --executor api', () => {
  it.each(['apiserver', 'native-v3'] as const)(
    'in %s mode: deletes what the instance owns in reverse apply order with no pod, stops at a failure and finishes on a re-run',
    async (mode) => {
      const sim = await startCluster({ tls: true, ...(mode === 'apiserver' ? { calicoVersion: 'v3.31.2', calicoApiServer: true } : { calicoVersion: 'v3.32.0', calicoNativeV3: true }) });
      const cluster = `unapi-${randomBytes(3).toString('hex')}`;
      const pods: WatchEvent[] = [];
      const stopWatch = new AbortController();
      const watching = adminClient(sim).watch({ path: '/api/v1/pods?watch=true', onEvent: (e) => pods.push(e), signal: stopWatch.signal });
      try {
        const installed = await installAgentRbac(sim);
        await installed.kubectl(['apply', '-n', AGENT_NAMESPACE, '-f', 'deploy/uninstall/rbac.yaml']);
        const home = await mkdtemp(join(tmpdir(), 'cg-uninstall-api-'));
        const kubeconfig = join(home, 'uninstall.kubeconfig');
        await sim.writeKubeconfig(kubeconfig, { serviceAccount: { namespace: AGENT_NAMESPACE, name: 'calico-gitops-uninstall' } });
        await installed.kubectl(['create', 'namespace', 'test1']);
        await writeFile(join(home, 'objects.json'), OBJECTS.map((o) => JSON.stringify(o)).join('\n'));
        await installed.kubectl(['apply', '-f', join(home, 'objects.json')]);
        const names = async (plural: string, namespace?: string): Promise<string[]> => {
          const { stdout } = await installed.kubectl(['get', `${plural}.projectcalico.org`, ...(namespace ? ['-n', namespace] : []), '-o', 'json']);
          return (JSON.parse(stdout) as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name.replace(/^default\./, '')).sort();
        };
        const state = async () => ({ gnp: await names('globalnetworkpolicies'), np: await names('networkpolicies', 'test1'), sets: await names('networksets', 'test1'), gsets: await names('globalnetworksets') });
        expect(await state()).toEqual({ gnp: ['web'], np: ['db'], sets: ['office', 'theirs', 'unowned'], gsets: ['partners'] });
        const cli = (args: string[]) =>
          runCli(['uninstall', '--yes', '--keep-agent', ...args], {
            env: { HOME: home, CALICO_GITOPS_CLUSTER: cluster, CALICO_GITOPS_KUBECONFIG: kubeconfig, CALICO_GITOPS_EXECUTOR: 'api', CALICO_GITOPS_VERIFY_TIMEOUT: '20s' },
            timeoutMs: 90_000,
          });

        // Reverse apply order is NetworkPolicy, GlobalNetworkPolicy, NetworkSet, GlobalNetworkSet: the
        // second delete fails, so the first is done and the two after it are not run.
        sim.faults.set([{ method: 'DELETE', pathPrefix: '/apis/projectcalico.org/v3/globalnetworkpolicies/', status: 500 }]);
        const failed = await cli([]);
        expect(failed.code).toBe(1);
        expect(failed.stderr).toMatch(/calico-gitops uninstall: some deletes failed: GlobalNetworkPolicy web: retryable: /);
        expect(failed.stderr).toContain('left (3):\n  - GlobalNetworkPolicy web\n  - NetworkSet test1/office\n  - GlobalNetworkSet partners\n');
        expect(await state()).toEqual({ gnp: ['web'], np: [], sets: ['office', 'theirs', 'unowned'], gsets: ['partners'] });

        sim.faults.clear();
        const done = await cli([]);
        expect(done.stderr).toBe('');
        expect(done.code).toBe(0);
        expect(done.stdout).toContain('uninstalled: 3 owned objects deleted; agent kept; sync stays paused');
        expect(await state()).toEqual({ gnp: [], np: [], sets: ['theirs', 'unowned'], gsets: [] });
        expect(pods.filter((e) => e.type === 'ADDED')).toEqual([]);
      } finally {
        stopWatch.abort();
        await watching.catch(() => undefined);
        await dropClusterKeys(redis, cluster);
        await sim.close();
      }
    },
    240_000,
  );
});
