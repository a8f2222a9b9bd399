// `--executor calicoctl|api`: both are offered; api is refused at start, clearly, on a cluster that
// does not serve projectcalico.org/v3 (only crd.projectcalico.org), before anything runs.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type KubeSim } from '../kube-sim/index.js';
import { runCli } from '../support/cli.js';

let sim: KubeSim;
let dir = '';
let kubeconfig = '';

beforeAll(async () => {
  sim = await startCluster({ tls: true, calicoVersion: 'v3.31.2' });
  dir = await mkdtemp(join(tmpdir(), 'executor-option-'));
  kubeconfig = join(dir, 'kubeconfig');
  await sim.writeKubeconfig(kubeconfig);
});
afterAll(async () => {
  await sim?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const REFUSED = '--executor api needs projectcalico.org/v3, which this cluster does not serve (Calico v3.31.2 on crd.projectcalico.org only): install the Calico API server, or use --executor calicoctl';

describe('--executor', () => {
  it('refuses api at start on a cluster without projectcalico.org/v3, saying what to do, and exits 1', async () => {
    const r = await runCli(['worker', '--executor', 'api', '--kubeconfig', kubeconfig, '--listen', '127.0.0.1:0', '--cluster', 'x']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`calico-gitops worker: ${REFUSED}`);
  });

  it('is refused from the environment too, for the agent as for the worker', async () => {
    const r = await runCli(['agent', '--repo', 'file:///nonexistent', '--kubeconfig', kubeconfig, '--listen', '127.0.0.1:0'], { env: { CALICO_GITOPS_EXECUTOR: 'api' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`calico-gitops agent: ${REFUSED}`);
  });

  it('an unknown executor is a configuration problem', async () => {
    const r = await runCli(['worker', '--executor', 'kubectl']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--executor must be one of calicoctl, api (got "kubectl")');
  });

  it('--help offers calicoctl|api, calicoctl the default, and says --pod-timeout is the calicoctl executor\'s', async () => {
    const r = await runCli(['agent', '--help']);
    expect(r.code).toBe(0);
    const help = r.stdout.replace(/\s+/g, ' ');
    expect(help).toMatch(/--executor <value> how changes are applied: calicoctl\|api .*default calicoctl\)/);
    expect(help).toMatch(/--pod-timeout <value> deadline of one calicoctl pod \(calicoctl executor only; refused with --executor api\)/);
  });

  it('refuses --pod-timeout with --executor api at start, before reaching the cluster', async () => {
    const r = await runCli(['worker', '--executor', 'api', '--pod-timeout', '5m', '--kubeconfig', kubeconfig, '--listen', '127.0.0.1:0', '--cluster', 'x']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--pod-timeout applies to the calicoctl executor only; --executor api runs no pod');
    expect(r.stderr).not.toContain(REFUSED);
  });
});
