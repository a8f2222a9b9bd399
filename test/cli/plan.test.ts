// `calico-gitops plan` end to end: the real CLI in a child process, the simulator over HTTP.
import { cp, mkdtemp, rm, writeFile, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type KubeSim } from '../kube-sim/index.js';
import { KINDS } from '../../agent/domain/kinds.js';
import { adminRequest, applyWith, ensureNamespace } from '../live/sim-apply.js';
import { desiredFrom, fixtureFiles, FIXTURE_DIR, planAgainst, version } from '../live/round-trip.js';

const cli = (args: string[]) => runCli(['plan', ...args], { env: { HOME: tmp } });
/**
 * A test's time budget, counted in CLI runs: each run is a new process (tsx and every command's
 * modules, about 4 s of CPU), 12 s of wall time at load 10 on two cores, so three runs overran the
 * default 30 s under load. Not a race: each run lists the cluster afresh, after the writes returned.
 */
const budget = (cliRuns: number) => cliRuns * 30_000;

let sim: KubeSim;
let tmp = '';
let kubeconfig = '';

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'cli-plan-'));
  sim = await startCluster({ calicoVersion: 'v3.31.2' });
  kubeconfig = join(tmp, 'kubeconfig');
  await sim.writeKubeconfig(kubeconfig);
});
afterAll(async () => {
  await sim.close();
  await rm(tmp, { recursive: true, force: true });
});

/** Applies the fixture like the executor: calicoctl for Calico kinds; Kubernetes NetworkPolicies as kubectl's POST. */
async function applyFixture(): Promise<void> {
  const v = version('v3.31.2');
  const plan = planAgainst(desiredFrom(fixtureFiles(v), v), { isSynced: () => true, get: () => undefined, list: () => [] });
  const writes = plan.steps.filter((s) => s.action !== 'delete');
  await applyWith(sim, 'calicoctl', writes.filter((s) => !KINDS[s.kindId].appliedByKubectl).map((s) => s.manifest));
  for (const s of writes.filter((w) => KINDS[w.kindId].appliedByKubectl)) {
    const ns = s.manifest.metadata.namespace ?? 'default';
    await ensureNamespace(sim, ns);
    const annotations = { ...s.manifest.metadata.annotations, 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(s.manifest) };
    await adminRequest(sim, 'POST', `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`, { ...s.manifest, metadata: { ...s.manifest.metadata, annotations } });
  }
}

