// calicoApiServer: projectcalico.org/v3 served as a view over the crd.projectcalico.org storage,
// with Calico's validation on writes and RBAC on the projectcalico.org group.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caller, watchEvents, type Call } from './api-helper.js';
import { kubectlFor, type Kubectl } from './kubectl-helper.js';
import { startKubeSim, type KubeSim } from './server.js';

let sim: KubeSim;
let k: Kubectl;
let call: Call;
const V3 = '/apis/projectcalico.org/v3';
const CRD = '/apis/crd.projectcalico.org/v1';

beforeAll(async () => {
  sim = await startKubeSim({ tls: true, calicoApiServer: true, calicoVersion: 'v3.31.2' });
  k = await kubectlFor(sim);
  call = caller(sim);
});

afterAll(async () => {
  await sim?.close();
  await k?.cleanup();
});

const doc = `apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: security}
spec: {order: 100}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: deny-all, labels: {team: platform}}
spec: {selector: all(), types: [Ingress]}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: security.allow-dns, namespace: default}
spec:
  tier: security
  selector: all()
  egress: [{action: Allow, protocol: UDP, destination: {ports: [53]}}]
`;

describe('projectcalico.org/v3 through the simulated Calico API server', () => {
  it('is discovered next to crd.projectcalico.org', async () => {
    const groups = ((await call('GET', '/apis')).body['groups'] as { name: string }[]).map((g) => g.name);
    expect(groups).toEqual(expect.arrayContaining(['crd.projectcalico.org', 'projectcalico.org']));
  });

  it('kubectl apply -f of v3 objects stores them as Calico does, and reads them back in v3 form', async () => {
    const first = await k.run(['apply', '-f', '-'], { input: doc });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('globalnetworkpolicy.projectcalico.org/deny-all created');
    const second = await k.run(['apply', '-f', '-'], { input: doc });
    expect(second.stdout.split('\n').filter(Boolean).every((l) => l.endsWith(' unchanged'))).toBe(true);
    // v3.29–v3.31: a default-tier policy is stored as default.<name>, a tiered one keeps <tier>.<name>
    expect((await call('GET', `${CRD}/globalnetworkpolicies/default.deny-all`)).status).toBe(200);
    expect((await call('GET', `${CRD}/namespaces/default/networkpolicies/security.allow-dns`)).status).toBe(200);
    const v3 = await call('GET', `${V3}/globalnetworkpolicies/deny-all`);
    expect(v3.body).toMatchObject({
      apiVersion: 'projectcalico.org/v3',
      kind: 'GlobalNetworkPolicy',
      metadata: { name: 'deny-all', labels: { team: 'platform', 'projectcalico.org/tier': 'default' } },
      spec: { selector: 'all()', types: ['Ingress'] },
    });
  });

  it('rejects an invalid object with 422 and writes nothing', async () => {
    const r = await call('POST', `${V3}/globalnetworkpolicies`, {
      body: { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'bad' }, spec: { selector: 'all()', ingress: [{ action: 'allow' }] } },
    });
    expect(r.status).toBe(422);
    expect(String(r.body['message'])).toMatch(/^GlobalNetworkPolicy\.projectcalico\.org "bad" is invalid: /);
    expect((await call('GET', `${CRD}/globalnetworkpolicies/default.bad`)).status).toBe(404);
  });

  it('refuses a duplicate create and a stale update like the API server', async () => {
    const dup = await call('POST', `${V3}/tiers`, { body: { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'security' }, spec: { order: 1 } } });
    expect(dup).toMatchObject({ status: 409, body: { reason: 'AlreadyExists', message: 'tiers.projectcalico.org "security" already exists' } });
    const cur = await call('GET', `${V3}/tiers/security`);
    const stale = { ...cur.body, metadata: { ...(cur.body['metadata'] as Record<string, unknown>), resourceVersion: '1' } };
    expect((await call('PUT', `${V3}/tiers/security`, { body: stale })).status).toBe(409);
  });

  it('a v3 watch shows v3 objects converted from the CRD events', async () => {
    const list = await call('GET', `${V3}/globalnetworkpolicies`);
    const rv = String((list.body['metadata'] as Record<string, unknown>)['resourceVersion']);
    const pending = watchEvents(sim, `${V3}/globalnetworkpolicies?watch=1&resourceVersion=${rv}`, { until: (e) => e.length >= 1 });
    setTimeout(() => void k.run(['delete', 'globalnetworkpolicies.projectcalico.org', 'deny-all']), 100);
    const evs = await pending;
    expect(evs[0]).toMatchObject({ type: 'DELETED', object: { apiVersion: 'projectcalico.org/v3', metadata: { name: 'deny-all' } } });
  });

  it('authorizes on the projectcalico.org group, not on the CRD group', async () => {
    await call('POST', '/api/v1/namespaces/default/serviceaccounts', { body: { metadata: { name: 'crd-reader' } } });
    await call('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', {
      body: { metadata: { name: 'crd-reader' }, rules: [{ apiGroups: ['crd.projectcalico.org'], resources: ['tiers'], verbs: ['get', 'list'] }] },
    });
    await call('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      body: { metadata: { name: 'crd-reader' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'crd-reader' }, subjects: [{ kind: 'ServiceAccount', name: 'crd-reader', namespace: 'default' }] },
    });
    const token = sim.serviceAccountToken('default', 'crd-reader');
    expect((await call('GET', `${CRD}/tiers`, { token })).status).toBe(200);
    const v3 = await call('GET', `${V3}/tiers`, { token });
    expect(v3.status).toBe(403);
    expect(v3.body['message']).toBe('tiers.projectcalico.org is forbidden: User "system:serviceaccount:default:crd-reader" cannot list resource "tiers" in API group "projectcalico.org" at the cluster scope');
  });
});

describe('native projectcalico.org/v3 CRDs (Calico v3.32 without the API server)', () => {
  it('serves only projectcalico.org, with ClusterInformation there, storing v3 objects as they are', async () => {
    const native = await startKubeSim({ calicoNativeV3: true, calicoVersion: 'v3.32.0' });
    try {
      const c = caller(native);
      const groups = ((await c('GET', '/apis')).body['groups'] as { name: string }[]).map((g) => g.name);
      expect(groups).toContain('projectcalico.org');
      expect(groups).not.toContain('crd.projectcalico.org');
      expect((await c('GET', `${V3}/clusterinformations/default`)).body['spec']).toMatchObject({ calicoVersion: 'v3.32.0' });
      const body = { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'deny-all' }, spec: { selector: 'all()' } };
      expect((await c('POST', `${V3}/globalnetworkpolicies`, { body })).status).toBe(201);
      expect((await c('GET', `${V3}/globalnetworkpolicies/deny-all`)).body).toMatchObject(body);
    } finally {
      await native.close();
    }
  });

  it('cannot be combined with calicoApiServer', async () => {
    await expect(startKubeSim({ calicoNativeV3: true, calicoApiServer: true })).rejects.toThrow(/exclude each other/);
  });
});
