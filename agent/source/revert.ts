// Rollback by `git revert`: in a temporary clone, make ONE commit that undoes the given commits
// (or, with `to`, every commit after one, by restoring the policy folder as it was there), whose
// message carries the trailer `Calico-GitOps-Rollback-Of: <sha>[, …]`. The caller may read the
// work tree (to plan what the revert will do in the cluster) before it pushes. The rollback is
// then reviewed, audited and applied by the normal flow.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROLLBACK_TRAILER } from '../domain/rollback-trailer.js';
import { resolveGitAuth, type GitAuthOptions, type GitCredentials } from './git-auth.js';
import { classifyGitFailure, sourceError } from './git-errors.js';
import { GitRunner } from './git-runner.js';
import { redactUrl } from '../domain/redact.js';

export interface PrepareRevertOptions {
  /** Repository URL (https, ssh, file) or a local path. */
  readonly url: string;
  readonly credentials?: GitCredentials;
  readonly branch: string;
  /**
   * `revert`: undo these commits (full or abbreviated shas, any order); merge commits are refused.
   * `to`: undo every commit after `sha` in one commit that restores `path` as it was at `sha`.
   */
  readonly target: { readonly mode: 'revert'; readonly shas: readonly string[] } | { readonly mode: 'to'; readonly sha: string; readonly path: string };
  readonly author: { readonly name: string; readonly email: string };
  /** Extra paragraph for the commit message (who asked, why). */
  readonly reason?: string;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly baseEnv?: Readonly<Record<string, string | undefined>>;
  readonly gitEnv?: Readonly<Record<string, string>>;
}

export interface PreparedRevert {
  /** The new commit (not pushed yet). */
  readonly sha: string;
  /** The branch head it was made on. */
  readonly parent: string;
  /** Full shas it rolls back, newest first. */
  readonly reverted: readonly string[];
  readonly message: string;
  /** Work tree of the clone, at the new commit. */
  readonly dir: string;
  /** Pushes the commit to the branch (never forced: a moved branch is `push-rejected`). */
  push(): Promise<void>;
  /** Removes the clone. */
  cleanup(): Promise<void>;
}

