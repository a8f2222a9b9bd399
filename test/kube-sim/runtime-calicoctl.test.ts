// The emulated calicoctl image end to end: pods on the simulated cluster, over real HTTP, acting as
// their ServiceAccount; outcomes read back the way a user (or our executor) would.
import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { startCluster } from './index.js';
import type { KubeSim } from './index.js';
import type { KubeHttp, WatchEvent } from './runtime/kube-http.js';
import { adminClient, create, createConfigMap, executorSetup, phaseOf, podLog, toolPod, waitForPod } from './runtime/test-fixtures.js';

const CRD = '/apis/crd.projectcalico.org/v1';
const gnp = (name: string, extra = ''): string =>
  `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: ${name}\n  labels:\n    team: net\nspec:\n${extra}  selector: all()\n  ingress:\n  - action: Allow\n`;

let seq = 0;
const unique = (prefix: string): string => `${prefix}-${process.pid}-${++seq}`;

describe.each([
  ['v3.28.2', 'calico/ctl:v3.28.2', 'default.allow-all', false],
  ['v3.31.2', 'quay.io/calico/ctl:v3.31.2', 'default.allow-all', true],
  ['v3.32.0', 'quay.io/calico/ctl:v3.32.0', 'allow-all', true],
])('calicoctl pod on Calico %s', (version, image, storedName, nameInMetadata) => {
  let sim: KubeSim;
  let api: KubeHttp;
  beforeAll(async () => {
    sim = await startCluster({ calicoVersion: version });
    api = adminClient(sim);
  });
  afterAll(async () => sim.close());

  it(`applies a GlobalNetworkPolicy stored as ${storedName}, seen by a watch`, async () => {
    const ns = unique('exec');
    await executorSetup(api, { namespace: ns, serviceAccount: 'calico-gitops-executor' });
    await createConfigMap(api, ns, 'plan', { 'apply.yaml': gnp('allow-all') });
    const seen: WatchEvent[] = [];
    const stop = new AbortController();
    const watching = api.watch({ path: `${CRD}/globalnetworkpolicies?watch=true`, onEvent: (e) => seen.push(e), signal: stop.signal });

    await create(api, `/api/v1/namespaces/${ns}/pods`, toolPod({ namespace: ns, name: 'apply', serviceAccount: 'calico-gitops-executor', image, args: ['apply', '-f', '/manifests/apply.yaml'], configMap: 'plan' }));
    const pod = await waitForPod(api, ns, 'apply');
    const log = await podLog(api, ns, 'apply');
    expect(log).toContain("Successfully applied 1 'GlobalNetworkPolicy' resource(s)");
    expect(phaseOf(pod)).toBe('Succeeded');
    const status = pod['status'] as { containerStatuses: { state: { terminated?: { exitCode: number; reason: string } } }[] };
    expect(status.containerStatuses[0]?.state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });

    const res = await api.request({ method: 'GET', path: `${CRD}/globalnetworkpolicies/${storedName}` });
    expect(res.status).toBe(200);
    const meta = (res.body as { metadata: { annotations: Record<string, string>; labels?: Record<string, string> } }).metadata;
    const v3 = JSON.parse(meta.annotations['projectcalico.org/metadata'] ?? '{}') as Record<string, unknown>;
    expect(v3['labels']).toMatchObject({ team: 'net' });
    expect(v3['name'] === 'allow-all').toBe(nameInMetadata);
    expect(meta.labels?.['team']).toBeUndefined();

    await expect.poll(() => seen.some((e) => e.type === 'ADDED' && (e.object['metadata'] as { name: string }).name === storedName)).toBe(true);
    stop.abort();
    await watching;
  });
});

