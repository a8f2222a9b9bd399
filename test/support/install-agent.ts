// Installs the agent's namespace, ServiceAccounts and RBAC from deploy/ into a simulator with the
// real kubectl (as an operator would), and hands back a kubeconfig for the agent's own identity,
// so end-to-end tests run with exactly the rights the manifests grant.
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KubeSim } from '../kube-sim/index.js';

const run = promisify(execFile);
export const AGENT_NAMESPACE = 'calico-gitops';
const MANIFESTS = ['namespace.yaml', 'serviceaccounts.yaml', 'rbac-agent.yaml', 'rbac-executor.yaml'];

export interface InstalledAgent {
  readonly adminKubeconfig: string;
  readonly agentKubeconfig: string;
  kubectl(args: readonly string[]): Promise<{ stdout: string; stderr: string }>;
}

export async function installAgentRbac(sim: KubeSim): Promise<InstalledAgent> {
  const dir = await mkdtemp(join(tmpdir(), 'cg-install-'));
  const adminKubeconfig = join(dir, 'admin.kubeconfig');
  const agentKubeconfig = join(dir, 'agent.kubeconfig');
  await sim.writeKubeconfig(adminKubeconfig);
  const kubectl = (args: readonly string[]) => run('kubectl', ['--kubeconfig', adminKubeconfig, ...args], { env: { ...process.env, KUBECONFIG: adminKubeconfig } });
  await kubectl(['apply', '-n', AGENT_NAMESPACE, ...MANIFESTS.flatMap((m) => ['-f', join('deploy', m)])]);
  await sim.writeKubeconfig(agentKubeconfig, { serviceAccount: { namespace: AGENT_NAMESPACE, name: 'calico-gitops' } });
  return { adminKubeconfig, agentKubeconfig, kubectl };
}
