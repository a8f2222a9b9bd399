// Rollback by `git revert`: in a temporary clone, revert the given commits (newest first) into
// ONE commit whose message carries the trailer `Calico-GitOps-Rollback-Of: <sha>[, …]`, and push it
// to the branch. The rollback is then reviewed, audited and applied by the normal flow.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveGitAuth, type GitCredentials } from './git-auth.js';
import { classifyGitFailure, sourceError } from './git-errors.js';
import { GitRunner } from './git-runner.js';
import { redactUrl } from '../domain/redact.js';

export const ROLLBACK_TRAILER = 'Calico-GitOps-Rollback-Of';

export interface RevertOptions {
  /** Repository URL (https, ssh, file) or a local path. */
  readonly url: string;
  readonly credentials?: GitCredentials;
  readonly branch: string;
  /** Commits to revert (full or abbreviated shas), in any order. */
  readonly shas: readonly string[];
  readonly author: { readonly name: string; readonly email: string };
  /** Push the revert commit to the branch; false leaves it unpushed (dry run). */
  readonly push: boolean;
  /** Extra paragraph for the commit message (who asked, why). */
  readonly reason?: string;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly baseEnv?: Readonly<Record<string, string | undefined>>;
  readonly gitEnv?: Readonly<Record<string, string>>;
}

export interface RevertResult {
  /** The new commit. */
  readonly sha: string;
  /** Full shas reverted, newest first. */
  readonly reverted: readonly string[];
  readonly message: string;
  readonly pushed: boolean;
}

export async function revertCommits(options: RevertOptions): Promise<RevertResult> {
  if (options.shas.length === 0) throw sourceError('nothing-to-revert', 'no commit given to revert');
  const dir = await mkdtemp(join(tmpdir(), 'calico-gitops-revert-'));
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
  const git = async (op: string, args: readonly string[]): Promise<string> => {
    try {
      return await runner.raw(args);
    } catch (err) {
      throw classifyGitFailure(err, { url: options.url, op, secrets: auth.secrets, aborted: runner.aborted });
    }
  };
  try {
    await git('init', ['init', '--quiet']);
    // Full history of the branch: the commits to revert must be present.
    await git('fetch', ['fetch', '--quiet', '--no-tags', options.url, `+refs/heads/${options.branch}:refs/remotes/origin/${options.branch}`]);
    await git('checkout', ['checkout', '--quiet', '-B', options.branch, `refs/remotes/origin/${options.branch}`]);

    const full: string[] = [];
    for (const sha of options.shas) {
      const resolved = (await runner.raw(['rev-parse', '--verify', '--quiet', `${sha}^{commit}`]).catch(() => '')).trim();
      const onBranch = resolved !== '' && (await runner.raw(['merge-base', resolved, 'HEAD']).catch(() => '')).trim() === resolved;
      if (!onBranch) throw sourceError('not-found', `commit ${sha} is not on ${options.branch} of ${redactUrl(options.url)}`);
      if (!full.includes(resolved)) full.push(resolved);
    }
    // Newest first, so each revert applies on top of the later changes it must undo.
    // (Topological, not by date: commits made within one second would tie.)
    const wanted = new Set(full);
    const ordered = (await git('rev-list', ['rev-list', '--topo-order', 'HEAD'])).split('\n').filter((s) => wanted.has(s));

    const subjects: string[] = [];
    for (const sha of ordered) {
      const parents = (await git('rev-list', ['rev-list', '--parents', '-n', '1', sha])).trim().split(' ').length - 1;
      subjects.push((await git('log', ['log', '-1', '--format=%s', sha])).trim());
      try {
        await runner.raw(['revert', '--no-commit', '--no-edit', ...(parents > 1 ? ['-m', '1'] : []), sha]);
      } catch (err) {
        throw sourceError('revert-conflict', `reverting ${sha.slice(0, 12)} conflicts with later changes on ${options.branch}: revert it by hand`, { cause: err, secrets: auth.secrets });
      }
    }
    const status = await git('status', ['status', '--porcelain']);
    if (status.trim() === '') throw sourceError('nothing-to-revert', `reverting ${ordered.map((s) => s.slice(0, 12)).join(', ')} changes nothing: already reverted?`);

    const message = rollbackMessage({ shas: ordered, subjects, ...(options.reason ? { reason: options.reason } : {}) });
    await git('commit', ['commit', '--quiet', '--no-verify', `--author=${options.author.name} <${options.author.email}>`, '-m', message]);
    const sha = (await git('rev-parse', ['rev-parse', 'HEAD'])).trim();
    if (options.push) {
      try {
        await runner.raw(['push', '--quiet', options.url, `HEAD:refs/heads/${options.branch}`]);
      } catch (err) {
        if (/rejected|non-fast-forward|fetch first/i.test(String(err))) {
          throw sourceError('push-rejected', `${options.branch} moved while the rollback was prepared: run it again`, { cause: err, secrets: auth.secrets });
        }
        throw classifyGitFailure(err, { url: options.url, op: 'push', secrets: auth.secrets, aborted: runner.aborted });
      }
    }
    return { sha, reverted: ordered, message, pushed: options.push };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Pure: the rollback commit message with its trailer. */
export function rollbackMessage(input: { shas: readonly string[]; subjects: readonly string[]; reason?: string }): string {
  const title =
    input.shas.length === 1 ? `Revert "${input.subjects[0] ?? input.shas[0]}"` : `Revert ${input.shas.length} commits`;
  const lines = input.shas.map((sha, i) => `- ${sha.slice(0, 12)} ${input.subjects[i] ?? ''}`.trimEnd());
  const body = [`Rollback by calico-gitops of:`, ...lines];
  if (input.reason) body.push('', input.reason);
  return `${title}\n\n${body.join('\n')}\n\n${ROLLBACK_TRAILER}: ${input.shas.join(', ')}\n`;
}

/** Pure: the shas named by a rollback trailer in a commit message (empty when none). */
export function parseRollbackTrailer(message: string): string[] {
  const out: string[] = [];
  for (const line of message.split('\n')) {
    const m = new RegExp(`^${ROLLBACK_TRAILER}:\\s*(.+)$`, 'i').exec(line.trim());
    if (m?.[1]) out.push(...m[1].split(',').map((s) => s.trim()).filter(Boolean));
  }
  return out;
}
