// The Git source: a bare mirror in a cache dir, fetched on every look (a fetch with nothing new is
// one ref advertisement, like `ls-remote`), and snapshots read straight from the object store
// (ls-tree + cat-file --batch, no checkout).
// Incremental: the previous snapshot's tree (every path and what it is) and blob contents (by
// sha) are kept, so a new revision costs one `diff-tree` against it and reads only the blobs that
// changed; a rewritten history or a change of the ignore rules lists the whole tree again.
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Issue } from '../domain/issue.js';
import type { Logger } from '../domain/runtime.js';
import type { SnapshotFile, SourceSnapshot } from '../domain/source-snapshot.js';
import { resolveGitAuth, type GitAuthOptions, type GitCredentials } from './git-auth.js';
import { classifyGitFailure, sourceError } from './git-errors.js';
import { GitRunner } from './git-runner.js';
import { IGNORE_FILE, parseIgnoreFile } from './ignore-rules.js';
import { fileSizeProblem, type SizeLimits } from './select-files.js';
import { commitParents, parseCommitDiff } from './tree-diff.js';
import { applyTreeChanges, changedNodes, selectFromTree, treeState, type TreeState } from './tree-state.js';
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
  /** Read as the previous tree plus a diff, not a listing of the whole tree. */
  readonly incremental: boolean;
}

const MIRROR_REF = 'refs/calico-gitops/head';

type Selection = ReturnType<typeof selectFromTree>;

