import { readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SourceError } from '../../agent/domain/errors.js';
import { GitSource, type GitSourceOptions } from '../../agent/source/git-source.js';
import {
  cleanupGitFixtures,
  createRemote,
  createRepoWithFiles,
  createWorkRepo,
  GIT_TEST_ENV,
  makeTempDir,
  samplePolicyYaml,
} from '../support/git-fixtures.js';
import { captureLogger } from './capture-logger.js';

afterAll(cleanupGitFixtures);

async function source(url: string, over: Partial<GitSourceOptions> = {}): Promise<GitSource> {
  return new GitSource({
    url,
    branch: 'main',
    path: '.',
    cacheDir: await makeTempDir('cg-cache-'),
    logger: captureLogger(),
    gitEnv: GIT_TEST_ENV,
    timeoutMs: 10_000,
    ...over,
  });
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(SourceError);
    return (err as SourceError).code;
  }
  throw new Error('expected a SourceError');
}

describe('GitSource', () => {
  it('reads the policy files of the head revision with author and message', async () => {
    const { remote, sha } = await createRepoWithFiles(
      {
        'policies/a.yaml': samplePolicyYaml('a'),
        'policies/sub/b.yml': samplePolicyYaml('b'),
        'policies/README.md': '# not a policy',
        'policies/.hidden/c.yaml': samplePolicyYaml('c'),
        'policies/.d.yaml': samplePolicyYaml('d'),
        'other/e.yaml': samplePolicyYaml('e'),
      },
      { message: 'add policies\n\nCalico-GitOps-Allow-Delete: 2' },
    );
    const src = await source(remote.url, { path: 'policies' });
    expect(await src.headRevision()).toBe(sha);
    const result = await src.latest();
    expect(result.changed).toBe(true);
    expect(result.forcePush).toBe(false);
    expect(result.snapshot.revision).toBe(sha);
    expect(result.snapshot.author).toBe('Test Author <author@example.test>');
    expect(result.snapshot.message).toContain('Calico-GitOps-Allow-Delete: 2');
    expect(result.snapshot.files.map((f) => f.path)).toEqual(['policies/a.yaml', 'policies/sub/b.yml']);
    expect(result.snapshot.files[0]?.content).toBe(samplePolicyYaml('a'));
    expect(result.snapshot.files[0]?.blob).toMatch(/^[0-9a-f]{40}$/);
    expect(result.snapshot.issues.errors).toEqual([]);
  });

  it('returns the cached snapshot without fetching when the head did not move', async () => {
    const { remote } = await createRepoWithFiles({ 'a.yaml': samplePolicyYaml('a') });
    const src = await source(remote.url);
    const first = await src.latest();
    const second = await src.latest();
    expect(second.changed).toBe(false);
    expect(second.snapshot).toBe(first.snapshot);
  });

  it('reads only changed blobs for a new revision', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 20; i++) files[`p/${i}.yaml`] = samplePolicyYaml(`p${i}`);
    const { remote, work } = await createRepoWithFiles(files);
    const src = await source(remote.url);
    await src.latest();
    expect(src.lastStats).toMatchObject({ policyFiles: 20, blobsRead: 20, blobsReused: 0 });

    const sha = await work.commitAndPush({ files: { 'p/3.yaml': samplePolicyYaml('p3', { order: 7 }), 'p/new.yaml': samplePolicyYaml('new') } });
    const next = await src.latest();
    expect(next.snapshot.revision).toBe(sha);
    expect(next.snapshot.files).toHaveLength(21);
    expect(src.lastStats).toMatchObject({ policyFiles: 21, blobsRead: 2, blobsReused: 19 });
    expect(next.snapshot.files.find((f) => f.path === 'p/3.yaml')?.content).toContain('order: 7');
  });

  it('honours .calico-gitops-ignore in the policy root', async () => {
    const { remote } = await createRepoWithFiles({
      '.calico-gitops-ignore': '# drafts are not applied\ndrafts/\n*.draft.yaml\n!keep.draft.yaml\n',
      'a.yaml': samplePolicyYaml('a'),
      'drafts/b.yaml': samplePolicyYaml('b'),
      'c.draft.yaml': samplePolicyYaml('c'),
      'keep.draft.yaml': samplePolicyYaml('k'),
    });
    const src = await source(remote.url);
    const { snapshot } = await src.latest();
    expect(snapshot.files.map((f) => f.path)).toEqual(['a.yaml', 'keep.draft.yaml']);
  });

  it('flags oversized and non-UTF-8 files as errors instead of silently skipping them', async () => {
    const { remote } = await createRepoWithFiles({ 'a.yaml': samplePolicyYaml('a'), 'big.yaml': `# ${'x'.repeat(5000)}\n` });
    const work = await createWorkRepo({ remote });
    await work.git(['pull', '--quiet', 'origin', 'main']);
    await writeFile(join(work.dir, 'latin1.yaml'), Buffer.from([0x23, 0x20, 0xe9, 0x0a]));
    await symlink('a.yaml', join(work.dir, 'link.yaml'));
    await work.write({ 'node_modules/x/p.yaml': samplePolicyYaml('nm') });
    await work.commitAndPush({ message: 'latin1' });
    const src = await source(remote.url, { limits: { maxFileBytes: 4096 } });
    const { snapshot } = await src.latest();
    expect(snapshot.files.map((f) => f.path)).toEqual(['a.yaml']);
    expect(snapshot.issues.errors.map((e) => [e.file, e.code])).toEqual([
      ['link.yaml', 'symlink'],
      ['big.yaml', 'limit-file-size'],
      ['latin1.yaml', 'not-utf8'],
    ]);
    expect(snapshot.issues.warnings).toEqual([]);
  });

  it('refuses a submodule and a ".." tree entry under the policy folder, naming each', async () => {
    const { remote, work } = await createRepoWithFiles({ 'policies/a.yaml': samplePolicyYaml('a'), 'policies/.hidden/link.yaml': 'x' });
    // A crafted tree (git itself never makes one): a ".." directory and a submodule next to a.yaml.
    const blob = (await work.git(['hash-object', '-w', '--stdin'], { input: samplePolicyYaml('evil') })).trim();
    const inner = (await work.git(['mktree'], { input: `100644 blob ${blob}\tevil.yaml\n` })).trim();
    const head = (await work.git(['rev-parse', 'HEAD'])).trim();
    const policies = (await work.git(['rev-parse', 'HEAD:policies'])).trim();
    const listing = await work.git(['ls-tree', policies]);
    const tree = (await work.git(['mktree'], { input: `${listing}040000 tree ${inner}\t..\n160000 commit ${head}\tvendored\n` })).trim();
    const root = (await work.git(['mktree'], { input: `040000 tree ${tree}\tpolicies\n` })).trim();
    const commit = (await work.git(['commit-tree', root, '-p', head, '-m', 'crafted'])).trim();
    await work.git(['push', '--quiet', 'origin', `${commit}:refs/heads/main`]);
    const src = await source(remote.url, { path: 'policies' });
    const { snapshot } = await src.latest();
    expect(snapshot.revision).toBe(commit);
    expect(snapshot.issues.errors.map((e) => [e.file, e.line, e.code])).toEqual([
      ['policies/../evil.yaml', 0, 'unsafe-path'],
      ['policies/vendored', 0, 'submodule'],
    ]);
    expect(snapshot.files.map((f) => f.path)).toEqual(['policies/a.yaml']);
  });

  it('flags a force-push and still returns the new snapshot', async () => {
    const { remote, work, sha: first } = await createRepoWithFiles({ 'a.yaml': samplePolicyYaml('a') });
    const src = await source(remote.url);
    await src.latest();
    const second = await work.commitAndPush({ files: { 'b.yaml': samplePolicyYaml('b') } });
    const normal = await src.latest();
    expect(normal).toMatchObject({ forcePush: false, previous: first });
    src.markApplied(second);

    await work.resetHard(first);
    const rewritten = await work.commit({ files: { 'c.yaml': samplePolicyYaml('c') }, message: 'rewrite' });
    await work.push({ force: true });
    const result = await src.latest();
    expect(result.forcePush).toBe(true);
    expect(result.previous).toBe(second);
    expect(result.snapshot.revision).toBe(rewritten);
    expect(result.snapshot.files.map((f) => f.path)).toEqual(['a.yaml', 'c.yaml']);
  });

  it('a previous revision git cannot compare (unknown to the mirror) is not reported as a force-push', async () => {
    const { remote, work } = await createRepoWithFiles({ 'a.yaml': samplePolicyYaml('a') });
    const lines: string[] = [];
    const src = await source(remote.url, { logger: captureLogger(lines) });
    await src.latest();
    src.markApplied('0123456789abcdef0123456789abcdef01234567');
    const next = await work.commitAndPush({ files: { 'b.yaml': samplePolicyYaml('b') } });
    const result = await src.latest();
    expect(result.forcePush).toBe(false);
    expect(result.snapshot.revision).toBe(next);
    expect(lines.join('\n')).toContain('could not tell whether the new revision descends from the previous one');
    expect(lines.join('\n')).not.toContain('force-push');
  });

  type UrlCase = readonly [string, string, () => Promise<string>, Partial<GitSourceOptions>];
  it.each<UrlCase>([
    ['an empty repository', 'empty-repo', async () => (await createRemote()).url, {}],
    ['a missing branch', 'branch-not-found', async () => (await createRepoWithFiles({ 'a.yaml': 'x: 1\n' })).remote.url, { branch: 'prod' }],
    ['a missing repository', 'unreachable', async () => `file://${await makeTempDir()}/nope.git`, {}],
    ['an unreachable host', 'unreachable', async () => 'http://127.0.0.1:9/repo.git', {}],
  ])('reports %s as %s', async (_name, code, url, over) => {
    const src = await source(await url(), over);
    expect(await codeOf(src.latest())).toBe(code);
  });

  it('reports a missing sub-path as a path-not-found error of the revision', async () => {
    const { remote } = await createRepoWithFiles({ 'a.yaml': samplePolicyYaml('a') });
    const src = await source(remote.url, { path: 'policies' });
    // A problem of that commit (reported on it), not a failure of the source: nothing to apply.
    const { snapshot } = await src.latest();
    expect(snapshot.files).toEqual([]);
    expect(snapshot.issues.errors.map((e) => [e.file, e.line, e.code])).toEqual([['', 0, 'path-not-found']]);
    expect(snapshot.issues.errors[0]?.message).toMatch(/^path policies does not exist at [0-9a-f]{12} of file:\/\//);
  });

  it('keeps credentials in the URL out of messages and the mirror config', async () => {
    const src = await source('http://bob:s3cretTOKEN@127.0.0.1:9/repo.git');
    const err = await src.latest().catch((e: unknown) => e);
    expect(String((err as Error).message)).not.toContain('s3cretTOKEN');
    expect(String((err as Error).message)).toContain('***@127.0.0.1');
    expect(await readFile(join(src.mirrorDir, 'config'), 'utf8')).not.toContain('s3cretTOKEN');
  });
});

