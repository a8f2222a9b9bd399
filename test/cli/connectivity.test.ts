// `calico-gitops connectivity` as a user runs it: a real process, real files and a real git
// repository; the peer analyzer's cases from ../shared/connectivity/nca as the README says.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../support/cli.js';
import { compareCase, NCA_ROOT, type ExpectedCase } from '../connectivity/nca-support.js';
import { readFileSync } from 'node:fs';

const run = promisify(execFile);
const POLICIES = join(REPO_ROOT, 'policies');
const WORKLOADS = join(POLICIES, '.calico-gitops', 'workloads.yaml');
let tmp = '';
const cli = (...args: string[]) => runCli(['connectivity', ...args], { env: { HOME: tmp } });

interface Entry {
  from: string;
  to: string;
  allowed: Record<string, string | boolean>;
  why: Record<string, { by: string }[]>;
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'cli-connectivity-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('connectivity on the analyzer cases', () => {
  it.each(['calico-tc18-ports-pass', 'calico-tc25-k8s-and-calico', 'k8s-fw-test19-ns-selectors'])('%s: --json gives the expected pod pairs', async (name) => {
    const dir = join(NCA_ROOT, name);
    const r = await cli('--dir', join(dir, 'policies'), '--workloads', join(dir, 'workloads.yaml'), '--calico-version', 'v3.31.0', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as ExpectedCase;
    const pods = new Set(expected.pods);
    const entries = (JSON.parse(r.stdout) as { connections: Entry[] }).connections.filter((c) => pods.has(c.from) && pods.has(c.to));
    expect(compareCase(expected, new Map(entries.map((e) => [`${e.from} -> ${e.to}`, e.allowed])))).toEqual([]);
  });
});

describe('connectivity on the example repository', () => {
  it('prints connections grouped by namespace and label class', async () => {
    const r = await cli('--dir', POLICIES, '--workloads', WORKLOADS);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^namespace test1:\n {2}test1 \{app=busybox\} \(2 pods: busybox-test1-a, busybox-test1-b\)\n {4}→ kube-system \{k8s-app=kube-dns\}.*TCP 53; UDP 53/m);
    // Nothing from test1's class reaches test2 (the lines under its heading).
    expect(r.stdout).not.toMatch(/^ {2}test1 \{app=busybox\}[^\n]*\n(?: {4}→[^\n]*\n)* {4}→ test2/m);
    expect(r.stdout).toMatch(/peer pairs with connections allowed\n$/);
  });

  it('--from and --to narrow the list; JSON follows the contract', async () => {
    const r = await cli('--dir', POLICIES, '--workloads', WORKLOADS, '--from', 'test1/busybox-test1-a', '--json');
    expect(r.code).toBe(0);
    const { connections } = JSON.parse(r.stdout) as { connections: Entry[] };
    expect(connections.map((c) => c.to)).toEqual(['kube-system/coredns-5d78c9869d-abcde', 'test1/busybox-test1-b']);
    expect(connections[0]?.allowed).toEqual({ TCP: '53', UDP: '53', SCTP: '', ICMP: false, ICMPv6: false, other: false });
    expect(connections[0]?.why['egress']?.map((w) => w.by)).toEqual(['NetworkPolicy/test1/allow-same-namespace egress[1]', 'NetworkPolicy/test1/allow-same-namespace egress[2]']);
    const toTest2 = await cli('--dir', POLICIES, '--workloads', WORKLOADS, '--from', 'test1/*', '--to', 'test2/*', '--json');
    expect(JSON.parse(toTest2.stdout)).toEqual({ connections: [] });
  });

  it('a CIDR peer: SSH from a trusted network to the host endpoint', async () => {
    const r = await cli('--dir', POLICIES, '--workloads', WORKLOADS, '--from', '192.168.100.7/32', '--to', 'hostendpoint/worker-1-eth0', '--json');
    expect(r.code).toBe(0);
    const { connections } = JSON.parse(r.stdout) as { connections: Entry[] };
    expect(connections).toHaveLength(1);
    expect(connections[0]?.allowed['TCP']).toBe('22,179,2379-2380,5473,6443,6666-6667,10250');
  });

  // One CLI run per case: each is a process start, slow on a busy machine.
  it.each([
    ['an unknown peer', ['--from', 'test9/nobody'], '--from: test9/nobody is not a peer'],
    ['both --workloads and --kubeconfig', ['--kubeconfig', '/nonexistent'], 'give exactly one of --workloads FILE or --kubeconfig FILE'],
    ['--diff without --repo', ['--diff', 'a', 'b'], '--diff needs --repo'],
  ])('refuses %s with a clear message (exit 1)', async (_what, args, message) => {
    const r = await cli('--dir', POLICIES, '--workloads', WORKLOADS, ...args);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(message);
  });

  it('reports an invalid policy or workloads file with file and line, and prints nothing else', async () => {
    const bad = join(tmp, 'bad');
    await cp(POLICIES, bad, { recursive: true });
    await writeFile(join(bad, 'broken.yaml'), 'apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: broken\nspec:\n  selector: app ==\n');
    const r = await cli('--dir', bad, '--workloads', WORKLOADS);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/broken\.yaml:6:\d+: error: .*selector/);
    expect(r.stdout).toBe('');
    const badWorkloads = join(tmp, 'workloads.yaml');
    await writeFile(badWorkloads, 'kind: List\nitems:\n  - kind: Pod\n    metadata: {name: [x\n');
    const w = await cli('--dir', POLICIES, '--workloads', badWorkloads);
    expect(w.code).toBe(1);
    expect(w.stderr).toMatch(/workloads\.yaml:\d+:\d+: error:/);
  });
});

