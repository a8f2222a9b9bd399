// The real kubectl (/usr/bin/kubectl 1.32) against the simulator over TLS: the commands the issue's
// "Done when" lists, asserting on what a user sees (output and exit codes).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, kubectlFor, type Kubectl } from './kubectl-helper.js';
import { startKubeSim, type KubeSim } from './server.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'kube-sim');
const DEPLOY = join(import.meta.dirname, '..', '..', 'deploy');

let sim: KubeSim;
let k: Kubectl;

beforeAll(async () => {
  sim = await startKubeSim({ tls: true });
  k = await kubectlFor(sim);
  expect((await k.run(['create', 'namespace', 'test1'])).code).toBe(0);
});

afterAll(async () => {
  await sim?.close();
  await k?.cleanup();
});

describe('kubectl create (typed clients send protobuf)', () => {
  it('creates a namespace, a service account and a configmap, and refuses a duplicate', async () => {
    expect(await k.run(['create', 'namespace', 'calico-test'])).toMatchObject({ code: 0, stdout: 'namespace/calico-test created\n' });
    expect(await k.run(['-n', 'calico-test', 'create', 'serviceaccount', 'calico-test'])).toMatchObject({ code: 0, stdout: 'serviceaccount/calico-test created\n' });
    expect((await k.run(['-n', 'test1', 'create', 'configmap', 'c1', '--from-literal=a=b'])).code).toBe(0);
    const dup = await k.run(['-n', 'test1', 'create', 'configmap', 'c1', '--from-literal=a=b']);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toBe('error: failed to create configmap: configmaps "c1" already exists\n');
    const got = await k.run(['-n', 'test1', 'get', 'configmap', 'c1', '-o', 'jsonpath={.data.a}']);
    expect(got.stdout).toBe('b');
  });

  it('create -f of a Calico CRD object, then again: AlreadyExists with the CRD resource name', async () => {
    const doc = 'apiVersion: crd.projectcalico.org/v1\nkind: GlobalNetworkSet\nmetadata: {name: dns-servers}\nspec: {nets: [10.0.0.10/32]}\n';
    expect(await k.run(['create', '-f', '-'], { input: doc })).toMatchObject({ code: 0, stdout: 'globalnetworkset.crd.projectcalico.org/dns-servers created\n' });
    const again = await k.run(['create', '-f', '-'], { input: doc });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('globalnetworksets.crd.projectcalico.org "dns-servers" already exists');
  });
});

describe('kubectl apply -f', () => {
  it('creates, reports unchanged on a second apply, and configured after an edit', async () => {
    const file = join(FIXTURES, 'policies.yaml');
    const first = await k.run(['apply', '-f', file]);
    expect(first.code).toBe(0);
    expect(first.stdout.split('\n').filter(Boolean)).toEqual([
      'globalnetworkpolicy.crd.projectcalico.org/default.deny-all created',
      'networkpolicy.crd.projectcalico.org/default.allow-dns created',
      'configmap/settings created',
    ]);
    const second = await k.run(['apply', '-f', file]);
    expect(second.stdout.split('\n').filter(Boolean)).toEqual([
      'globalnetworkpolicy.crd.projectcalico.org/default.deny-all unchanged',
      'networkpolicy.crd.projectcalico.org/default.allow-dns unchanged',
      'configmap/settings unchanged',
    ]);
    const edited = (await readFile(file, 'utf8')).replace('level: "1"', 'level: "2"').replace('selector: all()\n  types', "selector: role == 'db'\n  types");
    const third = await k.run(['apply', '-f', '-'], { input: edited });
    expect(third.stdout.split('\n').filter(Boolean)).toEqual([
      'globalnetworkpolicy.crd.projectcalico.org/default.deny-all configured',
      'networkpolicy.crd.projectcalico.org/default.allow-dns unchanged',
      'configmap/settings configured',
    ]);
    const gnp = JSON.parse((await k.run(['get', 'globalnetworkpolicies.crd.projectcalico.org', 'default.deny-all', '-o', 'json'])).stdout) as {
      spec: { selector: string };
      metadata: { generation: number };
    };
    expect(gnp.spec.selector).toBe("role == 'db'");
    expect(gnp.metadata.generation).toBe(2);
  });
});

