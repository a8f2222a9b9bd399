// Calico v3.33 on the simulator: calico/ctl is no longer published, so the executor runs calicoctl
// from the combined calico/calico image (/usr/bin/calicoctl). Real pods, RBAC, HTTP.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCalicoVersion } from '../../agent/domain/index.js';
import { CalicoctlExecutor, calicoctlImageFor, kubeOpsFor } from '../../agent/executor/index.js';
import { startCluster, type KubeSim } from '../kube-sim/index.js';
import type { KubeHttp } from '../kube-sim/runtime/kube-http.js';
import { adminClient, executorSetup } from '../kube-sim/runtime/test-fixtures.js';
import { captureLogger } from '../queue/helpers.js';
import { step } from './steps.js';

const VERSION = 'v3.33.0';
let sim: KubeSim;
let api: KubeHttp;
let dir: string;
let config: KubeConfig;
let seq = 0;

beforeAll(async () => {
  sim = await startCluster({ calicoVersion: VERSION, tls: true });
  api = adminClient(sim);
  dir = await mkdtemp(path.join(os.tmpdir(), 'executor-v333-'));
  const file = path.join(dir, 'kubeconfig');
  await sim.writeKubeconfig(file);
  config = new KubeConfig();
  config.loadFromFile(file);
});
afterAll(async () => {
  await sim?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function executorWith(image: string) {
  seq += 1;
  const ns = `v333-${process.pid}-${seq}`;
  await executorSetup(api, { namespace: ns, serviceAccount: 'calico-gitops-executor' });
  return new CalicoctlExecutor({ kube: kubeOpsFor(config), namespace: ns, serviceAccount: 'calico-gitops-executor', calicoctlImage: image, podTimeoutMs: 60_000, logger: captureLogger() });
}

describe('Calico v3.33 executor image', () => {
  it('the image chosen for v3.33 (calico/calico, /usr/bin/calicoctl) applies the policy', async () => {
    const version = parseCalicoVersion(VERSION);
    if (!version) throw new Error('bad version');
    const image = calicoctlImageFor({ version });
    expect(image).toBe('quay.io/calico/calico:v3.33.0');
    const executor = await executorWith(image);
    const steps = [step('create', 'GlobalNetworkPolicy', `v333-${seq}`, undefined, { selector: 'all()', types: ['Ingress'] })];
    const results = await executor.execute({ steps, jobId: `sync-test-v333-${seq}` });
    expect(results.map((r) => r.outcome)).toEqual(['ok']);
    const res = await api.request({ method: 'GET', path: '/apis/crd.projectcalico.org/v1/globalnetworkpolicies' });
    expect((res.body as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name)).toContainEqual(expect.stringMatching(new RegExp(`^(default\\.)?v333-${seq}$`)));
  });

  it('the calico/ctl image of v3.33 does not exist: the pull fails and the results say so', async () => {
    const executor = await executorWith('quay.io/calico/ctl:v3.33.0');
    const steps = [step('create', 'GlobalNetworkPolicy', `ctl-${seq}`, undefined, { selector: 'all()' })];
    const results = await executor.execute({ steps, jobId: `sync-test-v333-ctl-${seq}` });
    expect(results.map((r) => r.outcome)).toEqual(['retryable']);
    expect(results[0]?.message).toMatch(/ImagePullBackOff|not published from v3\.33/);
  });
});
