// The incremental read (the previous tree plus a diff of the trees, walked through the mirror's
// long-lived cat-file) must give exactly what a fresh source
// listing the whole tree gives, for every kind of change; and must fall back to the whole listing
// where the diff is not enough (ignore rules changed, history rewritten, policy folder gone).
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SourceSnapshot } from '../../agent/domain/source-snapshot.js';
import { GitSource, type GitSourceOptions } from '../../agent/source/git-source.js';
import { cleanupGitFixtures, createRepoWithFiles, GIT_TEST_ENV, makeTempDir, runGit, samplePolicyYaml, type WorkRepo } from '../support/git-fixtures.js';
import { processesIn } from './git-processes.js';
import { captureLogger } from './capture-logger.js';

afterAll(cleanupGitFixtures);

const LIMITS = { maxFileBytes: 4096, maxRepoBytes: 64 * 1024 };

async function source(url: string, over: Partial<GitSourceOptions> = {}): Promise<GitSource> {
  return new GitSource({ url, branch: 'main', path: 'policies', cacheDir: await makeTempDir('cg-cache-'), logger: captureLogger(), gitEnv: GIT_TEST_ENV, timeoutMs: 10_000, limits: LIMITS, ...over });
}

/** What a snapshot says, without the object identities. */
function view(s: SourceSnapshot): unknown {
  return { revision: s.revision, author: s.author, message: s.message, files: s.files, issues: s.issues, intents: s.intents };
}

const INITIAL: Record<string, string> = {
  'policies/a.yaml': samplePolicyYaml('a'),
  'policies/sub/b.yaml': samplePolicyYaml('b'),
  'policies/sub/c.yml': samplePolicyYaml('c'),
  'policies/drafts/d.yaml': samplePolicyYaml('d'),
  'policies/.calico-gitops-ignore': 'drafts/\n',
  'policies/README.md': '# notes\n',
  'other/e.yaml': samplePolicyYaml('e'),
};

interface Case {
  readonly name: string;
  /** Makes and pushes the next commit. */
  readonly step: (work: WorkRepo) => Promise<unknown>;
  /** Read as a diff (true) or as a whole listing (false). */
  readonly incremental: boolean;
  readonly check: (s: SourceSnapshot) => void;
}

const paths = (s: SourceSnapshot): string[] => s.files.map((f) => f.path);
const errorsOf = (s: SourceSnapshot): string[][] => s.issues.errors.map((e) => [e.file, e.code]);