describe('GitSource robustness', () => {
  it('serializes concurrent calls on one mirror', async () => {
    const { remote, sha } = await createRepoWithFiles({ 'a.yaml': samplePolicyYaml('a') });
    const src = await source(remote.url);
    const results = await Promise.all([src.latest(), src.latest(), src.fetch(), src.latest()]);
    expect(results.map((r) => (typeof r === 'string' ? r : r.snapshot.revision))).toEqual([sha, sha, sha, sha]);
    expect(results.filter((r) => typeof r !== 'string' && r.changed)).toHaveLength(1);
  });

  it('kills a git process that hangs and reports a timeout', async () => {
    const { createServer } = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const server = createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as import('node:net').AddressInfo;
    try {
      const src = await source(`http://127.0.0.1:${port}/repo.git`, { timeoutMs: 500 });
      const err = await src.headRevision().catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'SourceError', code: 'timeout', disposition: 'transient' });
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });

  it('stops at once when the abort signal fires', async () => {
    const { createServer } = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const server = createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as import('node:net').AddressInfo;
    const ac = new AbortController();
    try {
      const src = await source(`http://127.0.0.1:${port}/repo.git`, { timeoutMs: 20_000, signal: ac.signal });
      const pending = src.headRevision().catch((e: unknown) => e);
      setTimeout(() => ac.abort(), 200);
      expect(await pending).toMatchObject({ name: 'SourceError', code: 'aborted' });
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });

  it('passes the SSH key and host key options to ssh and reports a refused key as auth', async () => {
    // A stand-in `ssh` on PATH records its arguments and refuses like a server would.
    const bin = await makeTempDir('cg-bin-');
    const log = join(bin, 'ssh-args');
    await writeFile(join(bin, 'ssh'), `#!/bin/sh\necho "$@" > '${log}'\necho 'git@example.test: Permission denied (publickey).' >&2\nexit 255\n`, { mode: 0o755 });
    const src = await source('ssh://git@example.test/acme/policies.git', {
      baseEnv: { PATH: `${bin}:/usr/bin:/bin` },
      credentials: { kind: 'ssh', keyFile: '/secrets/id_ed25519', knownHostsFile: '/secrets/known_hosts' },
    });
    const err = await src.headRevision().catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'SourceError', code: 'auth', disposition: 'stalled' });
    const args = await readFile(log, 'utf8');
    expect(args).toContain('-i /secrets/id_ed25519');
    expect(args).toContain('StrictHostKeyChecking=yes');
    expect(args).toContain('UserKnownHostsFile=/secrets/known_hosts');
    expect(args).toContain('git@example.test');
  });
});
