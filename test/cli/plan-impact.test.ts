// `calico-gitops plan` prints what the revision does to traffic under the resource diff: the
// connectivity diff between the cluster's current policies and the revision's, on the live pods.
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDesiredState } from '../../agent/desired/index.js';
import { parseCalicoVersion } from '../../agent/domain/calico-version.js';
import { startCluster, type KubeSim } from '../kube-sim/index.js';
import { adminRequest, applyWith, ensureNamespace } from '../live/sim-apply.js';
import { REPO_ROOT, runCli } from '../support/cli.js';
import yaml from 'js-yaml';

const POLICIES = join(REPO_ROOT, 'policies');
let sim: KubeSim;
let tmp = '';
let kubeconfig = '';
const cli = (args: string[]) => runCli(['plan', ...args], { env: { HOME: tmp } });

// Opens test1 → test2 on TCP 5432 (shared with the connectivity --diff test).
const ALLOW_DB = readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'cli', 'allow-db.yaml'), 'utf8');

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'cli-plan-impact-'));
  // Pods wait for their image instead of failing, so they stay workloads.
  sim = await startCluster({ calicoVersion: 'v3.31.2', kubelet: { imagePullFailAfterMs: 3_600_000 } });
  kubeconfig = join(tmp, 'kubeconfig');
  await sim.writeKubeconfig(kubeconfig);
  const list = yaml.load(readFileSync(join(POLICIES, '.calico-gitops', 'workloads.yaml'), 'utf8')) as { items: { kind: string; metadata: { name: string; namespace?: string }; spec?: unknown }[] };
  for (const ns of ['test1', 'test2', 'kube-system']) await ensureNamespace(sim, ns);
  await adminRequest(sim, 'POST', '/api/v1/namespaces/kube-system/serviceaccounts', { metadata: { name: 'coredns' } });
  for (const item of list.items.filter((i) => i.kind === 'Pod')) {
    await adminRequest(sim, 'POST', `/api/v1/namespaces/${item.metadata.namespace ?? 'default'}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: item.metadata, spec: item.spec });
  }
  // The cluster runs the example's namespace isolation already.
  const files = ['namespaces/test1/isolation.yaml', 'namespaces/test2/isolation.yaml'].map((p) => ({ path: p, content: readFileSync(join(POLICIES, p), 'utf8') }));
  const desired = buildDesiredState({ files, calicoVersion: parseCalicoVersion('v3.31.2')! });
  await applyWith(sim, 'calicoctl', [...desired.state.resources.values()].map((r) => r.manifest));
}, 120_000);

afterAll(async () => {
  await sim?.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('plan shows the connectivity impact', () => {
  it('a revision that opens test1 → test2 TCP 5432 prints the opened pairs with the rules that open them', async () => {
    const dir = join(tmp, 'repo');
    await cp(join(POLICIES, 'namespaces'), join(dir, 'namespaces'), { recursive: true });
    await writeFile(join(dir, 'allow-db.yaml'), ALLOW_DB);
    const r = await cli(['--dir', dir, '--kubeconfig', kubeconfig]);
    expect(r.code).toBe(2);
    const [resources, rest = ''] = r.stdout.split('\nConnectivity (live workloads):\n');
    expect(resources).toMatch(/GlobalNetworkPolicy allow-db/);
    // The plan's summary line stays last.
    const impact = rest.replace(/\n\d+ to create, \d+ to update, \d+ to delete \([^)]*\)\n$/, '');
    expect(rest.trimEnd().split('\n').at(-1)).toMatch(/^\d+ to create/);
    expect(impact).toBe(
      [
        '+ test1/busybox-test1-a → test2/busybox-test2-a TCP 5432  allowed by GlobalNetworkPolicy/allow-db-out egress[0], GlobalNetworkPolicy/allow-db ingress[0]',
        '+ test1/busybox-test1-b → test2/busybox-test2-a TCP 5432  allowed by GlobalNetworkPolicy/allow-db-out egress[0], GlobalNetworkPolicy/allow-db ingress[0]',
        'opens 2, closes 0 connections',
        '',
      ].join('\n'),
    );
  }, 60_000);

  it('a revision that denies DNS over TCP from test1 prints the closed pairs with the rule that closes them', async () => {
    const dir = join(tmp, 'no-tcp-dns');
    await cp(join(POLICIES, 'namespaces'), join(dir, 'namespaces'), { recursive: true });
    await writeFile(
      join(dir, 'no-tcp-dns.yaml'),
      "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: no-tcp-dns\nspec:\n  order: 1\n  selector: projectcalico.org/namespace == 'test1'\n  types: [Egress]\n  egress:\n    - action: Deny\n      protocol: TCP\n      destination:\n        ports: [53]\n",
    );
    const r = await cli(['--dir', dir, '--kubeconfig', kubeconfig]);
    expect(r.code).toBe(2);
    const impact = (r.stdout.split('\nConnectivity (live workloads):\n')[1] ?? '').replace(/\n\d+ to create, \d+ to update, \d+ to delete \([^)]*\)\n$/, '');
    expect(impact).toBe(
      [
        '- test1/busybox-test1-a → kube-system/coredns-5d78c9869d-abcde TCP 53  denied by GlobalNetworkPolicy/no-tcp-dns egress[0]',
        '- test1/busybox-test1-a → test1/busybox-test1-b TCP 53  denied by GlobalNetworkPolicy/no-tcp-dns egress[0]',
        '- test1/busybox-test1-b → kube-system/coredns-5d78c9869d-abcde TCP 53  denied by GlobalNetworkPolicy/no-tcp-dns egress[0]',
        '- test1/busybox-test1-b → test1/busybox-test1-a TCP 53  denied by GlobalNetworkPolicy/no-tcp-dns egress[0]',
        'opens 0, closes 4 connections',
        '',
      ].join('\n'),
    );
  }, 60_000);

  it('plan --json carries the impact beside the plan: pairs, port sets and the rules, as connectivity --diff --json', async () => {
    const dir = join(tmp, 'repo-json');
    await cp(join(POLICIES, 'namespaces'), join(dir, 'namespaces'), { recursive: true });
    await writeFile(join(dir, 'allow-db.yaml'), ALLOW_DB);
    const r = await cli(['--dir', dir, '--kubeconfig', kubeconfig, '--json']);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout) as {
      steps: { key: string }[];
      impact: { opens: number; closes: number; omitted: number; changes: { from: string; to: string; change: string; opened: Record<string, unknown>; openedBy: string; why: { opened: Record<string, { by: string }[]> } }[] };
    };
    expect(out.steps.length).toBeGreaterThan(0);
    expect(out.impact.opens).toBe(2);
    expect(out.impact.closes).toBe(0);
    expect(out.impact.omitted).toBe(0);
    expect(out.impact.changes.map((c) => [c.from, c.to, c.change, c.opened['TCP'], c.opened['UDP'], c.opened['ICMP']])).toEqual([
      ['test1/busybox-test1-a', 'test2/busybox-test2-a', 'added', '5432', '', false],
      ['test1/busybox-test1-b', 'test2/busybox-test2-a', 'added', '5432', '', false],
    ]);
    expect(out.impact.changes[0]?.openedBy).toBe('GlobalNetworkPolicy/allow-db-out egress[0], GlobalNetworkPolicy/allow-db ingress[0]');
    expect(out.impact.changes[0]?.why.opened['ingress']?.map((w) => w.by)).toEqual(['GlobalNetworkPolicy/allow-db ingress[0]']);
  }, 60_000);

  it('connectivity --kubeconfig reads the workloads live (read-only): test1 reaches test2 on TCP 5432 under allow-db, and nothing is written', async () => {
    const dir = join(tmp, 'live-connectivity');
    await cp(join(POLICIES, 'namespaces'), join(dir, 'namespaces'), { recursive: true });
    await writeFile(join(dir, 'allow-db.yaml'), ALLOW_DB);
    const podLists = sim.requestCount({ verb: 'list', resource: 'pods', group: '' });
    const writes = () => ['create', 'update', 'patch', 'delete'].reduce((n, verb) => n + sim.requestCount({ verb, resource: 'globalnetworkpolicies', group: 'crd.projectcalico.org' }), 0);
    const writesBefore = writes();
    const r = await runCli(['connectivity', '--dir', dir, '--kubeconfig', kubeconfig, '--from', 'test1/busybox-test1-a', '--to', 'test2/busybox-test2-a', '--json'], { env: { HOME: tmp } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { connections: { from: string; to: string; allowed: Record<string, unknown> }[] };
    expect(out.connections).toEqual([
      expect.objectContaining({ from: 'test1/busybox-test1-a', to: 'test2/busybox-test2-a', allowed: expect.objectContaining({ TCP: '5432', UDP: '', ICMP: false }) as unknown }),
    ]);
    // Read live, and only read.
    expect(sim.requestCount({ verb: 'list', resource: 'pods', group: '' })).toBeGreaterThan(podLists);
    expect(writes()).toBe(writesBefore);
  }, 60_000);
});
