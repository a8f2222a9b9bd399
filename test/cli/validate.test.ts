// `calico-gitops validate` end to end: a real process, real directories, exit codes and output.
import { cp, mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../support/cli.js';

const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { env });

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'validate-cli-'));
  await mkdir(join(dir, 'bad'));
  await writeFile(
    join(dir, 'bad', 'a.yaml'),
    'apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: allow-ssh\nspec:\n  selector: all()\n  ingress:\n    - action: allow\n      protocol: TCP\n      destination:\n        ports: [22]\n',
  );
  await writeFile(join(dir, 'bad', 'b.yaml'), 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: calico-test\n');
  await mkdir(join(dir, 'big'));
  await writeFile(join(dir, 'big', 'huge.yaml'), `# ${'x'.repeat(2 * 1024 * 1024)}\n`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('calico-gitops validate', () => {
  it('exits 0 on the example repository and counts resources by kind', async () => {
    const { code, stdout, stderr } = await cli(['validate', 'policies']);
    expect(stderr).toBe('');
    expect(stdout).toBe('9 resources valid (2 GlobalNetworkPolicy, 1 GlobalNetworkSet, 1 HostEndpoint, 4 NetworkPolicy, 1 Tier)\n');
    expect(code).toBe(0);
  });

  it('exits 1 and prints every problem as path:line:col, then a summary', async () => {
    const { code, stdout } = await cli(['validate', join(dir, 'bad')]);
    expect(stdout.split('\n')).toEqual([
      `${dir}/bad/a.yaml:8:15: error: action "allow" is not one of Allow, Deny, Log, Pass (case-sensitive) (did you mean "Allow"?) (at spec.ingress[0].action)`,
      `${dir}/bad/b.yaml:2:7: error: unsupported resource ClusterRoleBinding (rbac.authorization.k8s.io/v1): calico-gitops accepts projectcalico.org/v3 policy kinds and networking.k8s.io/v1 NetworkPolicy (at kind)`,
      '2 errors in 2 files',
      '',
    ]);
    expect(code).toBe(1);
  });

  it('prints GitHub annotations with --format github', async () => {
    const { code, stdout } = await cli(['validate', join(dir, 'bad'), '--format', 'github']);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe(
      `::error file=${dir}/bad/a.yaml,line=8,col=15::action "allow" is not one of Allow, Deny, Log, Pass (case-sensitive) (did you mean "Allow"?) (at spec.ingress[0].action)`,
    );
    expect(lines[1]).toMatch(/^::error file=.*\/bad\/b\.yaml,line=2,col=7::unsupported resource ClusterRoleBinding/);
    expect(code).toBe(1);
  });

  it('prints JSON with --json (valid and invalid)', async () => {
    const bad = await cli(['validate', join(dir, 'bad'), '--json']);
    const report = JSON.parse(bad.stdout) as { valid: boolean; errors: { file: string; line: number; column: number; code: string }[]; summary: string };
    expect(report.valid).toBe(false);
    expect(report.errors.map((e) => [e.line, e.column, e.code])).toEqual([
      [8, 15, 'action'],
      [2, 7, 'kind'],
    ]);
    expect(bad.code).toBe(1);

    const good = await cli(['validate', 'policies', '--format', 'json']);
    const ok = JSON.parse(good.stdout) as { valid: boolean; calicoVersion: string; counts: Record<string, number>; resources: { key: string; file: string; line: number }[] };
    expect(ok.valid).toBe(true);
    expect(ok.calicoVersion).toBe('v3.31.2');
    expect(ok.counts).toEqual({ GlobalNetworkPolicy: 2, GlobalNetworkSet: 1, HostEndpoint: 1, NetworkPolicy: 4, Tier: 1 });
    expect(ok.resources.find((r) => r.key === 'HostEndpoint//worker-1-eth0')).toMatchObject({ file: 'policies/hosts/worker-1-eth0.yaml', line: 4 });
    expect(good.code).toBe(0);
  });

  it('validates for the Calico version given by flag or environment', async () => {
    const flag = await cli(['validate', 'policies', '--calico-version', 'v3.28.0']);
    expect(flag.stdout).toContain('policies/cluster/tier-platform.yaml:6:7: error: Tier needs Calico v3.29 or later; validating for v3.28.0');
    expect(flag.code).toBe(1);
    const env = await cli(['validate', 'policies'], { CALICO_GITOPS_CALICO_VERSION: '3.28' });
    expect(env.stdout).toContain('validating for v3.28.0');
    expect(env.code).toBe(1);
  });

  it('reports a file over the size limit without a line, in text and GitHub formats', async () => {
    const text = await cli(['validate', join(dir, 'big')]);
    expect(text.stdout).toBe(`${dir}/big/huge.yaml: error: file is 2097155 bytes, more than the limit of 1048576 bytes; it was not read\n1 error in 1 file\n`);
    expect(text.code).toBe(1);
    const github = await cli(['validate', join(dir, 'big'), '--format', 'github']);
    expect(github.stdout.split('\n')[0]).toBe(`::error file=${dir}/big/huge.yaml::file is 2097155 bytes, more than the limit of 1048576 bytes; it was not read`);
  });

  it('warns when the directory holds no policy files', async () => {
    await mkdir(join(dir, 'empty'));
    const { code, stdout } = await cli(['validate', join(dir, 'empty')]);
    expect(stdout).toBe(`warning: no policy files (*.yaml, *.yml) found in ${dir}/empty\n0 resources valid, 1 warning\n`);
    expect(code).toBe(0);
  });

  // One CLI run per case: each is a process start, slow on a busy machine.
  it.each([
    ['a bad --format', ['policies', '--format', 'xml'], /^calico-gitops validate: --format must be one of text, json, github\n$/],
    ['a missing directory', ['nope'], /^calico-gitops validate: cannot read policy directory .*nope: ENOENT/],
    ['a bad --calico-version', ['policies', '--calico-version', 'latest'], /--calico-version must be a version such as v3\.31\.2/],
  ])('exits 1 with a message on %s', async (_what, args, message) => {
    const r = await cli(['validate', ...args.map((a) => (a === 'nope' ? join(dir, 'nope') : a))]);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(1);
  });
});

describe('validate --workloads checks the declared intents', () => {
  const examples = join(REPO_ROOT, 'policies');
  const workloads = join(examples, '.calico-gitops', 'workloads.yaml');

  it('the example repository keeps its intents', async () => {
    const r = await runCli(['validate', examples, '--workloads', workloads]);
    expect(r.stdout).toMatch(/resources valid/);
    expect(r.code).toBe(0);
  });

  it('a change that breaks an intent fails with the intent name, file, line and example peers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'validate-intents-'));
    try {
      await cp(examples, dir, { recursive: true });
      await writeFile(
        join(dir, 'open.yaml'),
        'apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: open-all\nspec:\n  order: 1\n  selector: all()\n  types: [Ingress, Egress]\n  ingress:\n    - action: Allow\n  egress:\n    - action: Allow\n',
      );
      const r = await runCli(['validate', dir, '--workloads', workloads]);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(`${dir}/.calico-gitops/intents.yaml:5:1: error: intent "test1-isolated-from-test2" (expect deny) is violated: test1/busybox-test1-a → test2/busybox-test2-a allows all (allowed by GlobalNetworkPolicy/open-all egress[0], GlobalNetworkPolicy/open-all ingress[0])`);
      const syntax = await runCli(['validate', dir]);
      expect(syntax.code).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
