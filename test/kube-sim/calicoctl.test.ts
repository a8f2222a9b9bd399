// calicoctl emulation logic against an in-memory API; the same flows run end to end over HTTP in
// runtime-calicoctl.test.ts.
import { describe, it, expect } from 'vitest';
import { runCalicoctl } from './calico/calicoctl.js';
import type { CtlOutcome } from './calico/calicoctl.js';
import { memoryApi } from './calico/memory-api.js';
import type { MemoryApi } from './calico/memory-api.js';

const CRD = '/apis/crd.projectcalico.org/v1';

function cluster(version: string): MemoryApi {
  return memoryApi({
    [`${CRD}/clusterinformations/default`]: { apiVersion: 'crd.projectcalico.org/v1', kind: 'ClusterInformation', metadata: { name: 'default', resourceVersion: '1' }, spec: { calicoVersion: version } },
  });
}

const gnp = (name: string, extra = ''): string => `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: ${name}
spec:
  selector: all()
  ingress:
  - action: Allow${extra}
`;

async function run(api: MemoryApi, argv: string[], files: Record<string, string> = {}, o: { version?: string; env?: Record<string, string>; failureMode?: 'stop' | 'continue' } = {}): Promise<CtlOutcome & { out: string; err: string }> {
  const outcome = await runCalicoctl({
    listDir: (dir) => {
      const inside = Object.keys(files).filter((p) => p.startsWith(`${dir}/`));
      return inside.length ? inside : undefined;
    },
    ...(o.failureMode ? { failureMode: o.failureMode } : {}),
    argv,
    env: o.env ?? { DATASTORE_TYPE: 'kubernetes' },
    readFile: (p) => files[p],
    api,
    clientVersion: o.version ?? 'v3.31.2',
  });
  return {
    ...outcome,
    out: outcome.lines.filter((l) => l.stream === 'stdout').map((l) => l.text).join('\n'),
    err: outcome.lines.filter((l) => l.stream === 'stderr').map((l) => l.text).join('\n'),
  };
}