describe('connectivity --diff', () => {
  let repo = '';
  let before = '';
  let after = '';
  const gitEnv = () => ({ PATH: process.env['PATH'] ?? '', HOME: tmp, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.com' });
  const git = async (...args: string[]) => (await run('git', ['-C', repo, ...args], { env: gitEnv() })).stdout.trim();
  const opening = readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'cli', 'allow-db.yaml'), 'utf8');

  beforeAll(async () => {
    repo = join(tmp, 'repo');
    await cp(POLICIES, repo, { recursive: true });
    await run('git', ['init', '-q', '-b', 'main', repo], { env: gitEnv() });
    await git('add', '.');
    await git('commit', '-q', '-m', 'story');
    before = await git('rev-parse', 'HEAD');
    await writeFile(join(repo, 'allow-db.yaml'), opening);
    await git('add', '.');
    await git('commit', '-q', '-m', 'open test1 -> test2 TCP 5432');
    after = await git('rev-parse', 'HEAD');
  });

  it('--repo --diff REV1 REV2 prints what opened, with the rule that opened it', async () => {
    const r = await cli('--repo', `file://${repo}`, '--diff', before, after, '--workloads', WORKLOADS);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('+ test1/busybox-test1-a → test2/busybox-test2-a TCP 5432  allowed by GlobalNetworkPolicy/allow-db-out egress[0], GlobalNetworkPolicy/allow-db ingress[0]');
    expect(r.stdout.trim().split('\n').at(-1)).toBe('opens 2, closes 0 connections');
  });

  it('--dir A --dir B the other way round closes them (JSON)', async () => {
    const withDb = join(tmp, 'with-db');
    await cp(POLICIES, withDb, { recursive: true });
    await writeFile(join(withDb, 'allow-db.yaml'), opening);
    const r = await cli('--dir', withDb, '--dir', POLICIES, '--workloads', WORKLOADS, '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { opens: number; closes: number; changes: { from: string; to: string; change: string; closed: Record<string, unknown> }[] };
    expect(out.opens).toBe(0);
    expect(out.closes).toBe(2);
    expect(out.changes.map((c) => [c.from, c.to, c.change, c.closed['TCP']])).toEqual([
      ['test1/busybox-test1-a', 'test2/busybox-test2-a', 'removed', '5432'],
      ['test1/busybox-test1-b', 'test2/busybox-test2-a', 'removed', '5432'],
    ]);
  });
});
