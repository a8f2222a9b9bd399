// Installs the agent's namespace, ServiceAccounts and RBAC from deploy/ into a simulator with the
// real kubectl (as an operator would), and hands back kubeconfigs for its identities, so end-to-end
// tests run with exactly the rights the manifests grant.
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KubeSim } from '../kube-sim/index.js';

const run = promisify(execFile);
export const AGENT_NAMESPACE = 'calico-gitops';
const MANIFESTS = ['namespace.yaml', 'serviceaccounts.yaml', 'rbac-agent.yaml', 'rbac-worker.yaml', 'rbac-executor.yaml'];
/** Test-only: one process running the controller and in-process workers needs both roles. */
const BOTH_ROLES_ACCOUNT = 'calico-gitops-both-roles';

export interface InstalledAgent {
  readonly adminKubeconfig: string;
  /** The controller's identity from deploy/ (webhooks, planning; no pods, no ConfigMaps). */
  readonly controllerKubeconfig: string;
  /** The worker's identity from deploy/ (executor pods and ConfigMaps in its namespace). */
  readonly workerKubeconfig: string;
  /**
   * For a test process running both roles at once (`agent` with in-process workers): a test-only
   * account bound to exactly the controller's and the worker's roles from deploy/, nothing more.
   */
  readonly agentKubeconfig: string;
  kubectl(args: readonly string[]): Promise<{ stdout: string; stderr: string }>;
}

export async function installAgentRbac(sim: KubeSim): Promise<InstalledAgent> {
  const dir = await mkdtemp(join(tmpdir(), 'cg-install-'));
  const adminKubeconfig = join(dir, 'admin.kubeconfig');
  const controllerKubeconfig = join(dir, 'controller.kubeconfig');
  const workerKubeconfig = join(dir, 'worker.kubeconfig');
  const agentKubeconfig = join(dir, 'both-roles.kubeconfig');
  await sim.writeKubeconfig(adminKubeconfig);
  const kubectl = (args: readonly string[]) => run('kubectl', ['--kubeconfig', adminKubeconfig, ...args], { env: { ...process.env, KUBECONFIG: adminKubeconfig } });
  await kubectl(['apply', '-n', AGENT_NAMESPACE, ...MANIFESTS.flatMap((m) => ['-f', join('deploy', m)])]);
  const subject = `--serviceaccount=${AGENT_NAMESPACE}:${BOTH_ROLES_ACCOUNT}`;
  await kubectl(['create', 'serviceaccount', BOTH_ROLES_ACCOUNT, '-n', AGENT_NAMESPACE]);
  for (const role of ['calico-gitops-agent', 'calico-gitops-worker']) {
    await kubectl(['create', 'clusterrolebinding', `${BOTH_ROLES_ACCOUNT}-${role}`, `--clusterrole=${role}`, subject]);
    await kubectl(['create', 'rolebinding', `${BOTH_ROLES_ACCOUNT}-${role}`, '-n', AGENT_NAMESPACE, `--role=${role}`, subject]);
  }
  await sim.writeKubeconfig(controllerKubeconfig, { serviceAccount: { namespace: AGENT_NAMESPACE, name: 'calico-gitops' } });
  await sim.writeKubeconfig(workerKubeconfig, { serviceAccount: { namespace: AGENT_NAMESPACE, name: 'calico-gitops-worker' } });
  await sim.writeKubeconfig(agentKubeconfig, { serviceAccount: { namespace: AGENT_NAMESPACE, name: BOTH_ROLES_ACCOUNT } });
  return { adminKubeconfig, controllerKubeconfig, workerKubeconfig, agentKubeconfig, kubectl };
}