export async function prepareRevert(options: PrepareRevertOptions): Promise<PreparedRevert> {
  const dir = await mkdtemp(join(tmpdir(), 'calico-gitops-revert-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    const auth = await resolveGitAuth(options.credentials);
    const runner = new GitRunner({
      cwd: dir,
      timeoutMs: options.timeoutMs ?? 120_000,
      config: [`user.name=${options.author.name}`, `user.email=${options.author.email}`],
      envConfig: auth.envConfig,
      gitEnv: { ...options.gitEnv, ...auth.env },
      ...(options.baseEnv ? { baseEnv: options.baseEnv } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const prepared = await makeCommit({ options, runner, auth, dir });
    return { ...prepared, dir, cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

interface MakeInput {
  readonly options: PrepareRevertOptions;
  readonly runner: GitRunner;
  readonly auth: GitAuthOptions;
  readonly dir: string;
}

async function makeCommit({ options, runner, auth }: MakeInput): Promise<Omit<PreparedRevert, 'dir' | 'cleanup'>> {
  const git = async (op: string, args: readonly string[]): Promise<string> => {
    try {
      return await runner.raw(args);
    } catch (err) {
      throw classifyGitFailure(err, { url: options.url, op, secrets: auth.secrets, aborted: runner.aborted });
    }
  };
  const where = `${options.branch} of ${redactUrl(options.url)}`;
  await git('init', ['init', '--quiet']);
  // Full history of the branch: the commits to revert must be present.
  await git('fetch', ['fetch', '--quiet', '--no-tags', options.url, `+refs/heads/${options.branch}:refs/remotes/origin/${options.branch}`]);
  await git('checkout', ['checkout', '--quiet', '-B', options.branch, `refs/remotes/origin/${options.branch}`]);
  const parent = (await git('rev-parse', ['rev-parse', 'HEAD'])).trim();

  const resolve = async (sha: string): Promise<string> => {
    if (!/^[0-9a-f]{4,40}$/i.test(sha)) throw sourceError('not-found', `${JSON.stringify(sha)} is not a commit sha`);
    const resolved = (await runner.raw(['rev-parse', '--verify', '--quiet', `${sha}^{commit}`]).catch(() => '')).trim();
    const onBranch = resolved !== '' && (await runner.raw(['merge-base', '--is-ancestor', resolved, 'HEAD']).then(() => true, () => false));
    if (!onBranch) throw sourceError('not-found', `commit ${sha} is not on ${where}`);
    return resolved;
  };
  const subjectOf = async (sha: string): Promise<string> => (await git('log', ['log', '-1', '--format=%s', sha])).trim();
  const parentsOf = async (sha: string): Promise<number> => (await git('rev-list', ['rev-list', '--parents', '-n', '1', sha])).trim().split(' ').length - 1;

  let ordered: string[];
  let subjects: string[];
  let title: string | undefined;
  if (options.target.mode === 'revert') {
    if (options.target.shas.length === 0) throw sourceError('nothing-to-revert', 'no commit given to revert');
    const wanted = new Set<string>();
    for (const sha of options.target.shas) {
      const full = await resolve(sha);
      if ((await parentsOf(full)) > 1) {
        throw sourceError('merge-commit', `${full.slice(0, 12)} is a merge commit: revert the commits it merged, or use --to to restore the state before it`);
      }
      wanted.add(full);
    }
    // Newest first, so each revert applies on top of the later changes it must undo.
    // (Topological, not by date: commits made within one second would tie.)
    ordered = (await git('rev-list', ['rev-list', '--topo-order', 'HEAD'])).split('\n').filter((s) => wanted.has(s));
    subjects = [];
    for (const sha of ordered) {
      subjects.push(await subjectOf(sha));
      try {
        await runner.raw(['revert', '--no-commit', '--no-edit', sha]);
      } catch (err) {
        const conflicted = (await runner.raw(['diff', '--name-only', '--diff-filter=U']).catch(() => '')).split('\n').filter(Boolean);
        const files = conflicted.length > 0 ? ` (${conflicted.slice(0, 5).join(', ')}${conflicted.length > 5 ? ', …' : ''})` : '';
        throw sourceError('revert-conflict', `reverting ${sha.slice(0, 12)} conflicts with later changes on ${options.branch}${files}: revert it by hand, or use --to`, { cause: err, secrets: auth.secrets });
      }
    }
  } else {
    const base = await resolve(options.target.sha);
    ordered = (await git('rev-list', ['rev-list', '--topo-order', `${base}..HEAD`])).split('\n').filter(Boolean);
    if (ordered.length === 0) throw sourceError('nothing-to-revert', `${base.slice(0, 12)} is the head of ${options.branch}: nothing after it to roll back`);
    subjects = [];
    for (const sha of ordered) subjects.push(await subjectOf(sha));
    const path = options.target.path;
    // The folder exactly as it was: files added since go, changed ones come back.
    await git('rm', ['rm', '-r', '-q', '--ignore-unmatch', '--', path]);
    const existed = (await git('ls-tree', ['ls-tree', '--name-only', base, '--', path])).trim() !== '';
    if (existed) await git('checkout', ['checkout', base, '--', path]);
    title = `Roll back ${path === '.' ? 'the repository' : path} to ${base.slice(0, 12)} "${await subjectOf(base)}"`;
  }
  const status = await git('status', ['status', '--porcelain']);
  if (status.trim() === '') throw sourceError('nothing-to-revert', `reverting ${ordered.map((s) => s.slice(0, 12)).join(', ')} changes nothing: already reverted?`);

  const message = rollbackMessage({ shas: ordered, subjects, ...(title ? { title } : {}), ...(options.reason ? { reason: options.reason } : {}) });
  await git('commit', ['commit', '--quiet', '--no-verify', `--author=${options.author.name} <${options.author.email}>`, '-m', message]);
  const sha = (await git('rev-parse', ['rev-parse', 'HEAD'])).trim();
  return {
    sha,
    parent,
    reverted: ordered,
    message,
    push: async () => {
      try {
        await runner.raw(['push', '--quiet', options.url, `${sha}:refs/heads/${options.branch}`]);
      } catch (err) {
        if (/rejected|non-fast-forward|fetch first/i.test(String(err))) {
          throw sourceError('push-rejected', `${options.branch} moved while the rollback was prepared (push rejected as non-fast-forward): run it again`, { cause: err, secrets: auth.secrets });
        }
        throw classifyGitFailure(err, { url: options.url, op: 'push', secrets: auth.secrets, aborted: runner.aborted });
      }
    },
  };
}

export interface RevertOptions extends Omit<PrepareRevertOptions, 'target'> {
  /** Commits to revert (full or abbreviated shas), in any order. */
  readonly shas: readonly string[];
  /** Push the revert commit to the branch; false leaves it unpushed. */
  readonly push: boolean;
}

export interface RevertResult {
  readonly sha: string;
  /** Full shas reverted, newest first. */
  readonly reverted: readonly string[];
  readonly message: string;
  readonly pushed: boolean;
}

/** Prepare, push (when asked) and clean up in one call. */
export async function revertCommits(options: RevertOptions): Promise<RevertResult> {
  const { shas, push, ...rest } = options;
  const prepared = await prepareRevert({ ...rest, target: { mode: 'revert', shas } });
  try {
    if (push) await prepared.push();
    return { sha: prepared.sha, reverted: prepared.reverted, message: prepared.message, pushed: push };
  } finally {
    await prepared.cleanup();
  }
}

/** Pure: the rollback commit message with its trailer. */
export function rollbackMessage(input: { shas: readonly string[]; subjects: readonly string[]; title?: string; reason?: string }): string {
  const title =
    input.title ?? (input.shas.length === 1 ? `Revert "${input.subjects[0] ?? input.shas[0]}"` : `Revert ${input.shas.length} commits`);
  const lines = input.shas.map((sha, i) => `- ${sha.slice(0, 12)} ${input.subjects[i] ?? ''}`.trimEnd());
  const body = [`Rollback by calico-gitops of:`, ...lines];
  if (input.reason) body.push('', input.reason);
  return `${title}\n\n${body.join('\n')}\n\n${ROLLBACK_TRAILER}: ${input.shas.join(', ')}\n`;
}
