// Reads the policy files of one revision from the mirror: the whole tree (`ls-tree -r -l`, every
// path judged against the ignore rules) or, when the previous revision's tree is kept, that tree
// plus a diff of the two revisions' trees walked through the mirror's long-lived cat-file. Blob contents are kept by sha
// between revisions, so only changed blobs are read either way.
import type { Issue } from '../domain/issue.js';
import type { Logger } from '../domain/runtime.js';
import type { SnapshotFile, SourceSnapshot } from '../domain/source-snapshot.js';
import { redactUrl } from '../domain/redact.js';
import { INTENTS_FILE } from '../connectivity/intents.js';
import type { GitAuthOptions } from './git-auth.js';
import { classifyGitFailure } from './git-errors.js';
import type { GitRunner } from './git-runner.js';
import { IGNORE_FILE, parseIgnoreFile } from './ignore-rules.js';
import { fileSizeProblem, type SizeLimits } from './select-files.js';
import { parseCommitObject, type CommitObject } from './git-objects.js';
import type { ObjectStore, StoredObject } from './object-store.js';
import { diffTrees, resolveFolders, TreeCache } from './tree-walk.js';
import { listTree, type TreeEntry } from './tree-listing.js';
import { applyTreeChanges, changedNodes, selectFromTree, treeState, type TreeState } from './tree-state.js';

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

export interface CommitInfo {
  readonly sha: string;
  readonly author: string;
  readonly message: string;
}

type Selection = ReturnType<typeof selectFromTree>;

/** One read of a revision, not yet taken as the current one. */
export interface TreeRead {
  readonly snapshot: SourceSnapshot;
  /** Absent when the policy folder does not exist at the revision. */
  readonly tree?: TreeState;
  readonly cache: Map<string, string>;
  readonly stats?: SnapshotStats;
}

export class TreeReader {
  readonly #o: { readonly url: string; readonly subPath: string; readonly limits?: Partial<SizeLimits>; readonly logger: Logger };
  readonly #decoder = new TextDecoder('utf-8', { fatal: true });
  #blobCache = new Map<string, string>();
  /** The tree of the source's latest snapshot. */
  #tree: TreeState | undefined;
  /** Parsed tree objects, kept across revisions (incremental reads). */
  #trees: TreeCache | undefined;
  #stats: SnapshotStats = { listed: 0, policyFiles: 0, blobsRead: 0, blobsReused: 0, incremental: false };

  /** `subPath`: the policy folder, normalized ('' for the root). */
  constructor(options: { readonly url: string; readonly subPath: string; readonly limits?: Partial<SizeLimits>; readonly logger: Logger }) {
    this.#o = options;
  }

  get stats(): SnapshotStats {
    return this.#stats;
  }

  /** Whether a previous tree is kept (an incremental read is possible). */
  get hasTree(): boolean {
    return this.#tree !== undefined;
  }

  // The whole tree: `ls-tree -r -l` of the commit, every path judged against the ignore rules.
  async whole(runner: GitRunner, auth: GitAuthOptions, { sha, author, message }: CommitInfo): Promise<TreeRead> {
    const treeish = this.#o.subPath ? `${sha}:${this.#o.subPath}` : sha;
    let entries: TreeEntry[];
    try {
      entries = listTree(await runner.raw(['ls-tree', '-r', '-l', '-z', treeish]));
    } catch (err) {
      if (/not a valid object name|not a tree object/i.test(String(err))) {
        // A problem of this commit, not of the source: it is reported on the commit, and an empty
        // file list with an error applies nothing (rather than deleting everything).
        const error = issue('', 'path-not-found', `path ${this.#o.subPath} does not exist at ${sha.slice(0, 12)} of ${redactUrl(this.#o.url)}`);
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
   * The previous tree plus what changed since it, all through the mirror's long-lived cat-file: the
   * head commit (author, message, parents), the policy folder's trees where they differ from the
   * previous revision's, then the sizes and contents of what changed. `undefined` when the whole
   * tree must be listed instead: no previous tree, the ignore rules changed (every path is judged
   * again), the policy folder vanished or became a file, or git answered unexpectedly.
   */
  async incremental(store: ObjectStore, head: string): Promise<{ read: TreeRead; parents: readonly string[] } | undefined> {
    const previous = this.#tree;
    if (!previous) return undefined;
    try {
      const commits = await store.contents([...new Set([head, previous.revision])]);
      const commit = parseCommit(commits.get(head));
      const before = parseCommit(commits.get(previous.revision));
      if (!commit || !before) return undefined;
      if (this.#trees?.idBytes !== head.length / 2) this.#trees = new TreeCache({ store, idBytes: head.length / 2 });
      const [from, to] = await resolveFolders(this.#trees, [before.tree, commit.tree], this.#o.subPath);
      if (from === undefined || to === undefined) return undefined;
      const changes = await diffTrees(this.#trees, from, to);
      if (changes.some((c) => c.path === IGNORE_FILE)) return undefined;
      const changed = changedNodes(previous, changes);
      // A tree gives no sizes: the changed entries that may be read are sized first.
      const unsized = [...changed.values()].flatMap((n) => (n && (n.kind === 'policy' || n.entry.path === INTENTS_FILE) ? [n.entry] : []));
      const sizes = await store.info([...new Set(unsized.map((e) => e.sha))]);
      for (const entry of unsized) {
        const size = sizes.get(entry.sha)?.size;
        if (size === undefined) throw new Error(`object ${entry.sha} of ${entry.path} is missing from the mirror`);
        const node = changed.get(entry.path);
        if (node) changed.set(entry.path, { ...node, entry: { ...entry, size } });
      }
      const tree = applyTreeChanges(previous, head, changed);
      // The folder vanished (no entry is left): the whole listing says so.
      if (tree.nodes.size === 0) return undefined;
      const selection = this.#select(tree);
      const read = await store.contents(this.#toRead(tree, selection.selected));
      const blobsRead = [...read.values()].filter((o) => o.type === 'blob').length;
      const info = { sha: head, author: commit.author, message: commit.message };
      return { read: this.#build({ tree, selection, read: contentsOf(read), commit: info, blobsRead, incremental: true }), parents: commit.parents };
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
    return this.#o.subPath ? `${this.#o.subPath}/${p}` : p;
  }

  /**
   * Takes a read's results as the current ones: its blobs are the cache (bounded by one tree) and,
   * for the source's latest snapshot, its tree is what the next revision is diffed against.
   */
  keep(read: TreeRead, o: { readonly latest: boolean }): SourceSnapshot {
    this.#blobCache = read.cache;
    if (read.stats) this.#stats = read.stats;
    if (o.latest) this.#tree = read.tree;
    return read.snapshot;
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
}

function parseCommit(object: StoredObject | undefined): CommitObject | undefined {
  return object?.type === 'commit' && object.content ? parseCommitObject(object.content) : undefined;
}

function contentsOf(read: ReadonlyMap<string, StoredObject>): Map<string, { content: Buffer }> {
  const out = new Map<string, { content: Buffer }>();
  for (const [sha, o] of read) if (o.content) out.set(sha, { content: o.content });
  return out;
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