describe('kubectl get', () => {
  it('prints the server-side table columns', async () => {
    const r = await k.run(['get', 'namespaces']);
    expect(r.stdout.split('\n')[0]).toMatch(/^NAME\s+STATUS\s+AGE$/);
    expect(r.stdout).toMatch(/\ntest1\s+Active\s+\d+s\n/);
  });

  it('prints JSON, YAML and filters by label selector', async () => {
    const json = await k.run(['get', 'configmaps', '-n', 'test1', '-l', 'team=apps', '-o', 'json']);
    expect(json.code).toBe(0);
    const list = JSON.parse(json.stdout) as { items: { metadata: { name: string } }[] };
    expect(list.items.map((i) => i.metadata.name)).toEqual(['settings']);
    const yaml = await k.run(['get', 'clusterinformations.crd.projectcalico.org', 'default', '-o', 'yaml']);
    expect(yaml.stdout).toContain('calicoVersion: v3.31.2');
    const none = await k.run(['get', 'globalnetworkpolicies.crd.projectcalico.org', '-l', 'team notin (platform)']);
    expect(none).toMatchObject({ code: 0, stderr: 'No resources found\n' });
    const names = await k.run(['get', 'networkpolicies.crd.projectcalico.org', '-A', '-o', 'name']);
    expect(names.stdout).toBe('networkpolicy.crd.projectcalico.org/default.allow-dns\n');
  });

  it('says NotFound for a missing object and exits 1', async () => {
    const r = await k.run(['get', 'globalnetworkpolicies.crd.projectcalico.org', 'nope']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Error from server (NotFound): globalnetworkpolicies.crd.projectcalico.org "nope" not found\n');
  });
});

describe('kubectl patch (what kubectl edit sends)', () => {
  it.each([
    ['merge', '{"data":{"p":"merge"}}', 'merge'],
    ['json', '[{"op":"add","path":"/data/p","value":"json"}]', 'json'],
    ['strategic', '{"data":{"p":"strategic"}}', 'strategic'],
  ])('applies a %s patch to a ConfigMap', async (type, patch, expected) => {
    const r = await k.run(['-n', 'test1', 'patch', 'configmap', 'settings', '--type', type, '-p', patch]);
    expect(r).toMatchObject({ code: 0, stdout: 'configmap/settings patched\n' });
    expect((await k.run(['-n', 'test1', 'get', 'configmap', 'settings', '-o', 'jsonpath={.data.p}'])).stdout).toBe(expected);
  });

  it('merges containers by name in a strategic patch of a Deployment', async () => {
    const dep = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'test1' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }] } } },
    };
    expect((await k.run(['apply', '-f', '-'], { input: JSON.stringify(dep) })).code).toBe(0);
    const r = await k.run(['-n', 'test1', 'patch', 'deployment', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"b","image":"b:2"}]}}}}']);
    expect(r.code).toBe(0);
    const images = await k.run(['-n', 'test1', 'get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[*].image}']);
    expect(images.stdout).toBe('a:1 b:2');
  });

  it('kubectl edit (with a scripted editor) patches a Calico object and a ConfigMap', async () => {
    // a script, so the edit touches the selector line only (a uid may contain "db" too)
    const editor = join(k.dir, 'edit-selector.sh');
    await writeFile(editor, `#!/bin/sh\nsed -i "s/^  selector: role == 'db'$/  selector: role == 'edited'/" "$1"\n`, { mode: 0o755 });
    const gnp = await k.run(['edit', 'globalnetworkpolicies.crd.projectcalico.org', 'default.deny-all'], { env: { KUBE_EDITOR: editor } });
    // stderr first: if kubectl fails, its message is what the assertion shows
    expect(gnp.stderr).toBe('');
    expect(gnp).toMatchObject({ code: 0, stdout: 'globalnetworkpolicy.crd.projectcalico.org/default.deny-all edited\n' });
    expect((await k.run(['get', 'globalnetworkpolicies.crd.projectcalico.org', 'default.deny-all', '-o', 'jsonpath={.spec.selector}'])).stdout).toBe("role == 'edited'");
    const cm = await k.run(['-n', 'test1', 'edit', 'configmap', 'settings'], { env: { KUBE_EDITOR: 'sed -i s/^\\ \\ level:.*/\\ \\ level:\\ "9"/' } });
    expect(cm.stderr).toBe('');
    expect(cm).toMatchObject({ code: 0, stdout: 'configmap/settings edited\n' });
    expect((await k.run(['-n', 'test1', 'get', 'configmap', 'settings', '-o', 'jsonpath={.data.level}'])).stdout).toBe('9');
  });

  it('patches a Calico object with merge and JSON patches and refuses a strategic one (415), as for any CRD', async () => {
    const gnp = 'globalnetworkpolicies.crd.projectcalico.org';
    expect((await k.run(['patch', gnp, 'default.deny-all', '--type', 'merge', '-p', '{"spec":{"order":10}}'])).code).toBe(0);
    expect((await k.run(['patch', gnp, 'default.deny-all', '--type', 'json', '-p', '[{"op":"replace","path":"/spec/order","value":20}]'])).code).toBe(0);
    expect((await k.run(['get', gnp, 'default.deny-all', '-o', 'jsonpath={.spec.order}'])).stdout).toBe('20');
    const smp = await k.run(['patch', gnp, 'default.deny-all', '-p', '{"spec":{"order":30}}']);
    expect(smp.code).toBe(1);
    expect(smp.stderr).toContain('application/strategic-merge-patch+json is not supported by crd.projectcalico.org/v1, Kind=GlobalNetworkPolicy');
  });
});

