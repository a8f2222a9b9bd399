// `calico-gitops plan --repo`: a real git repository (file://), the delete budget and the commit
// trailer that releases it.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runCli } from '../support/cli.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type KubeSim } from '../kube-sim/index.js';
import { applyWith } from '../live/sim-apply.js';
import { desiredFrom, fixtureFiles, FIXTURE_DIR, planAgainst, version } from '../live/round-trip.js';
import { KINDS } from '../../agent/domain/kinds.js';

const run = promisify(execFile);
const cli = (args: string[]) => runCli(['plan', ...args], { env: { HOME: tmp } });

let sim: KubeSim;
let tmp = '';
let repo = '';
let kubeconfig = '';

const gitEnv = () => ({
  PATH: process.env['PATH'] ?? '',
  HOME: tmp,
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Platform Team',
  GIT_AUTHOR_EMAIL: 'platform@example.com',
  GIT_COMMITTER_NAME: 'Platform Team',
  GIT_COMMITTER_EMAIL: 'platform@example.com',
});
const git = async (...args: string[]): Promise<string> => (await run('git', ['-C', repo, ...args], { env: gitEnv() })).stdout.trim();

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'cli-plan-repo-'));
  repo = join(tmp, 'policies');
  await cp(FIXTURE_DIR, repo, { recursive: true });
  await run('git', ['init', '-q', '-b', 'main', repo], { env: gitEnv() });
  await git('add', '.');
  await git('commit', '-q', '-m', 'initial policies');
  sim = await startCluster({ calicoVersion: 'v3.31.2' });
  kubeconfig = join(tmp, 'kubeconfig');
  await sim.writeKubeconfig(kubeconfig);
  // The cluster holds everything the first commit says, owned by calico-gitops (Calico kinds only:
  // the Kubernetes NetworkPolicy stays uncreated, so it is one pending create throughout).
  const v = version('v3.31.2');
  const plan = planAgainst(desiredFrom(fixtureFiles(v), v), { isSynced: () => true, get: () => undefined, list: () => [] });
  await applyWith(sim, 'calicoctl', plan.steps.filter((s) => !KINDS[s.kindId].appliedByKubectl).map((s) => s.manifest));
});
afterAll(async () => {
  await sim.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('calico-gitops plan --repo', () => {
  it('plans from the cloned commit, named by its sha', async () => {
    const head = await git('rev-parse', 'HEAD');
    const r = await cli(['--repo', `file://${repo}`, '--kubeconfig', kubeconfig, '--json']);
    expect(r.stderr).toBe('');
    const plan = JSON.parse(r.stdout) as { revision: string; steps: { key: string }[]; unchanged: number };
    expect(plan.revision).toBe(head);
    expect(plan.steps.map((s) => s.key)).toEqual(['KubernetesNetworkPolicy/test2/allow-from-test1']);
    expect(plan.unchanged).toBe(7);
    expect(r.code).toBe(2);
  });

  it('holds a mass delete (and any HostEndpoint delete) until a commit trailer allows it', async () => {
    await git('rm', '-q', 'global.yaml', 'test1.yaml', 'hosts.yaml');
    await git('commit', '-q', '-m', 'drop most policies');
    const held = await cli(['--repo', `file://${repo}`, '--kubeconfig', kubeconfig]);
    expect(held.code).toBe(2);
    expect(held.stdout).toContain('- delete HostEndpoint node1-eth0');
    expect(held.stdout).toMatch(/held \(delete-budget\): it deletes 5 object\(s\), including 1 HostEndpoint/);
    expect(held.stdout).toContain('Calico-GitOps-Allow-Delete: 5');
    expect(held.stdout).toContain('calico-gitops approve');

    await git('commit', '-q', '--allow-empty', '-m', 'confirm the removal', '-m', 'Calico-GitOps-Allow-Delete: 5');
    const released = await cli(['--repo', `file://${repo}`, '--kubeconfig', kubeconfig]);
    expect(released.code).toBe(2);
    expect(released.stdout).not.toContain('held');
    expect(released.stdout).toContain('1 to create, 0 to update, 5 to delete');
  });

  it('plans an older commit with --ref', async () => {
    const first = await git('rev-list', '--max-parents=0', 'HEAD');
    const r = await cli(['--repo', `file://${repo}`, '--ref', first, '--kubeconfig', kubeconfig, '--json']);
    expect((JSON.parse(r.stdout) as { revision: string; unchanged: number }).unchanged).toBe(7);
  });

  it('exits 1 with a clear message for a repository that does not exist', async () => {
    const r = await cli(['--repo', `file://${tmp}/missing`, '--kubeconfig', kubeconfig]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^calico-gitops plan: .*missing/);
  });
});
