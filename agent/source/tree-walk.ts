// Diffs two trees of the mirror in-process, as `git diff-tree -r --raw --no-renames` would,
// reading tree objects through the long-lived cat-file (object-store.ts): level by level, one
// round trip per level for every sub-tree that differs, and parsed trees kept by id (they are
// immutable), so the previous revision's trees are usually known already.
import type { ObjectStore } from './object-store.js';
import { parseTreeObject, type TreeObjectEntry } from './git-objects.js';
import { diffTreeLevel, type TreeDescent } from './tree-diff.js';
import type { TreeChange } from './tree-state.js';

export interface TreeObjects {
  /** Parsed tree objects by id; rejects when one is missing or not a tree. */
  trees(shas: readonly string[]): Promise<ReadonlyMap<string, readonly TreeObjectEntry[]>>;
}

// Entries, not trees: one flat folder of 10,000 files weighs as much as 10,000 small trees. About
// 150 bytes each, so a few megabytes: several revisions of a large policy folder.
const CACHE_ENTRIES = 50_000;

/** Parsed trees by id, least recently used dropped first beyond a bound. */
export class TreeCache implements TreeObjects {
  readonly #store: ObjectStore;
  readonly #idBytes: number;
  readonly #cache = new Map<string, readonly TreeObjectEntry[]>();
  #entries = 0;

  constructor(options: { readonly store: ObjectStore; readonly idBytes: number }) {
    this.#store = options.store;
    this.#idBytes = options.idBytes;
  }

  /** 20 for sha-1 ids, 32 for sha-256. */
  get idBytes(): number {
    return this.#idBytes;
  }

  async trees(shas: readonly string[]): Promise<ReadonlyMap<string, readonly TreeObjectEntry[]>> {
    const out = new Map<string, readonly TreeObjectEntry[]>();
    const missing: string[] = [];
    for (const sha of new Set(shas)) {
      const hit = this.#cache.get(sha);
      if (hit) {
        // Re-inserted: Map order is the recency order.
        this.#cache.delete(sha);
        this.#cache.set(sha, hit);
        out.set(sha, hit);
      } else missing.push(sha);
    }
    const read = await this.#store.contents(missing);
    for (const sha of missing) {
      const object = read.get(sha);
      if (!object || object.type !== 'tree' || !object.content) throw new Error(`tree ${sha} is not in the mirror`);
      const entries = parseTreeObject(object.content, this.#idBytes);
      if (!entries) throw new Error(`tree ${sha} could not be parsed`);
      out.set(sha, entries);
      this.#remember(sha, entries);
    }
    return out;
  }

  #remember(sha: string, entries: readonly TreeObjectEntry[]): void {
    this.#cache.set(sha, entries);
    this.#entries += entries.length;
    for (const [old, e] of this.#cache) {
      if (this.#entries <= CACHE_ENTRIES || old === sha) break;
      this.#cache.delete(old);
      this.#entries -= e.length;
    }
  }
}

/**
 * The tree at the literal `path` ('' for the root) under each of `roots`, looked up together (one
 * round trip per path segment): `undefined` where the path is missing or not a tree.
 */
export async function resolveFolders(objects: TreeObjects, roots: readonly string[], path: string): Promise<(string | undefined)[]> {
  let at: (string | undefined)[] = [...roots];
  for (const name of path ? path.split('/') : []) {
    const trees = await objects.trees(at.filter((s): s is string => s !== undefined));
    at = at.map((sha) => {
      const entry = sha === undefined ? undefined : trees.get(sha)?.find((e) => e.name === name);
      return entry?.mode === '040000' ? entry.sha : undefined;
    });
  }
  return at;
}

/** Every changed blob, link and submodule path between two trees (paths relative to them). */
export async function diffTrees(objects: TreeObjects, before: string, after: string): Promise<TreeChange[]> {
  const changes: TreeChange[] = [];
  let level: TreeDescent[] = before === after ? [] : [{ path: '', before, after }];
  while (level.length > 0) {
    const trees = await objects.trees(level.flatMap((d) => [d.before, d.after].filter((s): s is string => s !== undefined)));
    const next: TreeDescent[] = [];
    for (const d of level) {
      const diff = diffTreeLevel(side(trees, d.before), side(trees, d.after), d.path);
      changes.push(...diff.changes);
      next.push(...diff.descend);
    }
    level = next;
  }
  return changes;
}

function side(trees: ReadonlyMap<string, readonly TreeObjectEntry[]>, sha: string | undefined): readonly TreeObjectEntry[] {
  if (sha === undefined) return [];
  const entries = trees.get(sha);
  if (!entries) throw new Error(`tree ${sha} was not read`);
  return entries;
}