const CASES: Case[] = [
  {
    name: 'a changed file',
    step: (w) => w.commitAndPush({ files: { 'policies/sub/b.yaml': samplePolicyYaml('b', { order: 9 }) } }),
    incremental: true,
    check: (s) => expect(s.files.find((f) => f.path === 'policies/sub/b.yaml')?.content).toContain('order: 9'),
  },
  {
    name: 'a deleted file',
    step: (w) => w.commitAndPush({ files: { 'policies/a.yaml': null } }),
    incremental: true,
    check: (s) => expect(paths(s)).toEqual(['policies/sub/b.yaml', 'policies/sub/c.yml']),
  },
  {
    name: 'a renamed file',
    step: async (w) => {
      await w.git(['mv', 'policies/a.yaml', 'policies/sub/a2.yaml']);
      return w.commitAndPush({ message: 'rename' });
    },
    incremental: true,
    check: (s) => expect(paths(s)).toEqual(['policies/sub/a2.yaml', 'policies/sub/b.yaml', 'policies/sub/c.yml']),
  },
  {
    name: 'an added file, a hidden one and one under node_modules',
    step: (w) => w.commitAndPush({ files: { 'policies/new.yaml': samplePolicyYaml('n'), 'policies/.h/x.yaml': samplePolicyYaml('x'), 'policies/node_modules/y.yaml': samplePolicyYaml('y') } }),
    incremental: true,
    check: (s) => expect(paths(s)).toEqual(['policies/a.yaml', 'policies/new.yaml', 'policies/sub/b.yaml', 'policies/sub/c.yml']),
  },
  {
    name: 'a symlink introduced (an error naming it)',
    step: async (w) => {
      await symlink('a.yaml', join(w.dir, 'policies/link.yaml'));
      return w.commitAndPush({ message: 'link' });
    },
    incremental: true,
    check: (s) => expect(errorsOf(s)).toEqual([['policies/link.yaml', 'symlink']]),
  },
  {
    name: 'a file replaced by a symlink (a type change)',
    step: async (w) => {
      await w.git(['rm', '--quiet', 'policies/sub/c.yml']);
      await symlink('b.yaml', join(w.dir, 'policies/sub/c.yml'));
      return w.commitAndPush({ message: 'type change' });
    },
    incremental: true,
    check: (s) => {
      expect(errorsOf(s)).toEqual([['policies/sub/c.yml', 'symlink']]);
      expect(paths(s)).toEqual(['policies/a.yaml', 'policies/sub/b.yaml']);
    },
  },
  {
    name: 'a file grown past the size limit (not read)',
    step: (w) => w.commitAndPush({ files: { 'policies/a.yaml': `${samplePolicyYaml('a')}# ${'x'.repeat(5000)}\n` } }),
    incremental: true,
    check: (s) => {
      expect(errorsOf(s)).toEqual([['policies/a.yaml', 'limit-file-size']]);
      expect(paths(s)).toEqual(['policies/sub/b.yaml', 'policies/sub/c.yml']);
    },
  },
  {
    name: 'files together past the repository limit',
    step: (w) => w.commitAndPush({ files: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`policies/big/${String(i).padStart(2, '0')}.yaml`, `# ${'x'.repeat(4000)}\n`])) }),
    incremental: true,
    check: (s) => {
      expect(errorsOf(s)).toEqual([['', 'limit-repo-size']]);
      // A whole-repository problem has no file to print: its message names the repository.
      expect(s.issues.errors[0]?.message).toMatch(/^repository file:\/\/\S+: policy files total more than the limit of 65536 bytes/);
    },
  },
  {
    name: 'a file that is not UTF-8',
    step: async (w) => {
      await writeFile(join(w.dir, 'policies/latin1.yaml'), Buffer.from([0x23, 0x20, 0xe9, 0x0a]));
      return w.commitAndPush({ message: 'latin1' });
    },
    incremental: true,
    check: (s) => expect(errorsOf(s)).toEqual([['policies/latin1.yaml', 'not-utf8']]),
  },
  {
    name: 'an intents file added',
    step: (w) => w.commitAndPush({ files: { 'policies/.calico-gitops/intents.yaml': 'intents: []\n' } }),
    incremental: true,
    check: (s) => expect(s.intents).toEqual({ path: 'policies/.calico-gitops/intents.yaml', content: 'intents: []\n' }),
  },
  {
    name: 'a change outside the policy folder only',
    step: (w) => w.commitAndPush({ files: { 'other/e.yaml': samplePolicyYaml('e', { order: 3 }) }, message: 'outside\n\nbody' }),
    incremental: true,
    check: (s) => expect(paths(s)).toEqual(['policies/a.yaml', 'policies/sub/b.yaml', 'policies/sub/c.yml']),
  },
  {
    name: 'a folder inside deleted',
    step: async (w) => {
      await w.git(['rm', '-r', '--quiet', 'policies/sub']);
      return w.commitAndPush({ message: 'no sub' });
    },
    incremental: true,
    check: (s) => expect(paths(s)).toEqual(['policies/a.yaml']),
  },
  {
    name: 'a file replaced by a folder',
    step: (w) => w.commitAndPush({ files: { 'policies/a.yaml': null, 'policies/a.yaml/x.yaml': samplePolicyYaml('x') } }),
    incremental: true,
    check: (s) => expect(paths(s)).toEqual(['policies/a.yaml/x.yaml', 'policies/sub/b.yaml', 'policies/sub/c.yml']),
  },
  {
    name: 'a folder replaced by a file',
    step: async (w) => {
      await w.git(['rm', '-r', '--quiet', 'policies/sub']);
      return w.commitAndPush({ files: { 'policies/sub': samplePolicyYaml('s') } });
    },
    incremental: true,
    check: (s) => expect(paths(s)).toEqual(['policies/a.yaml']),
  },
  {
    name: 'a submodule added (an error naming it)',
    step: async (w) => {
      const inner = join(w.dir, 'policies/vendored');
      await mkdir(inner, { recursive: true });
      await runGit(['init', '--quiet'], { cwd: inner });
      await runGit(['commit', '--quiet', '--allow-empty', '-m', 'inner'], { cwd: inner });
      return w.commitAndPush({ message: 'submodule' });
    },
    incremental: true,
    check: (s) => expect(errorsOf(s)).toEqual([['policies/vendored', 'submodule']]),
  },
  {
    name: 'a file made executable (a mode change only)',
    step: async (w) => {
      await chmod(join(w.dir, 'policies/a.yaml'), 0o755);
      return w.commitAndPush({ message: 'chmod' });
    },
    incremental: true,
    check: (s) => expect(paths(s)).toEqual(['policies/a.yaml', 'policies/sub/b.yaml', 'policies/sub/c.yml']),
  },
  {
    name: 'a push of more than 100 objects (fetch keeps it as a pack)',
    step: (w) => w.commitAndPush({ files: Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`policies/many/${String(i).padStart(3, '0')}.yaml`, samplePolicyYaml(`m${i}`)])) }),
    incremental: true,
    check: (s) => expect(paths(s)).toHaveLength(123),
  },
  {
    name: 'an author with spaces and a message kept verbatim (blank lines, trailing spaces)',
    step: async (w) => {
      await w.write({ 'policies/a.yaml': samplePolicyYaml('a', { order: 4 }) });
      await w.git(['add', '-A']);
      await w.git(['commit', '--quiet', '--cleanup=verbatim', '--author=Jane Q. Doe <jane@example.test>', '-m', 'subject\n\n\nbody  \n\n']);
      return w.push();
    },
    incremental: true,
    check: (s) => expect(s).toMatchObject({ author: 'Jane Q. Doe <jane@example.test>', message: 'subject\n\n\nbody  \n' }),
  },
  {
    name: 'an ignore-rule change (every path judged again)',
    step: (w) => w.commitAndPush({ files: { 'policies/.calico-gitops-ignore': 'sub/\n' } }),
    incremental: false,
    check: (s) => expect(paths(s)).toEqual(['policies/a.yaml', 'policies/drafts/d.yaml']),
  },
  {
    name: 'the ignore file deleted',
    step: (w) => w.commitAndPush({ files: { 'policies/.calico-gitops-ignore': null } }),
    incremental: false,
    check: (s) => expect(paths(s)).toContain('policies/drafts/d.yaml'),
  },
  {
    name: 'the policy folder deleted',
    step: async (w) => {
      await w.git(['rm', '-r', '--quiet', 'policies']);
      return w.commitAndPush({ message: 'gone' });
    },
    incremental: false,
    check: (s) => {
      expect(errorsOf(s)).toEqual([['', 'path-not-found']]);
      expect(s.files).toEqual([]);
    },
  },
  {
    name: 'the policy folder replaced by a file',
    step: async (w) => {
      await w.git(['rm', '-r', '--quiet', 'policies']);
      return w.commitAndPush({ files: { policies: 'not a folder\n' }, message: 'file' });
    },
    incremental: false,
    check: (s) => expect(errorsOf(s)).toEqual([['', 'path-not-found']]),
  },
];

