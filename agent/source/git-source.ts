// The Git source: a bare mirror in a cache dir, fetched on every look (a fetch with nothing new is
// one ref advertisement, like `ls-remote`), and snapshots read straight from the object store (ls-tree + cat-file --batch, no checkout).
// Incremental: blob contents of the previous snapshot are kept by blob sha, so a new revision
// reads only the blobs that changed.
import { createHash } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Issue } from '../domain/issue.js';
import type { Logger } from '../domain/runtime.js';
import type { SnapshotFile, SourceSnapshot } from '../domain/source-snapshot.js';
import { resolveGitAuth, type GitAuthOptions, type GitCredentials } from './git-auth.js';
import { classifyGitFailure, sourceError } from './git-errors.js';
import { GitRunner } from './git-runner.js';
import { IGNORE_FILE, parseIgnoreFile, skippedPathCheck, type IgnoreRules } from './ignore-rules.js';
import { fileSizeProblem, selectPolicyFiles, type SizeLimits } from './select-files.js';
import { redactUrl } from '../domain/redact.js';
import { listTree, type TreeEntry } from './tree-listing.js';
import { INTENTS_FILE } from '../connectivity/intents.js';

export interface GitSourceOptions {
  /** Repository URL: https, ssh or file. Credentials in the URL are tolerated but never shown. */
  readonly url: string;
  readonly branch: string;
  /** Folder inside the repository; `.` or empty for the root. */
  readonly path: string;
  /** Directory for the bare mirror (one sub-directory per URL and branch). */
  readonly cacheDir: string;
  readonly credentials?: GitCredentials;
  readonly logger: Logger;
  /** Kill a git process silent for this long (default 60 s). */
  readonly timeoutMs?: number;
  /** Cancels every running git process (shutdown). */
  readonly signal?: AbortSignal;
  /** Environment for git processes (the CLI passes process.env); GIT_* entries are dropped. */
  readonly baseEnv?: Readonly<Record<string, string | undefined>>;
  /** Deliberate git variables such as GIT_CONFIG_GLOBAL=/dev/null (tests). */
  readonly gitEnv?: Readonly<Record<string, string>>;
  /** Size limits (same as `readPolicyDir`); oversized files are not read and become errors. */
  readonly limits?: Partial<SizeLimits>;
}

export interface SourceResult {
  readonly snapshot: SourceSnapshot;
  /** The new revision does not descend from the previous one: history was rewritten. */
  readonly forcePush: boolean;
  /** The revision this one replaces (last returned or marked applied). */
  readonly previous?: string;
  /** False when the head did not move and the cached snapshot is returned. */
  readonly changed: boolean;
}

export interface SnapshotStats {
  /** Entries under the policy path. */
  readonly listed: number;
  readonly policyFiles: number;
  /** Blobs read with cat-file for this snapshot. */
  readonly blobsRead: number;
  /** Blobs taken from the previous snapshot unchanged. */
  readonly blobsReused: number;
}

const MIRROR_REF = 'refs/calico-gitops/head';

interface CommitInfo {
  readonly sha: string;
  readonly author: string;
  readonly message: string;
}

export class GitSource {
  readonly #o: GitSourceOptions;
  readonly #mirror: string;
  readonly #subPath: string;
  readonly #decoder = new TextDecoder('utf-8', { fatal: true });
  #blobCache = new Map<string, string>();
  #last: SourceSnapshot | undefined;
  #applied: string | undefined;
  #ready: Promise<void> | undefined;
  /** Serializes mirror-writing work: two fetches into one mirror would fight over ref locks. */
  #queue: Promise<unknown> = Promise.resolve();
  #stats: SnapshotStats = { listed: 0, policyFiles: 0, blobsRead: 0, blobsReused: 0 };

  constructor(options: GitSourceOptions) {
    this.#o = options;
    const id = createHash('sha256').update(`${redactUrl(options.url)}\n${options.branch}`).digest('hex').slice(0, 16);
    this.#mirror = join(options.cacheDir, `mirror-${id}.git`);
    this.#subPath = normalizeSubPath(options.path);
  }

  /** Where the bare mirror lives (tests check its config holds no secret). */
  get mirrorDir(): string {
    return this.#mirror;
  }

  /** Counters of the last snapshot. */
  get lastStats(): SnapshotStats {
    return this.#stats;
  }

  get lastSnapshot(): SourceSnapshot | undefined {
    return this.#last;
  }

  /** The revision now applied: force-pushes are judged against it (the controller calls this). */
  markApplied(revision: string): void {
    this.#applied = revision;
  }

