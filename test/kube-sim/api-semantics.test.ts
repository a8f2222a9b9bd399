// API semantics over plain HTTP with raw requests: Status bodies, resourceVersion conflicts,
// selectors, paging, finalizers, namespace deletion, garbage collection, runtime CRDs, tokens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caller, type Call } from './api-helper.js';
import { eventually } from './kubectl-helper.js';
import { startKubeSim, type KubeSim } from './server.js';

let sim: KubeSim;
let call: Call;
const GNP = '/apis/crd.projectcalico.org/v1/globalnetworkpolicies';
const NP = (ns: string): string => `/apis/crd.projectcalico.org/v1/namespaces/${ns}/networkpolicies`;
const gnp = (name: string, labels: Record<string, string> = {}): Record<string, unknown> => ({
  apiVersion: 'crd.projectcalico.org/v1',
  kind: 'GlobalNetworkPolicy',
  metadata: { name, labels },
  spec: { selector: 'all()', types: ['Ingress'] },
});
const meta = (r: { body: Record<string, unknown> }): Record<string, unknown> => r.body['metadata'] as Record<string, unknown>;

beforeAll(async () => {
  sim = await startKubeSim();
  call = caller(sim);
  await call('POST', '/api/v1/namespaces', { body: { metadata: { name: 'apps' } } });
  await call('POST', '/api/v1/namespaces/apps/serviceaccounts', { body: { metadata: { name: 'reader' } } });
  await call('POST', GNP, { body: gnp('default.existing', { tier: 'a' }) });
});

afterAll(async () => {
  await sim?.close();
});