describe('kubectl delete', () => {
  it('deletes, and a second delete says NotFound', async () => {
    expect(await k.run(['delete', 'globalnetworksets.crd.projectcalico.org', 'dns-servers'])).toMatchObject({
      code: 0,
      stdout: 'globalnetworkset.crd.projectcalico.org "dns-servers" deleted\n',
    });
    const again = await k.run(['delete', 'globalnetworksets.crd.projectcalico.org', 'dns-servers']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('Error from server (NotFound): globalnetworksets.crd.projectcalico.org "dns-servers" not found');
  });
});

describe('kubectl get -w', () => {
  it('shows ADDED, MODIFIED and DELETED events as they happen', async () => {
    // An object the watcher lists first: once kubectl has printed it, it watches from the list's
    // resourceVersion, so every later change reaches it (no wait for the watch connection itself).
    await k.run(['-n', 'test1', 'create', 'configmap', 'w0', '--from-literal=v=0']);
    await k.run(['-n', 'test1', 'label', 'configmap', 'w0', 'watched=yes']);
    const w = k.spawn(['get', 'configmaps', '-n', 'test1', '-w', '--output-watch-events', '-l', 'watched=yes', '-o', 'jsonpath={.type} {.object.metadata.name} {.object.data.v}{"\\n"}']);
    try {
      await eventually(() => w.output().includes('ADDED w0 0'), 30_000);
      await k.run(['-n', 'test1', 'create', 'configmap', 'w1', '--from-literal=v=1']);
      await k.run(['-n', 'test1', 'label', 'configmap', 'w1', 'watched=yes']);
      await k.run(['-n', 'test1', 'patch', 'configmap', 'w1', '--type', 'merge', '-p', '{"data":{"v":"2"}}']);
      await k.run(['-n', 'test1', 'delete', 'configmap', 'w1']);
      await eventually(() => w.output().includes('DELETED'));
    } finally {
      await w.stop();
      await k.run(['-n', 'test1', 'delete', 'configmap', 'w0']);
    }
    // joining the selector is an ADDED for this watcher, as on a real server
    expect(w.output().split('\n').filter(Boolean)).toEqual(['ADDED w0 0', 'ADDED w1 1', 'MODIFIED w1 2', 'DELETED w1 2']);
  });

  it('kubectl get pods -A -w: the table rows of pods created, relabelled and deleted in any namespace', async () => {
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: wp, namespace: test1, labels: {app: early}}\nspec: {containers: [{name: c, image: busybox}]}\n';
    const watching = sim.requestCount({ verb: 'watch', resource: 'pods', namespace: '' });
    const w = k.spawn(['get', 'pods', '-A', '-w', '--output-watch-events', '-o', 'jsonpath={.type} {.object.metadata.namespace}/{.object.metadata.name} {.object.metadata.labels.app}{"\\n"}']);
    try {
      // the watch must be open before the changes happen
      await eventually(() => sim.requestCount({ verb: 'watch', resource: 'pods', namespace: '' }) > watching);
      expect((await k.run(['apply', '-f', '-'], { input: pod })).code).toBe(0);
      expect((await k.run(['-n', 'test1', 'label', 'pod', 'wp', 'app=late', '--overwrite'])).code).toBe(0);
      expect((await k.run(['-n', 'test1', 'delete', 'pod', 'wp'])).code).toBe(0);
      await eventually(() => w.output().includes('DELETED'));
    } finally {
      await w.stop();
    }
    const lines = w.output().split('\n').filter(Boolean);
    expect(lines[0]).toBe('ADDED test1/wp early');
    expect(lines).toContain('MODIFIED test1/wp late');
    expect(lines.at(-1)).toBe('DELETED test1/wp late');
  });

  it('kubectl get pods -w prints the server\'s table rows as pods change', async () => {
    const watching = sim.requestCount({ verb: 'watch', resource: 'pods', namespace: 'test1' });
    const w = k.spawn(['get', 'pods', '-n', 'test1', '-w']);
    try {
      await eventually(() => sim.requestCount({ verb: 'watch', resource: 'pods', namespace: 'test1' }) > watching);
      expect((await k.run(['-n', 'test1', 'run', 'tp', '--image', 'busybox'])).code).toBe(0);
      await eventually(() => /^tp\s+0\/1\s+Pending/m.test(w.output()));
    } finally {
      await w.stop();
      await k.run(['-n', 'test1', 'delete', 'pod', 'tp']);
    }
    expect(w.output()).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m);
  });
});