  /** Cheap remote check: the branch's head sha, without fetching. */
  async headRevision(): Promise<string> {
    const { runner, auth } = await this.#runner();
    const out = await this.#run(runner, auth, 'ls-remote', ['ls-remote', this.#o.url, `refs/heads/${this.#o.branch}`]);
    const sha = out.split('\n').find((l) => l.endsWith(`\trefs/heads/${this.#o.branch}`))?.split('\t')[0];
    if (sha) return sha;
    // Tell an empty repository from a missing branch: only on this error path, so it costs nothing normally.
    const heads = await this.#run(runner, auth, 'ls-remote', ['ls-remote', '--heads', this.#o.url]);
    const where = redactUrl(this.#o.url);
    if (heads.trim() === '') throw sourceError('empty-repo', `repository ${where} is empty: push a first commit to ${this.#o.branch}`);
    throw sourceError('branch-not-found', `branch ${this.#o.branch} does not exist in ${where}`);
  }

  /** Fetches the branch into the mirror; returns its head sha. */
  fetch(): Promise<string> {
    return this.#exclusive(() => this.#fetch());
  }

  async #fetch(): Promise<string> {
    const { runner, auth } = await this.#runner();
    await this.#fetchInto(runner, auth);
    return (await this.#run(runner, auth, 'rev-parse', ['rev-parse', '--verify', `${MIRROR_REF}^{commit}`])).trim();
  }

  // `-v`, not `--quiet`: simple-git waits 50 ms more for a command that printed nothing, and a
  // verbose fetch always prints its ref line (to stderr, URL without credentials).
  async #fetchInto(runner: GitRunner, auth: GitAuthOptions): Promise<void> {
    try {
      await runner.raw(['fetch', '-v', '--no-tags', '--no-write-fetch-head', this.#o.url, `+refs/heads/${this.#o.branch}:${MIRROR_REF}`]);
    } catch (err) {
      // Tell an empty repository or a missing branch apart (headRevision does): only on this error.
      if (/couldn't find remote ref/i.test(String(err))) await this.headRevision();
      throw classifyGitFailure(err, { url: this.#o.url, op: 'fetch', secrets: auth.secrets, aborted: runner.aborted });
    }
  }

  /** Reads the policy files of `revision` (already fetched) from the mirror. */
  snapshot(revision: string): Promise<SourceSnapshot> {
    return this.#exclusive(() => this.#snapshot(revision));
  }

  async #snapshot(revision: string): Promise<SourceSnapshot> {
    const { runner, auth } = await this.#runner();
    return this.#readTree(runner, auth, await this.#commit(runner, auth, revision));
  }

  async #commit(runner: GitRunner, auth: GitAuthOptions, revision: string): Promise<CommitInfo> {
    const meta = await this.#run(runner, auth, 'log', ['log', '-1', '--no-show-signature', '--format=%H%x00%an <%ae>%x00%B', revision]);
    const [sha = revision, author = '', message = ''] = meta.split('\0');
    return { sha, author, message };
  }

  async #readTree(runner: GitRunner, auth: GitAuthOptions, { sha, author, message }: CommitInfo): Promise<SourceSnapshot> {
    const treeish = this.#subPath ? `${sha}:${this.#subPath}` : sha;
    let entries: TreeEntry[];
    try {
      entries = listTree(await runner.raw(['ls-tree', '-r', '-l', '-z', treeish]));
    } catch (err) {
      if (/not a valid object name|not a tree object/i.test(String(err))) {
        // A problem of this commit, not of the source: it is reported on the commit, and an empty
        // file list with an error applies nothing (rather than deleting everything).
        const error = issue('', 'path-not-found', `path ${this.#subPath} does not exist at ${sha.slice(0, 12)} of ${redactUrl(this.#o.url)}`);
        return { revision: sha, author, message: message.replace(/\n+$/, '\n'), files: [], issues: { errors: [error], warnings: [] } };
      }
      throw classifyGitFailure(err, { url: this.#o.url, op: 'ls-tree', secrets: auth.secrets, aborted: runner.aborted });
    }

    const errors: Issue[] = [];
    const before = runner.blobsRead;
    // The ignore file decides what else to read, so it is read on its own first.
    const ignoreEntry = entries.find((e) => e.path === IGNORE_FILE && e.type === 'blob');
    const rules = ignoreEntry
      ? parseIgnoreFile(this.#decode(await this.#readBlobs(runner, auth, [ignoreEntry.sha]), ignoreEntry.sha) ?? '')
      : parseIgnoreFile('');
    const warnings: Issue[] = [];
    errors.push(...unsafeEntries(entries, rules, (p) => (this.#subPath ? `${this.#subPath}/${p}` : p)));
    const candidates = entries.filter((e) => e.type === 'blob' && e.mode !== '120000' && !e.path.split('/').includes('..'));

    // The same selection and limits as readPolicyDir, so `plan --dir` and the agent agree.
    const repoPathOf = (p: string) => (this.#subPath ? `${this.#subPath}/${p}` : p);
    const selection = selectPolicyFiles({
      candidates: candidates.map((entry) => ({ path: entry.path, size: entry.size, entry })),
      rules,
      ...(this.#o.limits ? { limits: this.#o.limits } : {}),
      where: `repository ${redactUrl(this.#o.url)}`,
      display: repoPathOf,
    });
    errors.push(...selection.errors);
    const files = selection.selected.map(({ entry }) => ({ entry, repoPath: repoPathOf(entry.path) }));
    const missing = [...new Set(files.map((f) => f.entry.sha).filter((s) => !this.#blobCache.has(s)))];
    const read = await this.#readBlobs(runner, auth, missing);

    const nextCache = new Map<string, string>();
    const out: SnapshotFile[] = [];
    let reused = 0;
    for (const { entry, repoPath } of files) {
      let content = this.#blobCache.get(entry.sha) ?? nextCache.get(entry.sha);
      if (content === undefined) {
        content = this.#decode(read, entry.sha);
        if (content === undefined) {
          errors.push(issue(repoPath, 'not-utf8', 'file is not valid UTF-8 text'));
          continue;
        }
      } else if (this.#blobCache.has(entry.sha)) reused++;
      nextCache.set(entry.sha, content);
      out.push({ path: repoPath, content, blob: entry.sha });
    }
    // Keep only this revision's blobs: memory stays bounded by one tree.
    this.#blobCache = nextCache;
    out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    // The declared intents live in a hidden directory, so the policy selection above skips them.
    const intentsEntry = entries.find((e) => e.path === INTENTS_FILE && e.type === 'blob' && e.mode !== '120000');
    let intents: { path: string; content: string } | undefined;
    if (intentsEntry) {
      const repoPath = this.#subPath ? `${this.#subPath}/${INTENTS_FILE}` : INTENTS_FILE;
      const content = fileSizeProblem(repoPath, intentsEntry.size, this.#o.limits) ? undefined : this.#decode(await this.#readBlobs(runner, auth, [intentsEntry.sha]), intentsEntry.sha);
      if (content === undefined) errors.push(issue(repoPath, 'intents', 'the intents file could not be read (too large or not UTF-8)'));
      else intents = { path: repoPath, content };
    }
    this.#stats = { listed: entries.length, policyFiles: out.length, blobsRead: runner.blobsRead - before, blobsReused: reused };
    return { revision: sha, author, message: message.replace(/\n+$/, '\n'), files: out, issues: { errors, warnings }, ...(intents ? { intents } : {}) };
  }

  /**
   * Head check first; fetch and read only when the branch moved. Satisfies the controller's
   * SourcePort. Throws SourceError; the cached snapshot stays available as `lastSnapshot`.
   */
  latest(): Promise<SourceResult> {
    return this.#exclusive(() => this.#latest());
  }

  // Fetch straight away rather than `ls-remote` first: a fetch with nothing new costs the same one
  // ref advertisement as ls-remote, and a moved head then costs one round trip to the remote, not
  // two. The commit is read once (sha and message); the tree and the ancestry check run together.
  async #latest(): Promise<SourceResult> {
    const previous = this.#applied ?? this.#last?.revision;
    const { runner, auth } = await this.#runner();
    await this.#fetchInto(runner, auth);
    const commit = await this.#commit(runner, auth, MIRROR_REF);
    const fetched = commit.sha;
    if (this.#last && this.#last.revision === fetched) {
      return { snapshot: this.#last, forcePush: false, changed: false, ...(previous ? { previous } : {}) };
    }
    const [snapshot, descends] = await Promise.all([
      this.#readTree(runner, auth, commit),
      previous === undefined || previous === fetched ? Promise.resolve(true) : this.isAncestor(previous, fetched),
    ]);
    const forcePush = descends === false;
    if (forcePush) this.#o.logger.warn({ previous, revision: fetched }, 'branch history was rewritten (force-push)');
    if (descends === undefined) this.#o.logger.warn({ previous, revision: fetched }, 'could not tell whether the new revision descends from the previous one (git could not compare them)');
    this.#last = snapshot;
    return { snapshot, forcePush, changed: true, ...(previous ? { previous } : {}) };
  }

  /**
   * Whether `ancestor` is reachable from `revision` in the mirror; undefined when git cannot tell
   * (an object the mirror lacks, a git failure), which is not evidence of a rewrite.
   */
  async isAncestor(ancestor: string, revision: string): Promise<boolean | undefined> {
    const { runner } = await this.#runner();
    // One command that always prints: the commits reachable from `ancestor` and not from
    // `revision`, 0 exactly when it is an ancestor (or the same commit). A missing object or a
    // non-commit fails. (`merge-base --is-ancestor` answers by exit code alone, which simple-git
    // does not surface, and a silent command costs 50 ms more there.)
    try {
      const count = (await runner.raw(['rev-list', '--count', `${ancestor}^{commit}`, '--not', `${revision}^{commit}`, '--'])).trim();
      return /^\d+$/.test(count) ? count === '0' : undefined;
    } catch {
      return undefined;
    }
  }

  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #decode(blobs: Map<string, { content: Buffer }>, sha: string): string | undefined {
    const blob = blobs.get(sha);
    if (!blob) return undefined;
    try {
      return this.#decoder.decode(blob.content);
    } catch {
      return undefined;
    }
  }

  async #readBlobs(runner: GitRunner, auth: GitAuthOptions, shas: readonly string[]): Promise<Map<string, { content: Buffer }>> {
    try {
      return await runner.readBlobs(shas);
    } catch (err) {
      throw classifyGitFailure(err, { url: this.#o.url, op: 'cat-file', secrets: auth.secrets, aborted: runner.aborted });
    }
  }

  async #run(runner: GitRunner, auth: GitAuthOptions, op: string, args: readonly string[]): Promise<string> {
    try {
      return await runner.raw(args);
    } catch (err) {
      throw classifyGitFailure(err, { url: this.#o.url, op, secrets: auth.secrets, aborted: runner.aborted });
    }
  }

  // A runner per operation: the token file is re-read so a rotated secret takes effect.
  async #runner(): Promise<{ runner: GitRunner; auth: GitAuthOptions }> {
    this.#ready ??= this.#initMirror();
    await this.#ready;
    const auth = await resolveGitAuth(this.#o.credentials);
    const runner = new GitRunner({
      cwd: this.#mirror,
      timeoutMs: this.#o.timeoutMs ?? 60_000,
      envConfig: auth.envConfig,
      gitEnv: { ...this.#o.gitEnv, ...auth.env },
      ...(this.#o.baseEnv ? { baseEnv: this.#o.baseEnv } : {}),
      ...(this.#o.signal ? { signal: this.#o.signal } : {}),
    });
    return { runner, auth };
  }

  async #initMirror(): Promise<void> {
    await mkdir(this.#mirror, { recursive: true });
    const exists = await stat(join(this.#mirror, 'HEAD')).then(() => true, () => false);
    if (exists) return;
    const runner = new GitRunner({
      cwd: this.#mirror,
      timeoutMs: this.#o.timeoutMs ?? 60_000,
      ...(this.#o.gitEnv ? { gitEnv: this.#o.gitEnv } : {}),
      ...(this.#o.baseEnv ? { baseEnv: this.#o.baseEnv } : {}),
    });
    try {
      // Not --quiet: simple-git waits 50 ms more for a command that printed nothing.
      await runner.raw(['init', '--bare', '.']);
    } catch (err) {
      this.#ready = undefined;
      throw sourceError('git', `cannot create the mirror in ${this.#mirror}`, { cause: err });
    }
  }
}

function normalizeSubPath(path: string): string {
  const p = path.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/^\/+|\/+$/g, '');
  return p === '.' ? '' : p;
}

/**
 * Entries that could make a revision mean something other than its files say: a link (its target
 * is not read, so its policies would silently vanish), a submodule (its content is not in this
 * repository), or a `..`/`.` path segment (a crafted tree). Each is an error, so the revision
 * applies nothing, unless the path is hidden or ignored anyway.
 */
function unsafeEntries(entries: readonly TreeEntry[], rules: IgnoreRules, repoPath: (p: string) => string): Issue[] {
  const out: Issue[] = [];
  const skipped = skippedPathCheck(rules);
  for (const e of entries) {
    const segments = e.path.split('/');
    if (segments.some((s) => s === '..' || s === '.' || s === '')) {
      out.push(issue(repoPath(e.path), 'unsafe-path', 'tree entry with a "." or ".." path segment; the revision is not applied'));
      continue;
    }
    if (skipped(e.path)) continue;
    if (e.mode === '120000') out.push(issue(repoPath(e.path), 'symlink', 'symbolic link: policy files must be regular files (links are not followed); the revision is not applied'));
    else if (e.type === 'commit') out.push(issue(repoPath(e.path), 'submodule', 'submodule: its files are not in this repository and are not read; the revision is not applied'));
  }
  return out;
}

function issue(file: string, code: string, message: string): Issue {
  return { severity: 'error', file, line: 0, column: 0, path: '', message, code };
}