describe('Status bodies', () => {
  it('409 AlreadyExists on a duplicate create', async () => {
    const r = await call('POST', GNP, { body: gnp('default.existing') });
    expect(r.status).toBe(409);
    expect(r.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'globalnetworkpolicies.crd.projectcalico.org "default.existing" already exists',
      reason: 'AlreadyExists',
      details: { name: 'default.existing', group: 'crd.projectcalico.org', kind: 'globalnetworkpolicies' },
      code: 409,
    });
  });

  it('409 Conflict on an update with a stale resourceVersion', async () => {
    const cur = await call('GET', `${GNP}/default.existing`);
    const stale = { ...cur.body, metadata: { ...meta(cur), resourceVersion: '1' } };
    const r = await call('PUT', `${GNP}/default.existing`, { body: stale });
    expect(r.status).toBe(409);
    expect(r.body['reason']).toBe('Conflict');
    expect(r.body['message']).toBe(
      'Operation cannot be fulfilled on globalnetworkpolicies.crd.projectcalico.org "default.existing": the object has been modified; please apply your changes to the latest version and try again',
    );
    const ok = await call('PUT', `${GNP}/default.existing`, { body: { ...cur.body, spec: { selector: 'has(x)' } } });
    expect(ok.status).toBe(200);
    expect(Number(meta(ok)['resourceVersion'])).toBeGreaterThan(Number(meta(cur)['resourceVersion']));
    expect(meta(ok)['generation']).toBe(2);
  });

  it.each([
    ['404 for a missing object', 'GET', `${GNP}/nope`, undefined, undefined, 404, 'NotFound', 'globalnetworkpolicies.crd.projectcalico.org "nope" not found'],
    [
      '422 for an invalid name',
      'POST',
      NP('apps'),
      { apiVersion: 'crd.projectcalico.org/v1', kind: 'NetworkPolicy', metadata: { name: 'Bad_Name' }, spec: {} },
      undefined,
      422,
      'Invalid',
      `NetworkPolicy.crd.projectcalico.org "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    ],
    [
      '422 for a custom resource update without resourceVersion',
      'PUT',
      `${GNP}/default.existing`,
      gnp('default.existing'),
      undefined,
      422,
      'Invalid',
      'GlobalNetworkPolicy.crd.projectcalico.org "default.existing" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update',
    ],
    ['404 for a missing namespace', 'POST', NP('ghost'), { metadata: { name: 'x' } }, undefined, 404, 'NotFound', 'namespaces "ghost" not found'],
    [
      '400 when the body names another namespace',
      'POST',
      NP('apps'),
      { metadata: { name: 'x', namespace: 'other' } },
      undefined,
      400,
      'BadRequest',
      'the namespace of the provided object does not match the namespace sent on the request',
    ],
    [
      '415 for a strategic merge patch of a custom resource',
      'PATCH',
      `${GNP}/default.existing`,
      { spec: { order: 1 } },
      'application/strategic-merge-patch+json',
      415,
      'UnsupportedMediaType',
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
    ],
    [
      '422 for a label value with a space',
      'POST',
      '/api/v1/namespaces/apps/configmaps',
      { metadata: { name: 'l', labels: { owner: 'bad value' } } },
      undefined,
      422,
      'Invalid',
      `ConfigMap "l" is invalid: metadata.labels: Invalid value: "bad value": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    ],
    [
      '422 for a ConfigMap over 1 MiB',
      'POST',
      '/api/v1/namespaces/apps/configmaps',
      { metadata: { name: 'big' }, data: { 'apply.yaml': 'x'.repeat(1024 * 1024 + 1) } },
      undefined,
      422,
      'Invalid',
      'ConfigMap "big" is invalid: []: Too long: must have at most 1048576 bytes',
    ],
    [
      '422 for a pod without containers',
      'POST',
      '/api/v1/namespaces/apps/pods',
      { metadata: { name: 'empty' }, spec: { containers: [] } },
      undefined,
      422,
      'Invalid',
      'Pod "empty" is invalid: spec.containers: Required value',
    ],
    ['400 for an unsupported field selector', 'GET', `${GNP}?fieldSelector=spec.selector%3Dx`, undefined, undefined, 400, 'BadRequest', 'field label not supported: spec.selector'],
  ])('%s', async (_what, method, path, body, contentType, status, reason, message) => {
    const r = await call(method, path, { ...(body !== undefined ? { body } : {}), ...(contentType ? { contentType } : {}) });
    expect(r.status).toBe(status);
    expect(r.body).toMatchObject({ kind: 'Status', status: 'Failure', code: status, reason, message });
  });

  it('422 when an update changes the uid', async () => {
    const cur = await call('GET', `${GNP}/default.existing`);
    const r = await call('PUT', `${GNP}/default.existing`, { body: { ...cur.body, metadata: { ...meta(cur), uid: 'not-the-uid' } } });
    expect(r.status).toBe(422);
    expect(r.body['message']).toBe('GlobalNetworkPolicy.crd.projectcalico.org "default.existing" is invalid: metadata.uid: Invalid value: "not-the-uid": field is immutable');
  });

  it('401 for an unknown token', async () => {
    const r = await call('GET', '/api/v1/namespaces', { token: 'not-a-token' });
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ kind: 'Status', reason: 'Unauthorized', message: 'Unauthorized', code: 401 });
  });

  it.each([
    [`${GNP}`, 'globalnetworkpolicies.crd.projectcalico.org is forbidden: User "system:serviceaccount:apps:reader" cannot list resource "globalnetworkpolicies" in API group "crd.projectcalico.org" at the cluster scope'],
    [`${NP('apps')}/x`, 'networkpolicies.crd.projectcalico.org "x" is forbidden: User "system:serviceaccount:apps:reader" cannot get resource "networkpolicies" in API group "crd.projectcalico.org" in the namespace "apps"'],
    ['/api/v1/namespaces/apps/pods/p/log', 'pods "p" is forbidden: User "system:serviceaccount:apps:reader" cannot get resource "pods/log" in API group "" in the namespace "apps"'],
  ])('403 for a ServiceAccount without rights: GET %s', async (path, message) => {
    const r = await call('GET', path, { token: sim.serviceAccountToken('apps', 'reader') });
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403, message });
  });

  it('any authenticated user reads discovery', async () => {
    const r = await call('GET', '/apis', { token: sim.serviceAccountToken('apps', 'reader') });
    expect(r.status).toBe(200);
    const groups = (r.body['groups'] as { name: string }[]).map((g) => g.name);
    expect(groups).toContain('crd.projectcalico.org');
    expect(groups.indexOf('networking.k8s.io')).toBeLessThan(groups.indexOf('crd.projectcalico.org'));
  });
});

