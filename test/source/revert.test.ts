import { afterAll, describe, expect, it } from 'vitest';
import { SourceError } from '../../agent/domain/errors.js';
import { parseRollbackTrailer, revertCommits, rollbackMessage, type RevertOptions } from '../../agent/source/revert.js';
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

describe('rollbackMessage / parseRollbackTrailer', () => {
  it.each([
    [['a'.repeat(40)], ['fix'], 'Calico-GitOps-Rollback-Of: ' + 'a'.repeat(40)],
    [['a'.repeat(40), 'b'.repeat(40)], ['x', 'y'], `Calico-GitOps-Rollback-Of: ${'a'.repeat(40)}, ${'b'.repeat(40)}`],
  ])('round-trips %j', (shas, subjects, trailer) => {
    const message = rollbackMessage({ shas, subjects });
    expect(message.trimEnd().split('\n').at(-1)).toBe(trailer);
    expect(parseRollbackTrailer(message)).toEqual(shas);
  });

  it('finds no trailer in an ordinary message', () => {
    expect(parseRollbackTrailer('add policy\n\nSigned-off-by: x')).toEqual([]);
  });
});
