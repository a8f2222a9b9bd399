// @kubernetes/client-node 1.4 through a generated kubeconfig, over plain HTTP and over TLS:
// typed CoreV1Api, CustomObjectsApi, Watch, an informer, and the errors it surfaces.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiException, CoreV1Api, CustomObjectsApi, KubeConfig, makeInformer, PatchStrategy, setHeaderOptions, Watch } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './kubectl-helper.js';
import { startKubeSim, type KubeSim } from './server.js';

const GROUP = 'crd.projectcalico.org';

describe.each([
  ['plain HTTP', false],
  ['TLS', true],
])('client-node over %s', (_label, tls) => {
  let sim: KubeSim;
  let dir: string;
  let kc: KubeConfig;

  beforeAll(async () => {
    sim = await startKubeSim({ tls });
    dir = await mkdtemp(join(tmpdir(), 'kube-sim-client-'));
    await sim.writeKubeconfig(join(dir, 'kubeconfig'));
    kc = new KubeConfig();
    kc.loadFromFile(join(dir, 'kubeconfig'));
  });

  afterAll(async () => {
    await sim?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lists namespaces and creates a ServiceAccount with CoreV1Api', async () => {
    expect(sim.url.startsWith(tls ? 'https://' : 'http://')).toBe(true);
    const core = kc.makeApiClient(CoreV1Api);
    const list = await core.listNamespace();
    expect(list.items.map((n) => n.metadata?.name)).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    const sa = await core.createNamespacedServiceAccount({ namespace: 'default', body: { metadata: { name: 'agent' } } });
    expect(sa.metadata?.uid).toEqual(expect.any(String));
  });

  it('creates, reads and merge-patches a Calico object with CustomObjectsApi; a conflict is an ApiException 409', async () => {
    const custom = kc.makeApiClient(CustomObjectsApi);
    const body = { apiVersion: `${GROUP}/v1`, kind: 'GlobalNetworkPolicy', metadata: { name: 'default.web' }, spec: { selector: 'app == "web"' } };
    await custom.createClusterCustomObject({ group: GROUP, version: 'v1', plural: 'globalnetworkpolicies', body });
    const err = await custom.createClusterCustomObject({ group: GROUP, version: 'v1', plural: 'globalnetworkpolicies', body }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiException);
    const ex = err as ApiException<string>;
    expect(ex.code).toBe(409);
    expect(JSON.parse(ex.body) as { reason: string }).toMatchObject({ reason: 'AlreadyExists' });
    await custom.patchClusterCustomObject(
      { group: GROUP, version: 'v1', plural: 'globalnetworkpolicies', name: 'default.web', body: { spec: { order: 5 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const got = (await custom.getClusterCustomObject({ group: GROUP, version: 'v1', plural: 'globalnetworkpolicies', name: 'default.web' })) as { spec: Record<string, unknown> };
    expect(got.spec).toEqual({ selector: 'app == "web"', order: 5 });
  });

  it('Watch delivers ADDED and DELETED for Calico objects', async () => {
    const seen: string[] = [];
    const watch = new Watch(kc);
    const ac = await watch.watch(`/apis/${GROUP}/v1/globalnetworksets`, { timeoutSeconds: 30 }, (phase, obj: { metadata: { name: string } }) => seen.push(`${phase} ${obj.metadata.name}`), () => undefined);
    try {
      const custom = kc.makeApiClient(CustomObjectsApi);
      await custom.createClusterCustomObject({ group: GROUP, version: 'v1', plural: 'globalnetworksets', body: { apiVersion: `${GROUP}/v1`, kind: 'GlobalNetworkSet', metadata: { name: 'dns' }, spec: { nets: ['10.0.0.10/32'] } } });
      await custom.deleteClusterCustomObject({ group: GROUP, version: 'v1', plural: 'globalnetworksets', name: 'dns' });
      await eventually(() => seen.length >= 2, 5000);
    } finally {
      ac.abort();
    }
    expect(seen).toEqual(['ADDED dns', 'DELETED dns']);
  });

  it('an informer lists then follows changes', async () => {
    const custom = kc.makeApiClient(CustomObjectsApi);
    const path = `/apis/${GROUP}/v1/hostendpoints`;
    const informer = makeInformer(kc, path, () => custom.listClusterCustomObject({ group: GROUP, version: 'v1', plural: 'hostendpoints' }) as never);
    const names = new Set<string>();
    informer.on('add', (o: { metadata?: { name?: string } }) => names.add(o.metadata?.name ?? ''));
    await custom.createClusterCustomObject({ group: GROUP, version: 'v1', plural: 'hostendpoints', body: { apiVersion: `${GROUP}/v1`, kind: 'HostEndpoint', metadata: { name: 'before' }, spec: { node: 'n1', interfaceName: 'eth0' } } });
    await informer.start();
    try {
      await custom.createClusterCustomObject({ group: GROUP, version: 'v1', plural: 'hostendpoints', body: { apiVersion: `${GROUP}/v1`, kind: 'HostEndpoint', metadata: { name: 'after' }, spec: { node: 'n1', interfaceName: 'eth1' } } });
      await eventually(() => names.has('before') && names.has('after'), 5000);
    } finally {
      await informer.stop();
    }
  });
});
