import { afterAll, describe, expect, it } from 'vitest';
import { SourceError } from '../../agent/domain/errors.js';
import { parseRollbackTrailer } from '../../agent/domain/rollback-trailer.js';
import { prepareRevert, revertCommits, rollbackMessage, type RevertOptions } from '../../agent/source/revert.js';
import { cleanupGitFixtures, createRepoWithFiles, createWorkRepo, GIT_TEST_ENV, runGit, samplePolicyYaml, type Remote } from '../support/git-fixtures.js';

afterAll(cleanupGitFixtures);

async function history() {
  const { remote, work, sha: a } = await createRepoWithFiles({ 'a.yaml': samplePolicyYaml('a') }, { message: 'add a' });
  const b = await work.commitAndPush({ files: { 'b.yaml': samplePolicyYaml('b') }, message: 'add b' });
  const c = await work.commitAndPush({ files: { 'a.yaml': samplePolicyYaml('a', { order: 5 }) }, message: 'tune a' });
  return { remote, a, b, c };
}

const opts = (remote: Remote, shas: string[], over: Partial<RevertOptions> = {}): RevertOptions => ({
  url: remote.url,
  branch: 'main',
  shas,
  author: { name: 'Rollback Bot', email: 'bot@example.test' },
  push: true,
  gitEnv: GIT_TEST_ENV,
  ...over,
});

async function filesAt(remote: Remote, rev: string): Promise<string[]> {
  return (await runGit(['ls-tree', '--name-only', rev], { cwd: remote.dir })).split('\n').filter(Boolean);
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  const err = await p.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SourceError);
  return (err as SourceError).code;
}

describe('revertCommits', () => {
  it('reverts one commit, adds the trailer and pushes', async () => {
    const { remote, b } = await history();
    const result = await revertCommits(opts(remote, [b.slice(0, 10)], { reason: 'requested by ann' }));
    expect(result.reverted).toEqual([b]);
    expect((await remote.heads())['main']).toBe(result.sha);
    expect(await filesAt(remote, result.sha)).toEqual(['a.yaml']);
    const message = await runGit(['log', '-1', '--format=%B', result.sha], { cwd: remote.dir });
    expect(message).toMatch(/^Revert "add b"\n/);
    expect(message).toContain('requested by ann');
    expect(parseRollbackTrailer(message)).toEqual([b]);
    const author = await runGit(['log', '-1', '--format=%an <%ae>', result.sha], { cwd: remote.dir });
    expect(author.trim()).toBe('Rollback Bot <bot@example.test>');
  });

  it('reverts several commits newest first in one commit', async () => {
    const { remote, b, c } = await history();
    const result = await revertCommits(opts(remote, [b, c]));
    expect(result.reverted).toEqual([c, b]);
    expect(result.message.split('\n')[0]).toBe('Revert 2 commits');
    expect(parseRollbackTrailer(result.message)).toEqual([c, b]);
    expect(await runGit(['show', `${result.sha}:a.yaml`], { cwd: remote.dir })).toBe(samplePolicyYaml('a'));
    expect(await filesAt(remote, result.sha)).toEqual(['a.yaml']);
  });

  it('does not push when push is false', async () => {
    const { remote, b, c } = await history();
    const result = await revertCommits(opts(remote, [b], { push: false }));
    expect(result.pushed).toBe(false);
    expect((await remote.heads())['main']).toBe(c);
  });

  it.each([
    ['a commit not on the branch', 'not-found', async (r: Remote) => {
      const other = await createWorkRepo({ remote: r });
      return other.commit({ files: { 'x.yaml': 'x: 1\n' }, message: 'elsewhere' });
    }],
    ['an unknown sha', 'not-found', async () => 'deadbeefdeadbeef'],
  ])('refuses %s (%s)', async (_name, code, sha) => {
    const { remote } = await history();
    expect(await codeOf(revertCommits(opts(remote, [await sha(remote)])))).toBe(code);
  });

  it('reports a conflict with later changes', async () => {
    const { remote, a } = await history();
    expect(await codeOf(revertCommits(opts(remote, [a])))).toBe('revert-conflict');
  });

  it('reports a revert that changes nothing', async () => {
    const { remote, b } = await history();
    await revertCommits(opts(remote, [b]));
    expect(await codeOf(revertCommits(opts(remote, [b])))).toBe('nothing-to-revert');
  });
});