describe('GitSource incremental read', () => {
  it.each(CASES)('$name: the same snapshot as a whole listing', async ({ step, incremental, check }) => {
    const { remote, work } = await createRepoWithFiles(INITIAL);
    const src = await source(remote.url);
    const first = await src.latest();
    expect(paths(first.snapshot)).toEqual(['policies/a.yaml', 'policies/sub/b.yaml', 'policies/sub/c.yml']);
    await step(work);
    const next = await src.latest();
    expect(next.changed).toBe(true);
    expect(src.lastStats.incremental).toBe(incremental);
    const fresh = await (await source(remote.url)).latest();
    expect(view(next.snapshot)).toEqual(view(fresh.snapshot));
    check(next.snapshot);
    // The previous snapshot was not touched.
    expect(paths(first.snapshot)).toEqual(['policies/a.yaml', 'policies/sub/b.yaml', 'policies/sub/c.yml']);
  });

  it('reads only the changed blob, reuses a renamed one, and chains diffs across revisions', async () => {
    const { remote, work } = await createRepoWithFiles(INITIAL);
    const src = await source(remote.url);
    await src.latest();
    await work.commitAndPush({ files: { 'policies/a.yaml': samplePolicyYaml('a', { order: 2 }) } });
    await src.latest();
    expect(src.lastStats).toMatchObject({ incremental: true, blobsRead: 1, blobsReused: 2, policyFiles: 3 });
    await work.git(['mv', 'policies/sub/b.yaml', 'policies/b.yaml']);
    await work.commitAndPush({ message: 'rename' });
    await src.latest();
    expect(src.lastStats).toMatchObject({ incremental: true, blobsRead: 0, blobsReused: 3 });
    // A file that was an error before and is fixed now.
    await work.commitAndPush({ files: { 'policies/a.yaml': `# ${'x'.repeat(5000)}\n` } });
    expect(errorsOf((await src.latest()).snapshot)).toEqual([['policies/a.yaml', 'limit-file-size']]);
    await work.commitAndPush({ files: { 'policies/a.yaml': samplePolicyYaml('a') } });
    const fixed = await src.latest();
    expect(fixed.snapshot.issues.errors).toEqual([]);
    expect(view(fixed.snapshot)).toEqual(view((await (await source(remote.url)).latest()).snapshot));
  });

  it('lists the whole tree after a force-push and flags it', async () => {
    const { remote, work, sha: first } = await createRepoWithFiles(INITIAL);
    const src = await source(remote.url);
    await src.latest();
    const second = await work.commitAndPush({ files: { 'policies/x.yaml': samplePolicyYaml('x') } });
    await src.latest();
    expect(src.lastStats.incremental).toBe(true);
    src.markApplied(second);
    await work.resetHard(first);
    await work.commit({ files: { 'policies/y.yaml': samplePolicyYaml('y') }, message: 'rewrite' });
    await work.push({ force: true });
    const result = await src.latest();
    expect(result.forcePush).toBe(true);
    expect(src.lastStats.incremental).toBe(false);
    expect(paths(result.snapshot)).toEqual(['policies/a.yaml', 'policies/sub/b.yaml', 'policies/sub/c.yml', 'policies/y.yaml']);
  });

  it('two commits pushed at once: read as one diff, not a force-push', async () => {
    const { remote, work, sha: first } = await createRepoWithFiles(INITIAL);
    const src = await source(remote.url);
    await src.latest();
    src.markApplied(first);
    await work.commit({ files: { 'policies/x.yaml': samplePolicyYaml('x') }, message: 'one' });
    await work.commit({ files: { 'policies/x.yaml': null, 'policies/y.yaml': samplePolicyYaml('y') }, message: 'two' });
    await work.push();
    const result = await src.latest();
    expect(result).toMatchObject({ forcePush: false, previous: first });
    expect(src.lastStats.incremental).toBe(true);
    expect(paths(result.snapshot)).toEqual(['policies/a.yaml', 'policies/sub/b.yaml', 'policies/sub/c.yml', 'policies/y.yaml']);
  });

  it('reads the policy root incrementally too (path ".")', async () => {
    const { remote, work } = await createRepoWithFiles({ 'a.yaml': samplePolicyYaml('a'), 'dir/b.yaml': samplePolicyYaml('b') });
    const src = await source(remote.url, { path: '.' });
    await src.latest();
    await work.commitAndPush({ files: { 'dir/b.yaml': null, 'c.yaml': samplePolicyYaml('c') } });
    const next = await src.latest();
    expect(src.lastStats.incremental).toBe(true);
    expect(paths(next.snapshot)).toEqual(['a.yaml', 'c.yaml']);
  });

  it('keeps one cat-file across reads, starts it again if it dies, and close() leaves no process', async () => {
    const { remote, work } = await createRepoWithFiles(INITIAL);
    const src = await source(remote.url);
    const catFiles = async (): Promise<number[]> => (await processesIn(src.mirrorDir, 'cat-file')).map((p) => p.pid);
    await src.latest();
    await work.commitAndPush({ files: { 'policies/x.yaml': samplePolicyYaml('x') } });
    await src.latest();
    expect(src.lastStats.incremental).toBe(true);
    const [first, ...more] = await catFiles();
    if (first === undefined) throw new Error('no cat-file runs in the mirror');
    expect(more).toEqual([]);
    await work.commitAndPush({ files: { 'policies/y.yaml': samplePolicyYaml('y') } });
    await src.latest();
    expect(await catFiles()).toEqual([first]);

    process.kill(first, 'SIGKILL');
    await expect.poll(catFiles).toEqual([]);
    await work.commitAndPush({ files: { 'policies/z.yaml': samplePolicyYaml('z') } });
    const next = await src.latest();
    expect(src.lastStats.incremental).toBe(true);
    expect(paths(next.snapshot)).toContain('policies/z.yaml');
    expect(await catFiles()).toHaveLength(1);

    await src.close();
    expect(await catFiles()).toEqual([]);
    // Closed: still answers, by whole listings, and starts nothing that would outlive it.
    await work.commitAndPush({ files: { 'policies/w.yaml': samplePolicyYaml('w') } });
    expect(paths((await src.latest()).snapshot)).toContain('policies/w.yaml');
    expect(src.lastStats.incremental).toBe(false);
    expect(await catFiles()).toEqual([]);
  });
});
