// A one-shot shallow clone for `calico-gitops plan --repo URL [--ref R]` (the long-running agent
// keeps a mirror instead; see git-source.ts). The caller removes the clone with cleanup().
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classifyGitFailure } from './git-errors.js';
import { GitRunner } from './git-runner.js';

export interface CloneOnceOptions {
  readonly url: string;
  /** Branch, tag or commit sha; the remote's default branch when absent. */
  readonly ref?: string;
  readonly timeoutMs?: number;
  /** Base environment for git (GIT_* variables are dropped; see GitRunner). */
  readonly baseEnv?: Readonly<Record<string, string | undefined>>;
  /** Deliberate git variables, allowed by name (tests pass GIT_CONFIG_GLOBAL=/dev/null). */
  readonly gitEnv?: Readonly<Record<string, string>>;
  /** `-c` entries: visible in the process list, so never a secret such as an auth header. */
  readonly config?: readonly string[];
  readonly signal?: AbortSignal;
}

export interface ClonedRepo {
  readonly dir: string;
  readonly revision: string;
  readonly author: string;
  /** Full commit message (trailers included). */
  readonly message: string;
  cleanup(): Promise<void>;
}

const SHA = /^[0-9a-f]{7,40}$/i;

export async function cloneOnce(o: CloneOnceOptions): Promise<ClonedRepo> {
  const parent = await mkdtemp(join(tmpdir(), 'calico-gitops-plan-'));
  const dir = join(parent, 'repo');
  const cleanup = (): Promise<void> => rm(parent, { recursive: true, force: true });
  const runner = (cwd: string): GitRunner =>
    new GitRunner({
      cwd,
      timeoutMs: o.timeoutMs ?? 120_000,
      ...(o.baseEnv ? { baseEnv: o.baseEnv } : {}),
      ...(o.gitEnv ? { gitEnv: o.gitEnv } : {}),
      ...(o.config ? { config: o.config } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    });
  try {
    const outer = runner(parent);
    const isSha = o.ref !== undefined && SHA.test(o.ref);
    // A shallow clone can name a branch or tag, not a commit: commits get a full clone and a checkout.
    const args = ['clone', '--quiet', '--no-tags', ...(isSha ? [] : ['--depth', '1']), ...(o.ref && !isSha ? ['--branch', o.ref] : []), '--', o.url, dir];
    await outer.raw(args).catch((err: unknown) => {
      throw classifyGitFailure(err, { url: o.url, op: 'clone', secrets: [], aborted: o.signal?.aborted ?? false });
    });
    const inner = runner(dir);
    if (isSha && o.ref) {
      await inner.raw(['checkout', '--quiet', '--detach', o.ref]).catch((err: unknown) => {
        throw classifyGitFailure(err, { url: o.url, op: `checkout ${o.ref}`, secrets: [], aborted: false });
      });
    }
    const info = await inner.raw(['log', '-1', '--format=%H%x00%an <%ae>%x00%B']);
    const [revision = '', author = '', message = ''] = info.split('\u0000');
    return { dir, revision: revision.trim(), author, message: message.trimEnd(), cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