describe('calico-gitops plan', () => {
  it('exits 2 with a plain diff and the summary when everything is to be created', async () => {
    const r = await cli(['--dir', FIXTURE_DIR, '--kubeconfig', kubeconfig]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(2);
    expect(r.stdout).not.toContain('\u001b[');
    expect(r.stdout).toContain('+ create Tier security');
    expect(r.stdout).toContain('+ create NetworkPolicy test1/allow-web');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('8 to create, 0 to update, 0 to delete (0 unchanged)');
  });

  it('exits 0 once the cluster holds what the repository says, then 2 with a diff after a change by hand', async () => {
    await applyFixture();
    const inSync = await cli(['--dir', FIXTURE_DIR, '--kubeconfig', kubeconfig]);
    expect(inSync.stdout.trimEnd().split('\n').at(-1)).toBe('0 to create, 0 to update, 0 to delete (8 unchanged)');
    expect(inSync.code).toBe(0);

    const path = '/apis/crd.projectcalico.org/v1/namespaces/test1/networkpolicies/default.allow-web';
    const stored = (await adminRequest(sim, 'GET', path)) as { spec: { ingress: { action: string }[] } };
    await adminRequest(sim, 'PUT', path, { ...stored, spec: { ...stored.spec, ingress: stored.spec.ingress.map((r) => ({ ...r, action: 'Allow' })) } });
    const drift = await cli(['--dir', FIXTURE_DIR, '--kubeconfig', kubeconfig]);
    expect(drift.code).toBe(2);
    expect(drift.stdout).toContain('~ update NetworkPolicy test1/allow-web');
    expect(drift.stdout).toMatch(/^ {4}- +- action: Allow$/m);
    expect(drift.stdout).toMatch(/^ {4}\+ +- action: Deny$/m);
    expect(drift.stdout).toContain('0 to create, 1 to update, 0 to delete (7 unchanged)');

    const json = await cli(['--dir', FIXTURE_DIR, '--kubeconfig', kubeconfig, '--json']);
    expect(json.code).toBe(2);
    const plan = JSON.parse(json.stdout) as { id: string; steps: { action: string; key: string }[] };
    expect(plan.steps.map((s) => `${s.action} ${s.key}`)).toEqual(['update NetworkPolicy/test1/allow-web']);
    expect(plan.id).toMatch(/^[0-9a-f]{16}$/);
  }, budget(3));

  it('exits 1 with file:line for an invalid repository', async () => {
    const dir = join(tmp, 'invalid');
    await cp(FIXTURE_DIR, dir, { recursive: true });
    await writeFile(join(dir, 'bad.yaml'), 'apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: bad\nspec:\n  selector: app ==\n');
    const r = await cli(['--dir', dir, '--kubeconfig', kubeconfig]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/repository is invalid/);
    expect(r.stderr).toMatch(/bad\.yaml:6:\d+: error: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 1 with one clear line when the cluster is unreachable', async () => {
    const dead = join(tmp, 'dead-kubeconfig');
    await writeFile(dead, (await import('node:fs')).readFileSync(kubeconfig, 'utf8').replace(/127\.0\.0\.1:\d+/, '127.0.0.1:1'));
    const r = await cli(['--dir', FIXTURE_DIR, '--kubeconfig', dead]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^calico-gitops plan: API discovery: cannot reach the Kubernetes API server at http:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)/);
  });

  it('exits 1 saying "forbidden" for an identity without read rights, and never prints its token', async () => {
    await ensureNamespace(sim, 'nobody');
    await adminRequest(sim, 'POST', '/api/v1/namespaces/nobody/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'nobody', namespace: 'nobody' } });
    const file = join(tmp, 'nobody-kubeconfig');
    await sim.writeKubeconfig(file, { serviceAccount: { namespace: 'nobody', name: 'nobody' } });
    const r = await cli(['--dir', FIXTURE_DIR, '--kubeconfig', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/forbidden/i);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toContain(sim.serviceAccountToken('nobody', 'nobody'));
  });

  it('exits 1 for bad usage', async () => {
    const r = await cli(['--kubeconfig', kubeconfig]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('give exactly one of --dir DIR or --repo URL');
    await unlink(join(tmp, 'dead-kubeconfig')).catch(() => undefined);
  });
});

describe('runPlan output', () => {
  const capture = (tty: boolean, colors: boolean) => {
    let out = '';
    let err = '';
    return {
      io: { stdout: { isTTY: tty, hasColors: () => colors, write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) } },
      out: () => out,
      err: () => err,
    };
  };

  it.each([
    [true, true, true],
    // NO_COLOR (hasColors() false) or not a terminal: plain text.
    [true, false, false],
    [false, true, false],
  ])('tty %s, colours %s → ANSI %s', async (tty, colors, ansi) => {
    const { runPlan } = await import('../../agent/cli/commands/plan.js');
    const c = capture(tty, colors);
    const code = await runPlan({ dir: FIXTURE_DIR, kubeconfig }, c.io);
    expect(c.err()).toBe('');
    expect(code).toBe(2);
    expect(c.out().includes('\u001b[')).toBe(ansi);
  });
});

describe('calico-gitops plan: partial rights and adoption', () => {
  it('exits 1 naming the collection it may not list when the live view cannot sync', async () => {
    await ensureNamespace(sim, 'half');
    await adminRequest(sim, 'POST', '/api/v1/namespaces/half/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'half', namespace: 'half' } });
    // May read ClusterInformation and every Calico policy kind, but not HostEndpoints.
    const resources = ['clusterinformations', 'tiers', 'globalnetworksets', 'networksets', 'globalnetworkpolicies', 'networkpolicies', 'stagedglobalnetworkpolicies', 'stagednetworkpolicies', 'stagedkubernetesnetworkpolicies'];
    await adminRequest(sim, 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'half-reader' },
      rules: [
        { apiGroups: ['crd.projectcalico.org'], resources, verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'list', 'watch'] },
      ],
    });
    await adminRequest(sim, 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'half-reader' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'half-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'half', namespace: 'half' }],
    });
    const file = join(tmp, 'half-kubeconfig');
    await sim.writeKubeconfig(file, { serviceAccount: { namespace: 'half', name: 'half' } });
    const r = await cli(['--dir', FIXTURE_DIR, '--kubeconfig', file, '--sync-timeout', '2']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/did not sync within 2s \(crd\.projectcalico\.org\/v1 hostendpoints: .*forbidden/i);
  });

  it('reports an unowned object as a conflict, and plans to adopt it with --adopt', async () => {
    await applyWith(sim, 'calicoctl', [
      { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'adopt-me' }, spec: { selector: 'all()', types: ['Ingress'] } },
    ]);
    const dir = join(tmp, 'adopt');
    await cp(FIXTURE_DIR, dir, { recursive: true });
    await writeFile(join(dir, 'adopt.yaml'), 'apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: adopt-me\nspec:\n  selector: all()\n  order: 1\n');
    const conflict = await cli(['--dir', dir, '--kubeconfig', kubeconfig]);
    expect(conflict.code).toBe(2);
    expect(conflict.stdout).toMatch(/! skipped update GlobalNetworkPolicy adopt-me \(not-owned\): .*--adopt/);
    const adopt = await cli(['--dir', dir, '--kubeconfig', kubeconfig, '--adopt', '--json']);
    const plan = JSON.parse(adopt.stdout) as { steps: { action: string; key: string; manifest: { metadata: { annotations: Record<string, string> } } }[]; skipped: unknown[] };
    const step = plan.steps.find((s) => s.key === 'GlobalNetworkPolicy//adopt-me');
    expect(step?.action).toBe('update');
    expect(step?.manifest.metadata.annotations['calico-gitops.io/owner']).toBe('calico-gitops');
    expect(plan.skipped).toEqual([]);
  }, budget(2));
});