describe('prepareRevert', () => {
  it('refuses a merge commit and names it', async () => {
    const { remote, work } = await createRepoWithFiles({ 'a.yaml': samplePolicyYaml('a') }, { message: 'add a' });
    await work.git(['checkout', '--quiet', '-b', 'side']);
    await work.commit({ files: { 'b.yaml': samplePolicyYaml('b') }, message: 'add b on a side branch' });
    await work.git(['checkout', '--quiet', 'main']);
    await work.commit({ files: { 'c.yaml': samplePolicyYaml('c') }, message: 'add c' });
    await work.git(['merge', '--quiet', '--no-ff', '-m', 'merge side', 'side']);
    await work.push();
    const merge = await work.head();
    const err = await prepareRevert({ ...opts(remote, []), target: { mode: 'revert', shas: [merge] } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'merge-commit', message: expect.stringContaining(`${merge.slice(0, 12)} is a merge commit`) });
    expect((await remote.heads())['main']).toBe(merge);
  });

  it('with `to`, restores the folder as it was in one commit naming every later commit, and pushes only when asked', async () => {
    const { remote, work, sha: a } = await createRepoWithFiles({ 'policies/a.yaml': samplePolicyYaml('a'), 'README.md': 'v1\n' }, { message: 'add a' });
    const b = await work.commitAndPush({ files: { 'policies/b.yaml': samplePolicyYaml('b'), 'README.md': 'v2\n' }, message: 'add b' });
    const c = await work.commitAndPush({ files: { 'policies/a.yaml': samplePolicyYaml('a', { order: 5 }) }, message: 'tune a' });
    const prepared = await prepareRevert({ ...opts(remote, []), target: { mode: 'to', sha: a.slice(0, 8), path: 'policies' } });
    try {
      expect(prepared.reverted).toEqual([c, b]);
      expect(prepared.parent).toBe(c);
      expect(prepared.message.split('\n')[0]).toBe(`Roll back policies to ${a.slice(0, 12)} "add a"`);
      expect(parseRollbackTrailer(prepared.message)).toEqual([c, b]);
      expect((await remote.heads())['main']).toBe(c);
      await prepared.push();
    } finally {
      await prepared.cleanup();
    }
    expect((await remote.heads())['main']).toBe(prepared.sha);
    expect((await runGit(['ls-tree', '-r', '--name-only', prepared.sha], { cwd: remote.dir })).split('\n').filter(Boolean)).toEqual(['README.md', 'policies/a.yaml']);
    expect(await runGit(['show', `${prepared.sha}:policies/a.yaml`], { cwd: remote.dir })).toBe(samplePolicyYaml('a'));
    // Outside the policy folder nothing is rolled back.
    expect(await runGit(['show', `${prepared.sha}:README.md`], { cwd: remote.dir })).toBe('v2\n');
  });

  it('refuses `to` the head itself, and a push after the branch moved', async () => {
    const { remote, work, sha: a } = await createRepoWithFiles({ 'a.yaml': samplePolicyYaml('a') }, { message: 'add a' });
    expect(await codeOf(prepareRevert({ ...opts(remote, []), target: { mode: 'to', sha: a, path: '.' } }))).toBe('nothing-to-revert');
    const b = await work.commitAndPush({ files: { 'b.yaml': samplePolicyYaml('b') }, message: 'add b' });
    const prepared = await prepareRevert({ ...opts(remote, []), target: { mode: 'revert', shas: [b] } });
    try {
      const c = await work.commitAndPush({ files: { 'c.yaml': samplePolicyYaml('c') }, message: 'add c meanwhile' });
      const err = await prepared.push().catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'push-rejected', message: expect.stringContaining('non-fast-forward') });
      expect((await remote.heads())['main']).toBe(c);
    } finally {
      await prepared.cleanup();
    }
  });
});

describe('rollbackMessage / parseRollbackTrailer', () => {
  it.each([
    [['a'.repeat(40)], ['fix'], 'Calico-GitOps-Rollback-Of: ' + 'a'.repeat(40)],
    [['a'.repeat(40), 'b'.repeat(40)], ['x', 'y'], `Calico-GitOps-Rollback-Of: ${'a'.repeat(40)}, ${'b'.repeat(40)}`],
  ])('round-trips %j', (shas, subjects, trailer) => {
    const message = rollbackMessage({ shas, subjects });
    expect(message.trimEnd().split('\n').at(-1)).toBe(trailer);
    expect(parseRollbackTrailer(message)).toEqual(shas);
  });

  it.each([
    ['an ordinary message', 'add policy\n\nSigned-off-by: x'],
    ['a trailer quoted in the body, not the last paragraph', `explain\n\nCalico-GitOps-Rollback-Of: ${'a'.repeat(40)}\n\nSigned-off-by: x`],
    ['a subject line only', `Calico-GitOps-Rollback-Of: ${'a'.repeat(40)}`],
    ['a value that is not a sha', 'x\n\nCalico-GitOps-Rollback-Of: HEAD~1'],
  ])('finds no trailer in %s', (_name, message) => {
    expect(parseRollbackTrailer(message)).toEqual([]);
  });
});