describe('kubectl auth can-i with the origin story ClusterRole', () => {
  beforeAll(async () => {
    await k.run(['-n', 'calico-test', 'create', 'serviceaccount', 'calico-fixed']);
    expect((await k.run(['apply', '-f', join(FIXTURES, 'origin-clusterrole-broken.yaml'), '-f', join(FIXTURES, 'origin-clusterrole-fixed.yaml')])).code).toBe(0);
  });

  it.each([
    ['calico-test', 'list', 'globalnetworkpolicies.crd.projectcalico.org', 'no', 1],
    ['calico-test', 'create', 'hostendpoints.crd.projectcalico.org', 'no', 1],
    ['calico-test', 'list', 'networkpolicies.networking.k8s.io', 'yes', 0],
    ['calico-fixed', 'list', 'globalnetworkpolicies.crd.projectcalico.org', 'yes', 0],
    ['calico-fixed', 'create', 'hostendpoints.crd.projectcalico.org', 'yes', 0],
    ['calico-fixed', 'watch', 'globalnetworkpolicies.crd.projectcalico.org', 'no', 1],
  ])('%s may %s %s: %s', async (sa, verb, resource, answer, code) => {
    const r = await k.run(['auth', 'can-i', verb, resource, `--as=system:serviceaccount:calico-test:${sa}`]);
    expect(r.stdout.trim()).toBe(answer);
    expect(r.code).toBe(code);
  });

  it('a request with the broken role gets the real 403 message', async () => {
    const kc = await k.serviceAccountKubeconfig('calico-test', 'calico-test');
    const r = await k.run(['get', 'globalnetworkpolicies.crd.projectcalico.org'], { kubeconfig: kc });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'Error from server (Forbidden): globalnetworkpolicies.crd.projectcalico.org is forbidden: User "system:serviceaccount:calico-test:calico-test" cannot list resource "globalnetworkpolicies" in API group "crd.projectcalico.org" at the cluster scope',
    );
  });
});