describe('emulated calicoctl', () => {
  it('applies a GlobalNetworkPolicy and stores it under the version\'s name', async () => {
    const api = cluster('v3.31.2');
    const r = await run(api, ['apply', '-f', '/m/a.yaml'], { '/m/a.yaml': gnp('allow-all') });
    expect(r.out).toBe("Successfully applied 1 'GlobalNetworkPolicy' resource(s)");
    expect(r.exitCode).toBe(0);
    const stored = api.objects.get(`${CRD}/globalnetworkpolicies/default.allow-all`);
    expect(stored?.['spec']).toMatchObject({ selector: 'all()', tier: 'default', types: ['Ingress'] });
    // Applying again replaces: still one object, still success.
    const again = await run(api, ['apply', '-f', '/m/a.yaml'], { '/m/a.yaml': gnp('allow-all') });
    expect(again.exitCode).toBe(0);
    expect([...api.objects.keys()].filter((k) => k.includes('globalnetworkpolicies'))).toHaveLength(1);
  });

  it('fails on a version mismatch unless allowed', async () => {
    const api = cluster('v3.31.2');
    const files = { '/m/a.yaml': gnp('x') };
    const r = await run(api, ['apply', '-f', '/m/a.yaml'], files, { version: 'v3.30.0' });
    expect(r.exitCode).toBe(1);
    expect(r.err).toContain('Version mismatch.\nClient Version:   v3.30.0\nCluster Version:  3.31.2\nUse --allow-version-mismatch to override.');
    const allowed = await run(api, ['apply', '-f', '/m/a.yaml', '--allow-version-mismatch'], files, { version: 'v3.30.0' });
    expect(allowed.exitCode).toBe(0);
  });

  it('tries etcd without DATASTORE_TYPE=kubernetes', async () => {
    const r = await run(cluster('v3.31.2'), ['apply', '-f', '/m/a.yaml'], { '/m/a.yaml': gnp('x') }, { env: {} });
    expect(r.exitCode).toBe(1);
    expect(r.err).toMatch(/Unable to get Cluster Information to verify version mismatch: context deadline exceeded/);
  });

  it('stops a multi-document file at the first failure with a partial-success report', async () => {
    const api = cluster('v3.31.2');
    api.denied.add('create hostendpoints');
    const file = `${gnp('a')}---
apiVersion: projectcalico.org/v3
kind: HostEndpoint
metadata:
  name: node1-eth0
spec:
  node: node1
  interfaceName: eth0
---
${gnp('c')}`;
    const r = await run(api, ['apply', '-f', '/m/a.yaml'], { '/m/a.yaml': file });
    expect(r.exitCode).toBe(1);
    expect(r.out).toBe('Partial success: applied the first 1 out of 3 resources:');
    expect(r.err).toMatch(/^Hit error\(s\): \[connection is unauthorized: hostendpoints\.crd\.projectcalico\.org is forbidden: User "system:serviceaccount:test:sa" cannot create resource "hostendpoints"/);
    expect(api.objects.has(`${CRD}/globalnetworkpolicies/default.c`)).toBe(false);
  });

  it.each([
    // Upstream prints "Partial success" only when successes outnumber failures.
    [['ok', 'bad', 'ok2'], 'Partial success: applied the first 2 out of 3 resources:', 'Hit error(s): [connection is unauthorized'],
    [['bad', 'ok', 'bad2'], '', 'Hit error(s): [connection is unauthorized'],
    [['bad'], '', "Failed to apply 'HostEndpoint' resource: [connection is unauthorized"],
  ])('in continue mode attempts every resource of %j', async (names, out, err) => {
    const api = cluster('v3.31.2');
    api.denied.add('create hostendpoints');
    const doc = (n: string): string => (n.startsWith('bad') ? `apiVersion: projectcalico.org/v3\nkind: HostEndpoint\nmetadata:\n  name: ${n}\nspec:\n  node: n1\n  interfaceName: eth0\n` : gnp(n));
    const r = await run(api, ['apply', '-f', '/m/a.yaml'], { '/m/a.yaml': names.map(doc).join('---\n') }, { failureMode: 'continue' });
    expect(r.exitCode).toBe(1);
    expect(r.out).toBe(out);
    expect(r.err.startsWith(err)).toBe(true);
    for (const n of names.filter((x) => !x.startsWith('bad'))) expect(api.objects.has(`${CRD}/globalnetworkpolicies/default.${n}`)).toBe(true);
  });

  it('prints No resources specified for an empty file', async () => {
    const r = await run(cluster('v3.31.2'), ['apply', '-f', '/m/a.yaml'], { '/m/a.yaml': '# nothing\n---\n' });
    expect(r).toMatchObject({ exitCode: 0, out: 'No resources specified' });
  });

  it('create fails on an existing object, replace on a missing one', async () => {
    const api = cluster('v3.31.2');
    const files = { '/m/a.yaml': gnp('a') };
    expect((await run(api, ['create', '-f', '/m/a.yaml'], files)).out).toBe("Successfully created 1 'GlobalNetworkPolicy' resource(s)");
    const again = await run(api, ['create', '-f', '/m/a.yaml'], files);
    expect(again.err).toBe("Failed to create 'GlobalNetworkPolicy' resource: [resource already exists: GlobalNetworkPolicy(a)]");
    const missing = await run(api, ['replace', '-f', '/m/b.yaml'], { '/m/b.yaml': gnp('b') });
    expect(missing.exitCode).toBe(1);
    expect(missing.err).toMatch(/^Failed to replace 'GlobalNetworkPolicy' resource: resource does not exist: GlobalNetworkPolicy\(b\) with error: .*not found/);
  });

  it('replace honours a stale resourceVersion', async () => {
    const api = cluster('v3.31.2');
    await run(api, ['apply', '-f', '/m/a.yaml'], { '/m/a.yaml': gnp('a') });
    const stale = gnp('a').replace('  name: a\n', '  name: a\n  resourceVersion: "1"\n');
    const r = await run(api, ['replace', '-f', '/m/a.yaml'], { '/m/a.yaml': stale });
    expect(r.err).toBe("Failed to replace 'GlobalNetworkPolicy' resource: update conflict: GlobalNetworkPolicy(a)");
  });

  it('delete fails on a missing object unless --skip-not-exists', async () => {
    const api = cluster('v3.31.2');
    const files = { '/m/d.yaml': gnp('gone') };
    const r = await run(api, ['delete', '-f', '/m/d.yaml'], files);
    expect(r.exitCode).toBe(1);
    expect(r.err).toMatch(/^Failed to delete 'GlobalNetworkPolicy' resource: resource does not exist: GlobalNetworkPolicy\(gone\)/);
    const skipped = await run(api, ['delete', '-f', '/m/d.yaml', '--skip-not-exists'], files);
    expect(skipped).toMatchObject({ exitCode: 0, out: "Successfully deleted 1 'GlobalNetworkPolicy' resource(s)" });
  });

  it('deletes by type and name, and gets back the v3 shape', async () => {
    const api = cluster('v3.31.2');
    await run(api, ['apply', '-f', '/m/a.yaml'], { '/m/a.yaml': gnp('a') });
    const got = await run(api, ['get', 'gnp', 'a', '-o', 'yaml']);
    expect(got.out).toMatch(/^apiVersion: projectcalico.org\/v3\nkind: GlobalNetworkPolicy\nmetadata:/);
    expect(got.out).toContain('name: a\n');
    expect(got.out).toContain('projectcalico.org/tier: default');
    const table = await run(api, ['get', 'globalnetworkpolicies']);
    expect(table.out).toBe('NAME\na');
    expect((await run(api, ['delete', 'gnp', 'a'])).out).toBe("Successfully deleted 1 'GlobalNetworkPolicy' resource(s)");
    expect(api.objects.has(`${CRD}/globalnetworkpolicies/default.a`)).toBe(false);
  });

  it.each([
    ['v3.28.2', 'default.p'],
    ['v3.31.2', 'default.p'],
    ['v3.32.0', 'p'],
  ])('on %s a namespaced policy is stored as %s', async (version, stored) => {
    const api = cluster(version);
    const np = 'apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: p\n  namespace: test1\nspec:\n  selector: all()\n';
    const r = await run(api, ['apply', '-f', '/m/a.yaml'], { '/m/a.yaml': np }, { version });
    expect(r.exitCode).toBe(0);
    expect(api.objects.has(`${CRD}/namespaces/test1/networkpolicies/${stored}`)).toBe(true);
  });

  it('knows Tier only from v3.29 and keeps tiers with policies', async () => {
    const tier = 'apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata:\n  name: security\nspec:\n  order: 100\n';
    const old = await run(cluster('v3.28.2'), ['apply', '-f', '/m/t.yaml'], { '/m/t.yaml': tier }, { version: 'v3.28.2' });
    expect(old.err).toBe('Failed to execute command: Unknown resource type (Tier) and/or version (projectcalico.org/v3)');

    const api = cluster('v3.31.2');
    const tiered = gnp('security.allow').replace('spec:\n', 'spec:\n  tier: security\n');
    const noTier = await run(api, ['apply', '-f', '/m/p.yaml'], { '/m/p.yaml': tiered });
    expect(noTier.err).toMatch(/resource does not exist: Tier\(security\)/);
    expect((await run(api, ['apply', '-f', '/m/t.yaml'], { '/m/t.yaml': tier })).exitCode).toBe(0);
    expect((await run(api, ['apply', '-f', '/m/p.yaml'], { '/m/p.yaml': tiered })).exitCode).toBe(0);
    expect(api.objects.has(`${CRD}/globalnetworkpolicies/security.allow`)).toBe(true);
    const busy = await run(api, ['delete', 'tier', 'security']);
    expect(busy.err).toMatch(/Cannot delete a non-empty tier/);
  });

  it('refuses Kubernetes NetworkPolicies and namespaces on global kinds', async () => {
    const knp = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: k\n  namespace: test1\nspec:\n  podSelector: {}\n';
    const r = await run(cluster('v3.31.2'), ['apply', '-f', '/m/k.yaml'], { '/m/k.yaml': knp });
    expect(r.err).toBe('Failed to execute command: Unknown resource type (NetworkPolicy) and/or version (networking.k8s.io/v1)');
    const nsd = gnp('a').replace('  name: a\n', '  name: a\n  namespace: test1\n');
    const bad = await run(cluster('v3.31.2'), ['apply', '-f', '/m/a.yaml'], { '/m/a.yaml': nsd });
    expect(bad.err).toMatch(/namespace should not be specified for a non-namespaced resource/);
  });

  it('validates with the project validator: a bad field fails its resource, an unknown field the file', async () => {
    const api = cluster('v3.31.2');
    const bad = `${gnp('ok')}---\n${gnp('bad', '\n    protocol: tcp\n    destination:\n      ports: [22]')}`;
    const r = await run(api, ['apply', '-f', '/m/a.yaml'], { '/m/a.yaml': bad });
    expect(r.out).toBe("Partial success: applied the first 1 out of 2 'GlobalNetworkPolicy' resources:");
    expect(r.err).toMatch(/^Hit error\(s\): \[error with the following fields:\n- {2}spec\.ingress\[0\]\.protocol \(protocol "tcp" is not one of/);
    const unknown = await run(api, ['apply', '-f', '/m/a.yaml'], { '/m/a.yaml': gnp('u').replace('selector:', 'selectr:') });
    expect(unknown.err).toBe('field in document is not recognized or is in the wrong location: selectr');
    expect(api.objects.has(`${CRD}/globalnetworkpolicies/default.u`)).toBe(false);
    const validated = await run(api, ['validate', '-f', '/m/a.yaml'], { '/m/a.yaml': bad });
    expect(validated.out).toBe("Partial success: validated the first 1 out of 2 'GlobalNetworkPolicy' resources:");
  });

  it.each([
    [['-n', 'test1'], `${CRD}/namespaces/test1/networkpolicies/default.p`],
    [[], `${CRD}/namespaces/default/networkpolicies/default.p`],
  ])('puts a NetworkPolicy without namespace into %j', async (flags, stored) => {
    const api = cluster('v3.31.2');
    const np = 'apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: p\nspec:\n  selector: all()\n';
    const r = await run(api, ['apply', '-f', '/m/np.yaml', ...flags], { '/m/np.yaml': np });
    expect(r.out).toBe("Successfully applied 1 'NetworkPolicy' resource(s)");
    expect(api.objects.has(stored)).toBe(true);
  });

  it('reads the YAML files of a directory in name order', async () => {
    const api = cluster('v3.31.2');
    const files = { '/m/b.yaml': gnp('second'), '/m/a.yaml': gnp('first'), '/m/notes.txt': 'not yaml' };
    const r = await run(api, ['apply', '-f', '/m'], files);
    expect(r.out).toBe("Successfully applied 2 'GlobalNetworkPolicy' resource(s)");
    const order = api.requests.filter((q) => q.method === 'POST').map((q) => q.path);
    expect(order).toHaveLength(2);
    expect([...api.objects.keys()].filter((k) => k.includes('globalnetworkpolicies'))).toEqual([`${CRD}/globalnetworkpolicies/default.first`, `${CRD}/globalnetworkpolicies/default.second`]);
  });

  it('reports a missing file and bad arguments', async () => {
    const api = cluster('v3.31.2');
    expect((await run(api, ['apply', '-f', '/nope.yaml'])).err).toBe('Failed to execute command: open /nope.yaml: no such file or directory');
    expect((await run(api, ['apply'])).exitCode).toBe(1);
  });
});