describe('selectors and paging', () => {
  beforeAll(async () => {
    for (const [name, labels] of [
      ['default.s1', { env: 'prod', team: 'a' }],
      ['default.s2', { env: 'dev', team: 'b' }],
      ['default.s3', { env: 'prod' }],
    ] as const) {
      await call('POST', GNP, { body: gnp(name, { ...labels, sel: 'yes' }) });
    }
  });

  it.each([
    ['env=prod', ['default.s1', 'default.s3']],
    ['env==prod', ['default.s1', 'default.s3']],
    ['env!=prod', ['default.s2']],
    ['env in (dev,qa)', ['default.s2']],
    ['env notin (dev)', ['default.s1', 'default.s3']],
    ['team', ['default.s1', 'default.s2']],
    ['!team', ['default.s3']],
    ['env=prod,team=a', ['default.s1']],
  ])('labelSelector %s', async (selector, names) => {
    const r = await call('GET', `${GNP}?labelSelector=${encodeURIComponent(`sel=yes,${selector}`)}`);
    expect((r.body['items'] as { metadata: { name: string } }[]).map((i) => i.metadata.name)).toEqual(names);
  });

  it('fieldSelector metadata.name', async () => {
    const r = await call('GET', `${GNP}?fieldSelector=metadata.name%3Ddefault.s2`);
    expect((r.body['items'] as { metadata: { name: string } }[]).map((i) => i.metadata.name)).toEqual(['default.s2']);
  });

  it('limit and continue walk the list in pages', async () => {
    const seen: string[] = [];
    let cont = '';
    let pages = 0;
    do {
      const r = await call('GET', `${GNP}?labelSelector=sel%3Dyes&limit=2${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
      pages++;
      seen.push(...(r.body['items'] as { metadata: { name: string } }[]).map((i) => i.metadata.name));
      cont = String((r.body['metadata'] as Record<string, unknown>)['continue'] ?? '');
    } while (cont);
    expect(pages).toBe(2);
    expect(seen).toEqual(['default.s1', 'default.s2', 'default.s3']);
  });

  it('resourceVersion=0 ignores limit (served from the cache)', async () => {
    const r = await call('GET', `${GNP}?labelSelector=sel%3Dyes&limit=1&resourceVersion=0`);
    expect((r.body['items'] as unknown[]).length).toBe(3);
  });
});

describe('object lifecycle', () => {
  it('pods start Pending; status changes only through the status subresource', async () => {
    const pod = { metadata: { name: 'p1' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] }, status: { phase: 'Running' } };
    const created = await call('POST', '/api/v1/namespaces/apps/pods', { body: pod });
    expect(created.status).toBe(201);
    expect(created.body['status']).toMatchObject({ phase: 'Pending' });
    expect(created.body['spec']).toMatchObject({ serviceAccountName: 'default', restartPolicy: 'Always' });
    const viaMain = await call('PATCH', '/api/v1/namespaces/apps/pods/p1', { body: { status: { phase: 'Running' } }, contentType: 'application/merge-patch+json' });
    expect(viaMain.body['status']).toMatchObject({ phase: 'Pending' });
    const viaStatus = await call('PATCH', '/api/v1/namespaces/apps/pods/p1/status', { body: { status: { phase: 'Succeeded' } }, contentType: 'application/merge-patch+json' });
    expect(viaStatus.body['status']).toMatchObject({ phase: 'Succeeded' });
    const byPhase = await call('GET', '/api/v1/namespaces/apps/pods?fieldSelector=status.phase%3DSucceeded');
    expect((byPhase.body['items'] as unknown[]).length).toBe(1);
    const noSa = await call('POST', '/api/v1/namespaces/apps/pods', { body: { metadata: { name: 'p2' }, spec: { serviceAccountName: 'ghost', containers: [{ name: 'c', image: 'x' }] } } });
    expect(noSa.status).toBe(403);
    expect(noSa.body['message']).toBe('pods "p2" is forbidden: error looking up service account apps/ghost: serviceaccount "ghost" not found');
  });

  it('Kubernetes NetworkPolicy gets policyTypes and port protocol defaults', async () => {
    const r = await call('POST', '/apis/networking.k8s.io/v1/namespaces/apps/networkpolicies', {
      body: { metadata: { name: 'web' }, spec: { podSelector: {}, egress: [{ ports: [{ port: 53 }] }] } },
    });
    expect(r.body['spec']).toEqual({ podSelector: {}, egress: [{ ports: [{ port: 53, protocol: 'TCP' }] }], policyTypes: ['Ingress', 'Egress'] });
  });

  it('a Kubernetes NetworkPolicy with an unsupported protocol gets the 422 kubectl would show', async () => {
    const r = await call('POST', '/apis/networking.k8s.io/v1/namespaces/apps/networkpolicies', {
      body: { metadata: { name: 'icmp' }, spec: { podSelector: {}, ingress: [{ ports: [{ protocol: 'ICMP' }] }] } },
    });
    expect(r.status).toBe(422);
    expect(r.body['message']).toBe('NetworkPolicy.networking.k8s.io "icmp" is invalid: spec.ingress[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"');
  });

  it('a finalizer holds deletion until it is removed', async () => {
    await call('POST', GNP, { body: { ...gnp('default.held'), metadata: { name: 'default.held', finalizers: ['example.com/hold'] } } });
    const del = await call('DELETE', `${GNP}/default.held`);
    // the real handler answers 200 with the object, now carrying deletionTimestamp
    expect(del.status).toBe(200);
    expect(meta(del)['deletionTimestamp']).toEqual(expect.any(String));
    expect((await call('GET', `${GNP}/default.held`)).status).toBe(200);
    const released = await call('PATCH', `${GNP}/default.held`, { body: [{ op: 'remove', path: '/metadata/finalizers' }], contentType: 'application/json-patch+json' });
    expect(released.status).toBe(200);
    expect((await call('GET', `${GNP}/default.held`)).status).toBe(404);
  });

  it('deleting a namespace makes it Terminating, deletes its contents, then removes it', async () => {
    await call('POST', '/api/v1/namespaces', { body: { metadata: { name: 'doomed' } } });
    await call('POST', '/api/v1/namespaces/doomed/configmaps', { body: { metadata: { name: 'c' } } });
    await call('POST', NP('doomed'), { body: { metadata: { name: 'default.p' }, spec: {} } });
    const del = await call('DELETE', '/api/v1/namespaces/doomed');
    expect(del.status).toBe(200);
    expect(del.body['status']).toMatchObject({ phase: 'Terminating' });
    const again = await call('DELETE', '/api/v1/namespaces/doomed');
    expect(again.body).toMatchObject({
      code: 409,
      message: 'Operation cannot be fulfilled on namespaces "doomed": The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.',
    });
    const blocked = await call('POST', '/api/v1/namespaces/doomed/configmaps', { body: { metadata: { name: 'late' } } });
    expect(blocked.body['message']).toBe('configmaps "late" is forbidden: unable to create new content in namespace doomed because it is being terminated');
    await eventually(async () => (await call('GET', '/api/v1/namespaces/doomed')).status === 404, 5000);
    expect((await call('GET', `${NP('doomed')}/default.p`)).status).toBe(404);
    const protectedNs = await call('DELETE', '/api/v1/namespaces/default');
    expect(protectedNs.status).toBe(403);
  });

  it('the garbage collector deletes dependents of a deleted owner', async () => {
    const owner = await call('POST', '/api/v1/namespaces/apps/configmaps', { body: { metadata: { name: 'owner' } } });
    await call('POST', '/api/v1/namespaces/apps/configmaps', {
      body: { metadata: { name: 'dependent', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: meta(owner)['uid'] }] } },
    });
    await call('DELETE', '/api/v1/namespaces/apps/configmaps/owner');
    await eventually(async () => (await call('GET', '/api/v1/namespaces/apps/configmaps/dependent')).status === 404, 5000);
  });

  it('a CRD created at runtime is served, and deleting it removes its objects', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        names: { kind: 'Widget', plural: 'widgets', shortNames: ['wd'] },
        scope: 'Namespaced',
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }],
      },
    };
    expect((await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: crd })).status).toBe(201);
    const disc = await call('GET', '/apis/example.com/v1');
    expect(disc.body['resources']).toEqual([expect.objectContaining({ name: 'widgets', kind: 'Widget', namespaced: true, shortNames: ['wd'] })]);
    expect((await call('POST', '/apis/example.com/v1/namespaces/apps/widgets', { body: { metadata: { name: 'w' } } })).status).toBe(201);
    await call('DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com');
    expect((await call('GET', '/apis/example.com/v1/namespaces/apps/widgets/w')).status).toBe(404);
    expect((await call('GET', '/apis/example.com/v1')).status).toBe(404);
  });

  it('a ServiceAccount token stops working when the account is deleted, also after it is recreated', async () => {
    await call('POST', '/api/v1/namespaces/apps/serviceaccounts', { body: { metadata: { name: 'temp' } } });
    const token = sim.serviceAccountToken('apps', 'temp');
    expect((await call('GET', '/api', { token })).status).toBe(200);
    await call('DELETE', '/api/v1/namespaces/apps/serviceaccounts/temp');
    expect((await call('GET', '/api', { token })).status).toBe(401);
    expect(() => sim.serviceAccountToken('apps', 'temp')).toThrow(/does not exist/);
    await call('POST', '/api/v1/namespaces/apps/serviceaccounts', { body: { metadata: { name: 'temp' } } });
    expect((await call('GET', '/api', { token })).status).toBe(401);
    const fresh = await call('POST', '/api/v1/namespaces/apps/serviceaccounts/temp/token', { body: { spec: { audiences: [] } } });
    expect((await call('GET', '/api', { token: String((fresh.body['status'] as Record<string, unknown>)['token']) })).status).toBe(200);
  });
});

describe('RBAC escalation prevention', () => {
  const RB = '/apis/rbac.authorization.k8s.io/v1';
  const role = (name: string, rules: unknown[]): Record<string, unknown> => ({ metadata: { name }, rules });
  let token: string;

  beforeAll(async () => {
    await call('POST', '/api/v1/namespaces/apps/serviceaccounts', { body: { metadata: { name: 'rbac-admin' } } });
    await call('POST', `${RB}/clusterroles`, {
      body: role('rbac-writer', [
        { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles', 'clusterrolebindings'], verbs: ['create', 'update'] },
        { apiGroups: ['crd.projectcalico.org'], resources: ['tiers'], verbs: ['get', 'list'] },
      ]),
    });
    await call('POST', `${RB}/clusterrolebindings`, {
      body: { metadata: { name: 'rbac-writer' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'rbac-writer' }, subjects: [{ kind: 'ServiceAccount', name: 'rbac-admin', namespace: 'apps' }] },
    });
    token = sim.serviceAccountToken('apps', 'rbac-admin');
  });

  it('lets a user create a role with rights they hold', async () => {
    const r = await call('POST', `${RB}/clusterroles`, { token, body: role('tier-reader', [{ apiGroups: ['crd.projectcalico.org'], resources: ['tiers'], verbs: ['list'] }]) });
    expect(r.status).toBe(201);
  });

  it('refuses a role granting more, listing what is missing', async () => {
    const r = await call('POST', `${RB}/clusterroles`, {
      token,
      body: role('gnp-writer', [{ apiGroups: ['crd.projectcalico.org'], resources: ['tiers', 'globalnetworkpolicies'], verbs: ['list', 'create', 'delete'] }]),
    });
    expect(r.status).toBe(403);
    expect(r.body['message']).toBe(
      'clusterroles.rbac.authorization.k8s.io "gnp-writer" is forbidden: user "system:serviceaccount:apps:rbac-admin" (groups=["system:serviceaccounts" "system:serviceaccounts:apps" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
        '{APIGroups:["crd.projectcalico.org"], Resources:["globalnetworkpolicies"], Verbs:["list" "create" "delete"]}\n' +
        '{APIGroups:["crd.projectcalico.org"], Resources:["tiers"], Verbs:["create" "delete"]}',
    );
  });

  it('refuses binding a role with more rights, unless the user may `bind` it', async () => {
    const binding = { metadata: { name: 'me-admin' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'ServiceAccount', name: 'rbac-admin', namespace: 'apps' }] };
    const denied = await call('POST', `${RB}/clusterrolebindings`, { token, body: binding });
    expect(denied.status).toBe(403);
    expect(String(denied.body['message'])).toContain('is attempting to grant RBAC permissions not currently held:\n{APIGroups:["*"], Resources:["*"], Verbs:["*"]}');
    await call('POST', `${RB}/clusterroles`, { body: role('binder', [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['bind'], resourceNames: ['tier-reader'] }]) });
    await call('POST', `${RB}/clusterrolebindings`, {
      body: { metadata: { name: 'binder' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'binder' }, subjects: [{ kind: 'ServiceAccount', name: 'rbac-admin', namespace: 'apps' }] },
    });
    const allowed = await call('POST', `${RB}/clusterrolebindings`, { token, body: { ...binding, metadata: { name: 'tier-readers' }, roleRef: { ...binding.roleRef, name: 'tier-reader' } } });
    expect(allowed.status).toBe(201);
  });
});

describe('authorization reviews and impersonation', () => {
  it('SubjectAccessReview answers for another user', async () => {
    const r = await call('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: 'system:serviceaccount:apps:reader', groups: ['system:serviceaccounts'], resourceAttributes: { verb: 'list', group: 'crd.projectcalico.org', resource: 'globalnetworkpolicies' } } },
    });
    expect(r.status).toBe(201);
    expect(r.body['status']).toEqual({ allowed: false });
  });

  it('only a user allowed to impersonate may, and the impersonated identity is what RBAC sees', async () => {
    const asReader = await call('GET', GNP, { headers: { 'Impersonate-User': 'system:serviceaccount:apps:reader' } });
    expect(asReader.status).toBe(403);
    expect(asReader.body['message']).toContain('User "system:serviceaccount:apps:reader" cannot list');
    const byReader = await call('GET', GNP, { token: sim.serviceAccountToken('apps', 'reader'), headers: { 'Impersonate-User': 'kubernetes-admin' } });
    expect(byReader.status).toBe(403);
    expect(byReader.body['message']).toBe('users "kubernetes-admin" is forbidden: User "system:serviceaccount:apps:reader" cannot impersonate resource "users" in API group "" at the cluster scope');
  });
});
