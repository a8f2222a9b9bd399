// The identities deploy/ creates, asked with the real `kubectl auth can-i` under their own tokens
// (installed into the simulator from deploy/, as an operator would): the controller, which takes
// webhooks from the internet, can neither create pods nor ConfigMaps (a pod running as the executor
// could write any policy); only the worker can, and only in its namespace; Events only for the
// controller, whose drift alerts create them; only the executor writes Calico policy, and the worker
// reaches its rights only by impersonating it (--executor api), with the real kubectl --as.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type KubeSim } from '../kube-sim/index.js';
import { installAgentRbac, type InstalledAgent } from '../support/install-agent.js';

const run = promisify(execFile);
let sim: KubeSim;
let installed: InstalledAgent;

beforeAll(async () => {
  sim = await startCluster({ tls: true });
  installed = await installAgentRbac(sim);
}, 60_000);

afterAll(async () => {
  await sim?.close();
});

async function canI(kubeconfig: string, verb: string, resource: string, namespace?: string): Promise<string> {
  const args = ['--kubeconfig', kubeconfig, 'auth', 'can-i', verb, resource, ...(namespace ? ['-n', namespace] : ['--all-namespaces'])];
  const answer = await run('kubectl', args, { env: { ...process.env, KUBECONFIG: kubeconfig } }).then(
    (r) => r.stdout,
    (e: { stdout: string }) => e.stdout,
  );
  return answer.trim();
}

const NS = 'calico-gitops';
describe('least privilege in deploy/', () => {
  it.each([
    // The controller: plans and holds the Lease, creates nothing that runs.
    ['controller', 'create', 'pods', NS, 'no'],
    ['controller', 'create', 'configmaps', NS, 'no'],
    ['controller', 'delete', 'pods', NS, 'no'],
    ['controller', 'create', 'globalnetworkpolicies.crd.projectcalico.org', undefined, 'no'],
    ['controller', 'list', 'globalnetworkpolicies.crd.projectcalico.org', undefined, 'yes'],
    ['controller', 'update', 'leases.coordination.k8s.io', NS, 'yes'],
    ['controller', 'create', 'events', 'default', 'yes'],
    // Its workload cache (intents, impact): list and watch the core kinds it reads, nothing more.
    ['controller', 'list', 'pods', undefined, 'yes'],
    ['controller', 'watch', 'pods', undefined, 'yes'],
    ['controller', 'watch', 'namespaces', undefined, 'yes'],
    ['controller', 'watch', 'serviceaccounts', undefined, 'yes'],
    ['controller', 'get', 'pods', 'default', 'no'],
    ['controller', 'list', 'secrets', undefined, 'no'],
    ['controller', 'watch', 'configmaps', undefined, 'no'],
    // The worker: executor pods and ConfigMaps in its own namespace only; reads policy; no Events, no Lease.
    ['worker', 'create', 'pods', NS, 'yes'],
    ['worker', 'create', 'configmaps', NS, 'yes'],
    ['worker', 'get', 'pods/log', NS, 'yes'],
    ['worker', 'create', 'pods', 'default', 'no'],
    ['worker', 'create', 'configmaps', 'kube-system', 'no'],
    ['worker', 'create', 'events', 'default', 'no'],
    ['worker', 'update', 'leases.coordination.k8s.io', NS, 'no'],
    ['worker', 'create', 'globalnetworkpolicies.crd.projectcalico.org', undefined, 'no'],
    ['worker', 'watch', 'globalnetworkpolicies.crd.projectcalico.org', undefined, 'yes'],
    // --executor api: the worker impersonates the executor account, that one and nothing else, and
    // writes no policy as itself.
    ['worker', 'impersonate', 'serviceaccounts/calico-gitops-executor', NS, 'yes'],
    ['worker', 'impersonate', 'serviceaccounts/calico-gitops', NS, 'no'],
    ['worker', 'impersonate', 'serviceaccounts/default', 'kube-system', 'no'],
    ['worker', 'impersonate', 'users/kubernetes-admin', undefined, 'no'],
    ['worker', 'impersonate', 'groups/system:masters', undefined, 'no'],
    ['worker', 'create', 'globalnetworkpolicies.projectcalico.org', undefined, 'no'],
    ['worker', 'create', 'networkpolicies.networking.k8s.io', 'default', 'no'],
    ['controller', 'impersonate', 'serviceaccounts/calico-gitops-executor', NS, 'no'],
  ] as const)('%s may %s %s (namespace %s): %s', async (who, verb, resource, namespace, expected) => {
    const kubeconfig = who === 'controller' ? installed.controllerKubeconfig : installed.workerKubeconfig;
    expect(await canI(kubeconfig, verb, resource, namespace)).toBe(expected);
  });

  it('impersonating the executor with the real kubectl --as: the worker gets exactly its rights, and nobody else\'s', async () => {
    const asExecutor = ['--as', 'system:serviceaccount:calico-gitops:calico-gitops-executor'];
    const kubectl = (args: readonly string[]) =>
      run('kubectl', ['--kubeconfig', installed.workerKubeconfig, ...args], { env: { ...process.env, KUBECONFIG: installed.workerKubeconfig } }).then(
        (r) => ({ code: 0, stdout: r.stdout.trim(), stderr: r.stderr.trim() }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout.trim(), stderr: e.stderr.trim() }),
      );
    expect((await kubectl([...asExecutor, 'auth', 'can-i', 'create', 'globalnetworkpolicies.crd.projectcalico.org', '--all-namespaces'])).stdout).toBe('yes');
    expect((await kubectl([...asExecutor, 'auth', 'can-i', 'create', 'pods', '-n', NS])).stdout).toBe('no');
    expect((await kubectl([...asExecutor, 'auth', 'can-i', 'get', 'secrets', '-n', NS])).stdout).toBe('no');
    // A real write under the executor's identity, sent by the worker.
    const created = await kubectl([...asExecutor, 'create', '-f', 'test/fixtures/deploy/impersonated-netpol.yaml']);
    expect(created).toMatchObject({ code: 0, stdout: 'networkpolicy.networking.k8s.io/impersonated-write created' });
    const denied = await kubectl(['--as', 'system:serviceaccount:kube-system:default', 'get', 'pods', '-n', 'kube-system']);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('Error from server (Forbidden): serviceaccounts "default" is forbidden: User "system:serviceaccount:calico-gitops:calico-gitops-worker" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "kube-system"');
    const asAdmin = await kubectl(['--as', 'kubernetes-admin', 'get', 'pods', '-n', NS]);
    expect(asAdmin.stderr).toContain('cannot impersonate resource "users" in API group "" at the cluster scope');
  });

  it('the Deployments run as those identities, the controller with --workers 0', async () => {
    const { stdout } = await run('kubectl', ['kustomize', 'deploy/']);
    const docs = stdout.split(/^---$/m);
    const deployment = (name: string) => docs.find((d) => d.includes('kind: Deployment') && d.includes(`name: ${name}\n`)) ?? '';
    expect(deployment('calico-gitops-agent')).toMatch(/serviceAccountName: calico-gitops\n/);
    expect(deployment('calico-gitops-agent')).toMatch(/- agent\n\s+- --workers\n\s+- "0"\n/);
    expect(deployment('calico-gitops-worker')).toMatch(/serviceAccountName: calico-gitops-worker\n/);
  });
});