describe('calicoctl pod failures', () => {
  let sim: KubeSim;
  let api: KubeHttp;
  beforeAll(async () => {
    sim = await startCluster({ calicoVersion: 'v3.31.2' });
    api = adminClient(sim);
  });
  afterAll(async () => sim.close());

  async function runPod(o: { broken?: boolean; image?: string; args: string[]; files: Record<string, string>; setupSa?: boolean }): Promise<{ phase: string; log: string; ns: string }> {
    const ns = unique('fail');
    await executorSetup(api, { namespace: ns, serviceAccount: 'executor', ...(o.broken ? { broken: true } : {}) });
    await createConfigMap(api, ns, 'plan', o.files);
    await create(api, `/api/v1/namespaces/${ns}/pods`, toolPod({ namespace: ns, name: 'ctl', serviceAccount: 'executor', image: o.image ?? 'quay.io/calico/ctl:v3.31.2', args: o.args, configMap: 'plan' }));
    const pod = await waitForPod(api, ns, 'ctl');
    return { phase: phaseOf(pod), log: await podLog(api, ns, 'ctl'), ns };
  }

  it('fails with the forbidden error under the origin-story ClusterRole', async () => {
    const r = await runPod({ broken: true, args: ['apply', '-f', '/manifests/apply.yaml'], files: { 'apply.yaml': gnp('x') } });
    expect(r.phase).toBe('Failed');
    expect(r.log).toMatch(/connection is unauthorized: clusterinformations\.crd\.projectcalico\.org "default" is forbidden: User "system:serviceaccount:fail-[\w-]+:executor" cannot get resource "clusterinformations"/);
    const past = await runPod({ broken: true, args: ['apply', '-f', '/manifests/apply.yaml', '--allow-version-mismatch'], files: { 'apply.yaml': gnp('x') } });
    expect(past.phase).toBe('Failed');
    expect(past.log).toMatch(/Failed to apply 'GlobalNetworkPolicy' resource: \[connection is unauthorized: .*globalnetworkpolicies.* is forbidden/);
  });

  it('fails on an image tag that does not match the cluster, unless allowed', async () => {
    const r = await runPod({ image: 'quay.io/calico/ctl:v3.31.1', args: ['apply', '-f', '/manifests/apply.yaml'], files: { 'apply.yaml': gnp('mm') } });
    expect(r.phase).toBe('Failed');
    expect(r.log).toContain('Version mismatch.\nClient Version:   v3.31.1\nCluster Version:  3.31.2\nUse --allow-version-mismatch to override.');
    const ok = await runPod({ image: 'quay.io/calico/ctl:v3.31.1', args: ['apply', '-f', '/manifests/apply.yaml', '--allow-version-mismatch'], files: { 'apply.yaml': gnp('mm') } });
    expect(ok.phase).toBe('Succeeded');
  });

  it('reports partial success on a multi-document file with one bad document', async () => {
    const file = `${gnp('first')}---\n${gnp('missing.second', '  tier: missing\n')}---\n${gnp('third')}`;
    const r = await runPod({ args: ['apply', '-f', '/manifests/apply.yaml'], files: { 'apply.yaml': file } });
    expect(r.phase).toBe('Failed');
    expect(r.log).toContain("Partial success: applied the first 1 out of 3 'GlobalNetworkPolicy' resources:");
    expect(r.log).toMatch(/Hit error\(s\): \[resource does not exist: Tier\(missing\)/);
    expect((await api.request({ method: 'GET', path: `${CRD}/globalnetworkpolicies/default.first` })).status).toBe(200);
    expect((await api.request({ method: 'GET', path: `${CRD}/globalnetworkpolicies/default.third` })).status).toBe(404);
  });

  it('deletes, failing on a missing object unless --skip-not-exists', async () => {
    const files = { 'apply.yaml': gnp('del-me'), 'delete.yaml': gnp('del-me') };
    expect((await runPod({ args: ['apply', '-f', '/manifests/apply.yaml'], files })).phase).toBe('Succeeded');
    const first = await runPod({ args: ['delete', '-f', '/manifests/delete.yaml'], files });
    expect(first).toMatchObject({ phase: 'Succeeded' });
    expect(first.log).toContain("Successfully deleted 1 'GlobalNetworkPolicy' resource(s)");
    const again = await runPod({ args: ['delete', '-f', '/manifests/delete.yaml'], files });
    expect(again.phase).toBe('Failed');
    expect(again.log).toMatch(/Failed to delete 'GlobalNetworkPolicy' resource: resource does not exist: GlobalNetworkPolicy\(del-me\) with error: .*not found/);
    const skipped = await runPod({ args: ['delete', '-f', '/manifests/delete.yaml', '--skip-not-exists'], files });
    expect(skipped.phase).toBe('Succeeded');
  });

  it('runs calicoctl named in command, and fails without DATASTORE_TYPE', async () => {
    const ns = unique('cmd');
    await executorSetup(api, { namespace: ns, serviceAccount: 'executor' });
    await create(api, `/api/v1/namespaces/${ns}/pods`, toolPod({ namespace: ns, name: 'v', serviceAccount: 'executor', image: 'quay.io/calico/ctl:v3.31.2', command: ['calicoctl', 'get', 'clusterinformation', 'default', '-o', 'yaml'] }));
    const pod = await waitForPod(api, ns, 'v');
    expect(phaseOf(pod)).toBe('Succeeded');
    expect(await podLog(api, ns, 'v', 'tool')).toContain('calicoVersion: v3.31.2');

    await create(api, `/api/v1/namespaces/${ns}/pods`, toolPod({ namespace: ns, name: 'etcd', serviceAccount: 'executor', image: 'quay.io/calico/ctl:v3.31.2', args: ['get', 'gnp'], env: {} }));
    const etcd = await waitForPod(api, ns, 'etcd');
    expect(phaseOf(etcd)).toBe('Failed');
    expect(await podLog(api, ns, 'etcd')).toMatch(/context deadline exceeded/);
  });
});
