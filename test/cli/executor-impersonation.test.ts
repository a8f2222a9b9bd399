// `--executor api` at start: the worker must be able to impersonate the executor ServiceAccount
// (asked with a SelfSubjectAccessReview against the simulator's RBAC, by name); an identity that
// may not (here the controller's, from deploy/) exits 1 with a clear message before anything runs:
// no Redis key of its cluster, no executor pod. uninstall --executor api is checked the same way.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queuePrefix } from '../../agent/queue/keys.js';
import { startCluster, type KubeSim } from '../kube-sim/index.js';
import { runCli } from '../support/cli.js';
import { AGENT_NAMESPACE, installAgentRbac, type InstalledAgent } from '../support/install-agent.js';

let sim: KubeSim;
let installed: InstalledAgent;
const redis = new Redis();

beforeAll(async () => {
  sim = await startCluster({ tls: true, calicoVersion: 'v3.31.2', calicoApiServer: true });
  installed = await installAgentRbac(sim);
}, 60_000);
afterAll(async () => {
  redis.disconnect();
  await sim?.close();
});

const REFUSED = `--executor api acts as system:serviceaccount:${AGENT_NAMESPACE}:calico-gitops-executor, but this identity may not impersonate it (impersonate serviceaccounts/calico-gitops-executor in namespace ${AGENT_NAMESPACE}): grant that as deploy/rbac-worker.yaml does, or use --executor calicoctl`;

async function pods(): Promise<string> {
  const { stdout } = await installed.kubectl(['get', 'pods', '-n', AGENT_NAMESPACE, '-o', 'name']);
  return stdout.trim();
}

describe('--executor api: the impersonation check at start', () => {
  it('a worker that may not impersonate the executor account exits 1 at start, saying what to grant, leaving nothing behind', async () => {
    const cluster = `imp-${randomBytes(3).toString('hex')}`;
    const r = await runCli(['worker', '--executor', 'api', '--kubeconfig', installed.controllerKubeconfig, '--listen', '127.0.0.1:0', '--cluster', cluster]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`calico-gitops worker: ${REFUSED}`);
    expect(await redis.keys(`${queuePrefix(cluster)}*`)).toEqual([]);
    expect(await pods()).toBe('');
  }, 60_000);

  it('the same identity with the calicoctl executor is not asked about impersonation', async () => {
    // It fails later, for its own reasons (the controller may not create pods), never for impersonation.
    const r = await runCli(['uninstall', '--executor', 'calicoctl', '--kubeconfig', installed.controllerKubeconfig, '--cluster', `imp-${randomBytes(3).toString('hex')}`, '--sync-timeout', '20']);
    expect(r.stderr).not.toContain('impersonate');
  }, 60_000);

  it('uninstall --executor api is refused alike, before pausing anything', async () => {
    const cluster = `imp-${randomBytes(3).toString('hex')}`;
    const r = await runCli(['uninstall', '--yes', '--executor', 'api', '--kubeconfig', installed.controllerKubeconfig, '--cluster', cluster]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`calico-gitops uninstall: ${REFUSED}`);
    expect(await redis.keys(`${queuePrefix(cluster)}*`)).toEqual([]);
  }, 60_000);
});
