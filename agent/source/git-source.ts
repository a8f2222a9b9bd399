// The Git source: a bare mirror in a cache dir, fetched on every look (a fetch with nothing new is
// one ref advertisement, like `ls-remote`), and snapshots read straight from the object store by
// tree-reader.ts (no checkout): a new revision as the previous tree plus a diff, a rewritten
// history as a whole listing.
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../domain/runtime.js';
import type { SourceSnapshot } from '../domain/source-snapshot.js';
import { resolveGitAuth, type GitAuthOptions, type GitCredentials } from './git-auth.js';
import { classifyGitFailure, sourceError } from './git-errors.js';
import { GitRunner, gitEnvironment } from './git-runner.js';
import { ObjectStore } from './object-store.js';
import type { SizeLimits } from './select-files.js';
import { redactUrl } from '../domain/redact.js';
import { TreeReader, type CommitInfo, type SnapshotStats, type TreeRead } from './tree-reader.js';

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

const MIRROR_REF = 'refs/calico-gitops/head';

export class GitSource {
  readonly #o: GitSourceOptions;
  readonly #mirror: string;
  readonly #reader: TreeReader;
  #last: SourceSnapshot | undefined;
  #applied: string | undefined;
  #ready: Promise<void> | undefined;
  /** The mirror's long-lived cat-file, for incremental reads; started on first use. */
  #store: ObjectStore | undefined;
  /** Serializes mirror-writing work: two fetches into one mirror would fight over ref locks. */
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(options: GitSourceOptions) {
    this.#o = options;
    const id = createHash('sha256').update(`${redactUrl(options.url)}\n${options.branch}`).digest('hex').slice(0, 16);
    this.#mirror = join(options.cacheDir, `mirror-${id}.git`);
    this.#reader = new TreeReader({ url: options.url, subPath: normalizeSubPath(options.path), logger: options.logger, ...(options.limits ? { limits: options.limits } : {}) });
  }

  /** Where the bare mirror lives (tests check its config holds no secret). */
  get mirrorDir(): string {
    return this.#mirror;
  }

  /** Counters of the last snapshot. */
  get lastStats(): SnapshotStats {
    return this.#reader.stats;
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
    return this.#reader.keep(await this.#reader.whole(runner, auth, await this.#commit(runner, auth, revision)), { latest: false });
  }

  async #commit(runner: GitRunner, auth: GitAuthOptions, revision: string): Promise<CommitInfo> {
    const meta = await this.#run(runner, auth, 'log', ['log', '-1', '--no-show-signature', '--format=%H%x00%an <%ae>%x00%B', revision]);
    const [sha = revision, author = '', message = ''] = meta.split('\0');
    return { sha, author, message };
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
    const incremental = this.#reader.hasTree && !this.#closed ? await this.#reader.incremental(this.#objects(), head) : undefined;
    const known = trivial || incremental?.parents.includes(previous) === true;
    const ancestry = known ? Promise.resolve(true) : this.isAncestor(previous, head);
    const whole = async (): Promise<TreeRead> => this.#reader.whole(runner, auth, await this.#commit(runner, auth, head));
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
    const snapshot = this.#reader.keep(read, { latest: true });
    this.#last = snapshot;
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

  /**
   * Ends the mirror's cat-file once the running operation is done; later reads list whole trees
   * (the controller role calls this on stop).
   */
  close(): Promise<void> {
    this.#closed = true;
    return this.#exclusive(async () => this.#store?.close());
  }

  // No credentials: cat-file reads only the local mirror, and this process lives long.
  #objects(): ObjectStore {
    this.#store ??= new ObjectStore({
      cwd: this.#mirror,
      env: gitEnvironment({ ...(this.#o.baseEnv ? { baseEnv: this.#o.baseEnv } : {}), ...(this.#o.gitEnv ? { gitEnv: this.#o.gitEnv } : {}) }),
      timeoutMs: this.#o.timeoutMs ?? 60_000,
      ...(this.#o.signal ? { signal: this.#o.signal } : {}),
    });
    return this.#store;
  }

  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
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

