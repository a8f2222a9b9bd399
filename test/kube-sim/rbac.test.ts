import { describe, expect, it } from 'vitest';
import { serviceAccountUser } from './authn.js';
import { authorize, forbiddenWhy, ruleAllows, type Attributes, type RbacSource } from './rbac.js';

const sa = serviceAccountUser('calico-test', 'calico-test');
const attrs = (o: Partial<Attributes>): Attributes => ({
  user: sa,
  verb: 'list',
  isResource: true,
  path: '',
  group: 'crd.projectcalico.org',
  resource: 'globalnetworkpolicies',
  subresource: '',
  namespace: '',
  name: '',
  ...o,
});

describe('an RBAC rule', () => {
  it.each([
    ['one resource per string', { apiGroups: ['crd.projectcalico.org'], resources: ['globalnetworkpolicies'], verbs: ['list'] }, attrs({}), true],
    ['the origin story: one comma-joined string names nothing', { apiGroups: ['crd.projectcalico.org'], resources: ['networkpolicies, globalnetworkpolicies, hostendpoints'], verbs: ['list'] }, attrs({}), false],
    ['wildcard resources', { apiGroups: ['crd.projectcalico.org'], resources: ['*'], verbs: ['*'] }, attrs({ verb: 'delete' }), true],
    ['another group', { apiGroups: ['projectcalico.org'], resources: ['globalnetworkpolicies'], verbs: ['list'] }, attrs({}), false],
    ['a verb not listed', { apiGroups: ['crd.projectcalico.org'], resources: ['globalnetworkpolicies'], verbs: ['get'] }, attrs({}), false],
    ['a subresource needs its own entry', { apiGroups: [''], resources: ['pods'], verbs: ['get'] }, attrs({ group: '', resource: 'pods', subresource: 'log', verb: 'get' }), false],
    ['pods/log', { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] }, attrs({ group: '', resource: 'pods', subresource: 'log', verb: 'get' }), true],
    ['*/status', { apiGroups: ['*'], resources: ['*/status'], verbs: ['update'] }, attrs({ resource: 'pods', subresource: 'status', verb: 'update' }), true],
    ['resourceNames match', { apiGroups: ['crd.projectcalico.org'], resources: ['clusterinformations'], resourceNames: ['default'], verbs: ['get'] }, attrs({ resource: 'clusterinformations', name: 'default', verb: 'get' }), true],
    ['resourceNames exclude others', { apiGroups: ['crd.projectcalico.org'], resources: ['clusterinformations'], resourceNames: ['default'], verbs: ['get'] }, attrs({ resource: 'clusterinformations', name: 'other', verb: 'get' }), false],
    ['nonResourceURLs with a * suffix', { nonResourceURLs: ['/apis/*'], verbs: ['get'] }, attrs({ isResource: false, path: '/apis/crd.projectcalico.org', verb: 'get' }), true],
  ])('%s', (_what, rule, a, allowed) => {
    expect(ruleAllows(rule, a)).toBe(allowed);
  });
});

describe('RBAC bindings', () => {
  const objects: Record<string, Record<string, unknown>[]> = {
    'rbac.authorization.k8s.io/clusterroles': [
      { metadata: { name: 'reader' }, rules: [{ apiGroups: ['crd.projectcalico.org'], resources: ['globalnetworkpolicies'], verbs: ['list'] }] },
      { metadata: { name: 'agg', labels: {} }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/agg': 'true' } }] }, rules: [] },
      { metadata: { name: 'part', labels: { 'rbac.example.com/agg': 'true' } }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }] },
    ],
    'rbac.authorization.k8s.io/clusterrolebindings': [
      { metadata: { name: 'wrong-subject' }, roleRef: { kind: 'ClusterRole', name: 'reader' }, subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'calico-test' }] },
      { metadata: { name: 'dangling' }, roleRef: { kind: 'ClusterRole', name: 'gone' }, subjects: [{ kind: 'Group', name: 'system:serviceaccounts:calico-test' }] },
    ],
    'rbac.authorization.k8s.io/rolebindings': [
      { metadata: { name: 'ns-agg', namespace: 'calico-test' }, roleRef: { kind: 'ClusterRole', name: 'agg' }, subjects: [{ kind: 'ServiceAccount', name: 'calico-test' }] },
    ],
  };
  const src: RbacSource = {
    list: (k, ns) => (objects[k] ?? []).filter((o) => !ns || (o['metadata'] as Record<string, unknown>)['namespace'] === ns),
    get: (k, _ns, name) => (objects[k] ?? []).find((o) => (o['metadata'] as Record<string, unknown>)['name'] === name),
  };

  it('a binding naming subject `default` grants nothing to another account (the origin story)', () => {
    expect(authorize(src, attrs({}))).toEqual({ allowed: false, reason: 'RBAC: clusterrole.rbac.authorization.k8s.io "gone" not found' });
  });

  it('a RoleBinding grants an aggregated ClusterRole in its namespace only, with the SA namespace defaulted', () => {
    const a = attrs({ group: '', resource: 'configmaps', verb: 'get', namespace: 'calico-test' });
    expect(authorize(src, a).allowed).toBe(true);
    expect(authorize(src, a).reason).toBe('RBAC: allowed by RoleBinding "ns-agg" of ClusterRole "agg" to ServiceAccount "calico-test/calico-test" in namespace "calico-test"');
    expect(authorize(src, { ...a, namespace: 'other' }).allowed).toBe(false);
  });

  it('words a denial like the API server', () => {
    expect(forbiddenWhy(attrs({}), '')).toBe('User "system:serviceaccount:calico-test:calico-test" cannot list resource "globalnetworkpolicies" in API group "crd.projectcalico.org" at the cluster scope');
    expect(forbiddenWhy(attrs({ isResource: false, path: '/metrics', verb: 'get' }), '')).toBe('User "system:serviceaccount:calico-test:calico-test" cannot get path "/metrics"');
  });
});