/** One read of a revision, not yet taken as the current one. */
interface TreeRead {
  readonly snapshot: SourceSnapshot;
  /** Absent when the policy folder does not exist at the revision. */
  readonly tree?: TreeState;
  readonly cache: Map<string, string>;
  readonly stats?: SnapshotStats;
}

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
  /** The tree of `#last`, so the next revision is read as a diff against it. */
  #tree: TreeState | undefined;
  #applied: string | undefined;
  #ready: Promise<void> | undefined;
  /** Serializes mirror-writing work: two fetches into one mirror would fight over ref locks. */
  #queue: Promise<unknown> = Promise.resolve();
  #stats: SnapshotStats = { listed: 0, policyFiles: 0, blobsRead: 0, blobsReused: 0, incremental: false };

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
    return this.#head(runner, auth);
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
    return this.#keep(await this.#readTree(runner, auth, await this.#commit(runner, auth, revision)));
  }

  async #commit(runner: GitRunner, auth: GitAuthOptions, revision: string): Promise<CommitInfo> {
    const meta = await this.#run(runner, auth, 'log', ['log', '-1', '--no-show-signature', '--format=%H%x00%an <%ae>%x00%B', revision]);
    const [sha = revision, author = '', message = ''] = meta.split('\0');
    return { sha, author, message };
  }

  // The whole tree: `ls-tree -r -l` of the commit, every path judged against the ignore rules.
  async #readTree(runner: GitRunner, auth: GitAuthOptions, { sha, author, message }: CommitInfo): Promise<TreeRead> {
    const treeish = this.#subPath ? `${sha}:${this.#subPath}` : sha;
    let entries: TreeEntry[];
    try {
      entries = listTree(await runner.raw(['ls-tree', '-r', '-l', '-z', treeish]));
    } catch (err) {
      if (/not a valid object name|not a tree object/i.test(String(err))) {
        // A problem of this commit, not of the source: it is reported on the commit, and an empty
        // file list with an error applies nothing (rather than deleting everything).
        const error = issue('', 'path-not-found', `path ${this.#subPath} does not exist at ${sha.slice(0, 12)} of ${redactUrl(this.#o.url)}`);
        return { snapshot: { revision: sha, author, message: trimMessage(message), files: [], issues: { errors: [error], warnings: [] } }, cache: new Map() };
      }
      throw classifyGitFailure(err, { url: this.#o.url, op: 'ls-tree', secrets: auth.secrets, aborted: runner.aborted });
    }
    const before = runner.blobsRead;
    // The ignore file decides what else to read, so it is read on its own first.
    const ignoreEntry = entries.find((e) => e.path === IGNORE_FILE && e.type === 'blob');
    const rules = ignoreEntry
      ? parseIgnoreFile(this.#decode(await this.#readBlobs(runner, auth, [ignoreEntry.sha]), ignoreEntry.sha) ?? '')
      : parseIgnoreFile('');
    const tree = treeState({ revision: sha, entries, rules });
    const selection = this.#select(tree);
    const read = await this.#readBlobs(runner, auth, this.#toRead(tree, selection.selected));
    return this.#build({ tree, selection, read, commit: { sha, author, message }, blobsRead: runner.blobsRead - before, incremental: false });
  }

  /**
   * The previous tree plus the paths `diff-tree` says changed since it: one git process for the
   * commit and its changes, then one for the sizes and contents of what changed. `undefined` when
   * the whole tree must be listed instead: no previous tree, the ignore rules changed (every path
   * is judged again), the policy folder vanished or became a file, or git answered unexpectedly.
   */
  async #readIncremental(runner: GitRunner, head: string, withParents: boolean): Promise<{ read: TreeRead; parents: readonly string[] } | undefined> {
    const previous = this.#tree;
    if (!previous) return undefined;
    try {
      const pathspec = this.#subPath ? ['--', `:(literal)${this.#subPath}`] : [];
      const out = await runner.withInput(
        ['diff-tree', '--stdin', '-r', '-z', '--raw', '--no-renames', '--no-relative', '--always', '--format=%H%x00%an <%ae>%x00%B', ...pathspec],
        `${head} ${previous.revision}\n`,
      );
      const diff = parseCommitDiff(out.toString('utf8'), this.#subPath);
      if (!diff || diff.sha !== head || diff.changes.some((c) => c.path === IGNORE_FILE)) return undefined;
      const changed = changedNodes(previous, diff.changes);
      // A diff gives no sizes: the changed entries that may be read are sized first.
      const unsized = [...changed.values()].flatMap((n) => (n && (n.kind === 'policy' || n.entry.path === INTENTS_FILE) ? [n.entry] : []));
      const before = runner.blobsRead;
      let tree: TreeState | undefined;
      let selection: Selection = { selected: [], errors: [] };
      const read = await runner.sizesThenBlobs([...new Set(unsized.map((e) => e.sha))], (sizes) => {
        for (const entry of unsized) {
          const size = sizes.get(entry.sha);
          if (size === undefined) throw new Error(`object ${entry.sha} of ${entry.path} is missing from the mirror`);
          const node = changed.get(entry.path);
          if (node) changed.set(entry.path, { ...node, entry: { ...entry, size } });
        }
        tree = applyTreeChanges(previous, head, changed);
        // The folder vanished (no entry is left): the whole listing says so.
        if (tree.nodes.size === 0) return [];
        selection = this.#select(tree);
        // The commit object too, for its parents: a push on top of the previous revision needs no rev-list.
        return [...this.#toRead(tree, selection.selected), ...(withParents ? [head] : [])];
      });
      if (!tree || tree.nodes.size === 0) return undefined;
      return { read: this.#build({ tree, selection, read, commit: diff, blobsRead: runner.blobsRead - before, incremental: true }), parents: commitParents(read.get(head)?.content) };
    } catch (err) {
      this.#o.logger.debug({ err: String(err), revision: head }, 'incremental read failed; listing the whole tree');
      return undefined;
    }
  }

  #select(tree: TreeState): Selection {
    return selectFromTree(tree, { ...(this.#o.limits ? { limits: this.#o.limits } : {}), where: `repository ${redactUrl(this.#o.url)}`, display: (p) => this.#repoPath(p) });
  }

  /** Blobs not in the cache: the selected files and the intents file within the size limit. */
  #toRead(tree: TreeState, selected: readonly TreeEntry[]): string[] {
    const shas = new Set<string>();
    for (const e of selected) if (!this.#blobCache.has(e.sha)) shas.add(e.sha);
    const intents = intentsEntry(tree);
    if (intents && !this.#blobCache.has(intents.sha) && !fileSizeProblem(INTENTS_FILE, intents.size, this.#o.limits)) shas.add(intents.sha);
    return [...shas];
  }

  #build(o: { tree: TreeState; selection: Selection; read: Map<string, { content: Buffer }>; commit: CommitInfo; blobsRead: number; incremental: boolean }): TreeRead {
    const { tree, selection, read } = o;
    const errors = [...selection.errors];
    const cache = new Map<string, string>();
    const contentOf = (sha: string): string | undefined => {
      const content = this.#blobCache.get(sha) ?? cache.get(sha) ?? this.#decode(read, sha);
      if (content !== undefined) cache.set(sha, content);
      return content;
    };
    const files: SnapshotFile[] = [];
    let reused = 0;
    for (const entry of selection.selected) {
      if (this.#blobCache.has(entry.sha)) reused++;
      const content = contentOf(entry.sha);
      if (content === undefined) errors.push(issue(this.#repoPath(entry.path), 'not-utf8', 'file is not valid UTF-8 text'));
      else files.push({ path: this.#repoPath(entry.path), content, blob: entry.sha });
    }
    // The declared intents live in a hidden directory, so the policy selection skips them.
    const entry = intentsEntry(tree);
    let intents: { path: string; content: string } | undefined;
    if (entry) {
      const path = this.#repoPath(INTENTS_FILE);
      const content = fileSizeProblem(path, entry.size, this.#o.limits) ? undefined : contentOf(entry.sha);
      if (content === undefined) errors.push(issue(path, 'intents', 'the intents file could not be read (too large or not UTF-8)'));
      else intents = { path, content };
    }
    const { sha: revision, author, message } = o.commit;
    const stats = { listed: tree.nodes.size, policyFiles: files.length, blobsRead: o.blobsRead, blobsReused: reused, incremental: o.incremental };
    const snapshot = { revision, author, message: trimMessage(message), files, issues: { errors, warnings: [] }, ...(intents ? { intents } : {}) };
    return { snapshot, tree, cache, stats };
  }

  #repoPath(p: string): string {
    return this.#subPath ? `${this.#subPath}/${p}` : p;
  }

  /** Takes a read's results as the current ones: its blobs are the cache (bounded by one tree). */
  #keep(read: TreeRead): SourceSnapshot {
    this.#blobCache = read.cache;
    if (read.stats) this.#stats = read.stats;
    return read.snapshot;
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
  // two. A moved head is read as the previous tree plus a diff; a rewritten history (or no
  // previous tree) is listed whole.
  async #latest(): Promise<SourceResult> {
    const previous = this.#applied ?? this.#last?.revision;
    const { runner, auth } = await this.#runner();
    await this.#fetchInto(runner, auth);
    const head = await this.#head(runner, auth);
    if (this.#last && this.#last.revision === head) {
      return { snapshot: this.#last, forcePush: false, changed: false, ...(previous ? { previous } : {}) };
    }
    // A commit on top of the previous one (the usual push) descends by its parents, no rev-list.
    const trivial = previous === undefined || previous === head;
    const incremental = this.#tree ? await this.#readIncremental(runner, head, !trivial) : undefined;
    const known = trivial || incremental?.parents.includes(previous) === true;
    const ancestry = known ? Promise.resolve(true) : this.isAncestor(previous, head);
    const whole = async (): Promise<TreeRead> => this.#readTree(runner, auth, await this.#commit(runner, auth, head));
    let read: TreeRead;
    let descends: boolean | undefined;
    if (incremental) {
      descends = await ancestry;
      read = descends === true ? incremental.read : await whole();
    } else {
      [read, descends] = await Promise.all([whole(), ancestry]);
    }
    const forcePush = descends === false;
    if (forcePush) this.#o.logger.warn({ previous, revision: read.snapshot.revision }, 'branch history was rewritten (force-push)');
    if (descends === undefined) this.#o.logger.warn({ previous, revision: read.snapshot.revision }, 'could not tell whether the new revision descends from the previous one (git could not compare them)');
    const snapshot = this.#keep(read);
    this.#last = snapshot;
    this.#tree = read.tree;
    return { snapshot, forcePush, changed: true, ...(previous ? { previous } : {}) };
  }

  // The fetched head without a git process: fetch writes the ref as a loose file. Packed (after a
  // gc) or in another ref store, git is asked.
  async #head(runner: GitRunner, auth: GitAuthOptions): Promise<string> {
    const loose = (await readFile(join(this.#mirror, MIRROR_REF), 'utf8').catch(() => '')).trim();
    if (/^([0-9a-f]{40}|[0-9a-f]{64})$/.test(loose)) return loose;
    return (await this.#run(runner, auth, 'rev-parse', ['rev-parse', '--verify', `${MIRROR_REF}^{commit}`])).trim();
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

function trimMessage(message: string): string {
  return message.replace(/\n+$/, '\n');
}

function intentsEntry(tree: TreeState): TreeEntry | undefined {
  const e = tree.nodes.get(INTENTS_FILE)?.entry;
  return e && e.type === 'blob' && e.mode !== '120000' ? e : undefined;
}

function issue(file: string, code: string, message: string): Issue {
  return { severity: 'error', file, line: 0, column: 0, path: '', message, code };
}
