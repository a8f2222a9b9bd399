// Real git repositories in temp dirs for tests: a bare remote served over file://, a working
// clone to commit and push from, and an isolated git environment (no user or system config).
// Usage:
//   const remote = await createRemote();                 // bare repo, file:// url
//   const work = await createWorkRepo({ remote });       // clone with branch `main`
//   const sha = await work.commit({ files: { 'policies/a.yaml': yaml }, message: 'add a' });
//   await work.push();
//   ...
//   await cleanupGitFixtures();                          // in afterAll/afterEach
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Environment for every git child process in tests: no user/system config leaks in. */
export const GIT_TEST_ENV: Readonly<Record<string, string>> = {
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_TERMINAL_PROMPT: '0',
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.test',
  GIT_COMMITTER_NAME: 'Test Committer',
  GIT_COMMITTER_EMAIL: 'committer@example.test',
};

const created: string[] = [];

/** A fresh temp dir, removed by `cleanupGitFixtures()`. */
export async function makeTempDir(prefix = 'cg-git-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Removes every dir made by this module (call from afterAll / afterEach). */
export async function cleanupGitFixtures(): Promise<void> {
  const dirs = created.splice(0);
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
}

export interface RunGitOptions {
  readonly cwd: string;
  /** Extra environment (e.g. a different author). */
  readonly env?: Readonly<Record<string, string>>;
  /** Text fed to stdin. */
  readonly input?: string;
}

/** Runs git with the isolated test environment; rejects with stderr on a non-zero exit. */
export function runGit(args: readonly string[], options: RunGitOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      [...args],
      { cwd: options.cwd, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: options.cwd, ...GIT_TEST_ENV, ...options.env }, maxBuffer: 256 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`git ${args.join(' ')} failed: ${stderr || err.message}`));
        else resolve(stdout);
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

export interface Remote {
  /** Bare repository directory. */
  readonly dir: string;
  /** `file://` URL of the bare repository. */
  readonly url: string;
  /** Branch name → sha, as the remote has it now. */
  heads(): Promise<Record<string, string>>;
}

/** An empty bare repository whose HEAD points at `branch` (default `main`). */
export async function createRemote(options: { branch?: string } = {}): Promise<Remote> {
  const dir = join(await makeTempDir('cg-remote-'), 'repo.git');
  await mkdir(dir);
  await runGit(['init', '--bare', '--quiet', `--initial-branch=${options.branch ?? 'main'}`], { cwd: dir });
  // Lets tests serve it through `git http-backend` too.
  await runGit(['config', 'http.receivepack', 'true'], { cwd: dir });
  // Tests may delete the default branch to simulate a vanished branch.
  await runGit(['config', 'receive.denyDeleteCurrent', 'ignore'], { cwd: dir });
  return {
    dir,
    url: pathToFileURL(dir).href,
    heads: async () => {
      const out = await runGit(['for-each-ref', '--format=%(refname:short) %(objectname)', 'refs/heads'], { cwd: dir });
      return Object.fromEntries(out.split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]));
    },
  };
}

/** Files to write (string) or delete (null), by path relative to the work tree. */
export type FileChanges = Readonly<Record<string, string | null>>;

export interface CommitInput {
  readonly files?: FileChanges;
  readonly message?: string;
  /** `Name <email>`; default the test author. */
  readonly author?: string;
  readonly allowEmpty?: boolean;
}

export interface WorkRepo {
  readonly dir: string;
  readonly branch: string;
  git(args: readonly string[], options?: { env?: Record<string, string>; input?: string }): Promise<string>;
  /** Writes/deletes files without committing. */
  write(files: FileChanges): Promise<void>;
  /** Writes the files, stages everything, commits; returns the new sha. */
  commit(input?: CommitInput): Promise<string>;
  /** Pushes the branch to `origin` (with `force` for rewrites). */
  push(options?: { force?: boolean; branch?: string }): Promise<void>;
  /** Commit then push; returns the sha. */
  commitAndPush(input?: CommitInput): Promise<string>;
  head(): Promise<string>;
  /** `git reset --hard <rev>` in this work repo (to prepare a force-push). */
  resetHard(rev: string): Promise<void>;
}

/** A working repository on `branch` (default `main`); with `remote`, `origin` points at it. */
export async function createWorkRepo(options: { remote?: Remote; branch?: string } = {}): Promise<WorkRepo> {
  const dir = await makeTempDir('cg-work-');
  const branch = options.branch ?? 'main';
  const git = (args: readonly string[], o: { env?: Record<string, string>; input?: string } = {}) =>
    runGit(args, { cwd: dir, ...(o.env ? { env: o.env } : {}), ...(o.input !== undefined ? { input: o.input } : {}) });
  await git(['init', '--quiet', `--initial-branch=${branch}`]);
  if (options.remote) await git(['remote', 'add', 'origin', options.remote.url]);

  const write = async (files: FileChanges): Promise<void> => {
    for (const [path, content] of Object.entries(files)) {
      const full = join(dir, path);
      if (content === null) await rm(full, { force: true, recursive: true });
      else {
        await mkdir(dirname(full), { recursive: true });
        await writeFile(full, content);
      }
    }
  };
  const commit = async (input: CommitInput = {}): Promise<string> => {
    await write(input.files ?? {});
    await git(['add', '-A']);
    const args = ['commit', '--quiet', '--no-verify', '-m', input.message ?? 'change'];
    if (input.allowEmpty) args.push('--allow-empty');
    if (input.author) args.push(`--author=${input.author}`);
    await git(args);
    return (await git(['rev-parse', 'HEAD'])).trim();
  };
  const push = async (o: { force?: boolean; branch?: string } = {}): Promise<void> => {
    const target = o.branch ?? branch;
    await git(['push', '--quiet', ...(o.force ? ['--force'] : []), 'origin', `HEAD:refs/heads/${target}`]);
  };
  return {
    dir,
    branch,
    git,
    write,
    commit,
    push,
    commitAndPush: async (input) => {
      const sha = await commit(input);
      await push();
      return sha;
    },
    head: async () => (await git(['rev-parse', 'HEAD'])).trim(),
    resetHard: async (rev) => {
      await git(['reset', '--quiet', '--hard', rev]);
    },
  };
}

/** A bare remote plus a work repo whose first commit (with `files`) is already pushed. */
export async function createRepoWithFiles(
  files: FileChanges,
  options: { branch?: string; message?: string } = {},
): Promise<{ remote: Remote; work: WorkRepo; sha: string }> {
  const remote = await createRemote({ ...(options.branch ? { branch: options.branch } : {}) });
  const work = await createWorkRepo({ remote, ...(options.branch ? { branch: options.branch } : {}) });
  const sha = await work.commitAndPush({ files, message: options.message ?? 'initial policies' });
  return { remote, work, sha };
}

/** A small valid Calico GlobalNetworkPolicy document, for tests that need "some policy". */
export function samplePolicyYaml(name: string, options: { order?: number; selector?: string } = {}): string {
  return [
    'apiVersion: projectcalico.org/v3',
    'kind: GlobalNetworkPolicy',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    `  order: ${options.order ?? 100}`,
    `  selector: ${JSON.stringify(options.selector ?? 'all()')}`,
    '  types: [Ingress]',
    '  ingress:',
    '    - action: Allow',
    '      protocol: TCP',
    '      destination:',
    '        ports: [22]',
    '',
  ].join('\n');
}