describe('kubectl apply -k deploy/', () => {
  it('installs the kustomize base, is unchanged the second time, and its RBAC is least privilege', async () => {
    const first = await k.run(['apply', '-k', DEPLOY]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('namespace/calico-gitops created');
    expect(first.stdout).toContain('clusterrole.rbac.authorization.k8s.io/calico-gitops-executor created');
    expect(first.stdout).toContain('deployment.apps/calico-gitops-agent created');
    expect(first.stdout).toContain('persistentvolumeclaim/calico-gitops-redis-data created');
    const second = await k.run(['apply', '-k', DEPLOY]);
    expect(second.code).toBe(0);
    expect(second.stdout.split('\n').filter(Boolean).every((l) => l.endsWith(' unchanged'))).toBe(true);
    const can = async (sa: string, ...args: string[]): Promise<string> =>
      (await k.run(['auth', 'can-i', ...args, `--as=system:serviceaccount:calico-gitops:${sa}`])).stdout.trim();
    expect(await can('calico-gitops', 'watch', 'globalnetworkpolicies.crd.projectcalico.org')).toBe('yes');
    expect(await can('calico-gitops', 'create', 'globalnetworkpolicies.crd.projectcalico.org')).toBe('no');
    // the controller plans only; running calicoctl pods and reading their logs is the worker's
    expect(await can('calico-gitops', 'get', 'pods', '--subresource=log', '-n', 'calico-gitops')).toBe('no');
    expect(await can('calico-gitops', 'create', 'pods', '-n', 'calico-gitops')).toBe('no');
    expect(await can('calico-gitops-worker', 'get', 'pods', '--subresource=log', '-n', 'calico-gitops')).toBe('yes');
    expect(await can('calico-gitops-worker', 'create', 'pods', '-n', 'calico-gitops')).toBe('yes');
    expect(await can('calico-gitops-worker', 'create', 'pods', '-n', 'default')).toBe('no');
    expect(await can('calico-gitops-worker', 'create', 'globalnetworkpolicies.crd.projectcalico.org')).toBe('no');
    expect(await can('calico-gitops-executor', 'create', 'tiers.crd.projectcalico.org')).toBe('yes');
    expect(await can('calico-gitops-executor', 'delete', 'hostendpoints.crd.projectcalico.org')).toBe('yes');
    expect(await can('calico-gitops-executor', 'get', 'clusterinformations.crd.projectcalico.org')).toBe('yes');
    expect(await can('calico-gitops-executor', 'update', 'clusterinformations.crd.projectcalico.org')).toBe('no');
    expect(await can('calico-gitops-executor', 'get', 'secrets', '-n', 'calico-gitops')).toBe('no');
  });

  it('delete -k removes it again; kubectl waits for the namespace to go', async () => {
    const r = await k.run(['delete', '-k', DEPLOY]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('namespace "calico-gitops" deleted');
    expect(r.stdout).toContain('deployment.apps "calico-gitops-worker" deleted');
    const gone = await k.run(['get', 'namespace', 'calico-gitops']);
    expect(gone.stderr).toContain('namespaces "calico-gitops" not found');
  });
});

describe('kubectl logs', () => {
  it('prints what the runtime wrote, and says why when the container has not started', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ctl', namespace: 'test1' }, spec: { containers: [{ name: 'calicoctl', image: 'quay.io/calico/ctl:v3.31.2' }] } };
    expect((await k.run(['apply', '-f', '-'], { input: JSON.stringify(pod) })).code).toBe(0);
    const early = await k.run(['-n', 'test1', 'logs', 'ctl']);
    expect(early.code).toBe(1);
    expect(early.stderr).toContain('container "calicoctl" in pod "ctl" is waiting to start: ContainerCreating');
    sim.appendPodLog('test1', 'ctl', 'calicoctl', "Successfully applied 1 'GlobalNetworkPolicy' resource(s)\n");
    expect(await k.run(['-n', 'test1', 'logs', 'ctl'])).toMatchObject({ code: 0, stdout: "Successfully applied 1 'GlobalNetworkPolicy' resource(s)\n" });
    expect(await k.run(['-n', 'test1', 'logs', 'ctl', '-c', 'calicoctl', '--tail=1'])).toMatchObject({ code: 0 });
  });
});
