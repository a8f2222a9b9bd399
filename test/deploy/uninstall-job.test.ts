// deploy/uninstall/: the Job renders with `kubectl kustomize` and runs `uninstall --yes` as its own
// identity, whose rights (asked with the real `kubectl auth can-i` under its token in the simulator)
// are the worker's plus get/delete on exactly the agent's own objects: it writes no Calico policy,
// and cannot touch other objects of the same kinds.
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type KubeSim } from '../kube-sim/index.js';
import { AGENT_NAMESPACE, installAgentRbac, type InstalledAgent } from '../support/install-agent.js';

const run = promisify(execFile);
let sim: KubeSim;
let installed: InstalledAgent;
let kubeconfig: string;

beforeAll(async () => {
  sim = await startCluster({ tls: true });
  installed = await installAgentRbac(sim);
  await installed.kubectl(['apply', '-n', AGENT_NAMESPACE, '-f', 'deploy/uninstall/rbac.yaml']);
  kubeconfig = join(await mkdtemp(join(tmpdir(), 'cg-uninstall-rbac-')), 'uninstall.kubeconfig');
  await sim.writeKubeconfig(kubeconfig, { serviceAccount: { namespace: AGENT_NAMESPACE, name: 'calico-gitops-uninstall' } });
}, 60_000);

afterAll(async () => {
  await sim?.close();
});

async function canI(verb: string, resource: string, namespace?: string): Promise<string> {
  const args = ['--kubeconfig', kubeconfig, 'auth', 'can-i', verb, resource, ...(namespace ? ['-n', namespace] : ['--all-namespaces'])];
  const answer = await run('kubectl', args, { env: { ...process.env, KUBECONFIG: kubeconfig } }).then(
    (r) => r.stdout,
    (e: { stdout: string }) => e.stdout,
  );
  return answer.trim();
}

const NS = AGENT_NAMESPACE;
describe('deploy/uninstall', () => {
  it('renders with kubectl kustomize: a Job running uninstall --yes as its own identity, with its own settings', async () => {
    const { stdout } = await run('kubectl', ['kustomize', 'deploy/uninstall/']);
    const docs = stdout.split(/^---$/m);
    const job = docs.find((d) => d.includes('kind: Job')) ?? '';
    expect(job).toMatch(/name: calico-gitops-uninstall\n/);
    expect(job).toMatch(/namespace: calico-gitops\n/);
    expect(job).toMatch(/serviceAccountName: calico-gitops-uninstall\n/);
    expect(job).toMatch(/- uninstall\n\s+- --yes\n/);
    expect(job).toMatch(/readOnlyRootFilesystem: true/);
    // Its settings are its own ConfigMap (the uninstall deletes the agent's), name hashed by kustomize.
    const cm = /name: (calico-gitops-uninstall-[a-z0-9]+)\n/.exec(job)?.[1];
    expect(cm).toBeDefined();
    expect(docs.some((d) => d.includes('kind: ConfigMap') && d.includes(`name: ${cm}\n`) && d.includes('CALICO_GITOPS_CLUSTER'))).toBe(true);
  });

  it.each([
    // What the worker may do: executor pods and ConfigMaps in its namespace, read Calico policy.
    ['create', 'pods', NS, 'yes'],
    ['get', 'pods/log', NS, 'yes'],
    ['create', 'configmaps', NS, 'yes'],
    ['create', 'pods', 'default', 'no'],
    ['list', 'globalnetworkpolicies.crd.projectcalico.org', undefined, 'yes'],
    ['watch', 'networksets.crd.projectcalico.org', undefined, 'yes'],
    // It never writes policy itself: the executor pods do.
    ['delete', 'globalnetworkpolicies.crd.projectcalico.org', undefined, 'no'],
    ['create', 'globalnetworkpolicies.crd.projectcalico.org', undefined, 'no'],
    ['delete', 'networkpolicies.networking.k8s.io', 'test1', 'no'],
    // The agent's own objects, by name; nothing else of those kinds.
    ['delete', 'deployments.apps/calico-gitops-agent', NS, 'yes'],
    ['delete', 'deployments.apps/calico-gitops-redis', NS, 'no'],
    ['delete', 'deployments.apps', 'default', 'no'],
    ['delete', 'clusterroles.rbac.authorization.k8s.io/calico-gitops-executor', undefined, 'yes'],
    ['delete', 'clusterroles.rbac.authorization.k8s.io/cluster-admin', undefined, 'no'],
    ['delete', 'clusterrolebindings.rbac.authorization.k8s.io/calico-gitops-worker', undefined, 'yes'],
    ['delete', 'clusterrolebindings.rbac.authorization.k8s.io/calico-gitops-uninstall', undefined, 'no'],
    ['delete', 'serviceaccounts/calico-gitops-executor', NS, 'yes'],
    ['delete', 'serviceaccounts/calico-gitops-uninstall', NS, 'no'],
    ['delete', 'roles.rbac.authorization.k8s.io/calico-gitops-agent', NS, 'yes'],
    ['delete', 'rolebindings.rbac.authorization.k8s.io/calico-gitops-uninstall', NS, 'no'],
    ['delete', 'leases.coordination.k8s.io', NS, 'yes'],
    ['delete', 'leases.coordination.k8s.io', 'kube-system', 'no'],
    ['create', 'clusterroles.rbac.authorization.k8s.io', undefined, 'no'],
    ['update', 'clusterroles.rbac.authorization.k8s.io/calico-gitops-agent', undefined, 'no'],
    ['delete', 'namespaces/calico-gitops', undefined, 'no'],
    ['get', 'secrets', NS, 'no'],
    // --executor api: it impersonates the executor account as the worker does, that one only.
    ['impersonate', 'serviceaccounts/calico-gitops-executor', NS, 'yes'],
    ['impersonate', 'serviceaccounts/calico-gitops', NS, 'no'],
    ['impersonate', 'users/kubernetes-admin', undefined, 'no'],
  ] as const)('the uninstall identity may %s %s (namespace %s): %s', async (verb, resource, namespace, expected) => {
    expect(await canI(verb, resource, namespace)).toBe(expected);
  });
});
