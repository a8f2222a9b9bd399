// One level of `git diff-tree -r --raw --no-renames` between two parsed tree objects: the blob,
// link and submodule entries that were added, deleted, modified or changed type, and the
// sub-trees to descend into (only where the ids differ, so unchanged sub-trees cost nothing). A
// tree replaced by a blob is the tree's entries deleted and the blob added, and the other way
// round. Pure; tree-walk.ts applies it level by level.
import { typeOfMode, type TreeObjectEntry } from './git-objects.js';
import type { TreeChange } from './tree-state.js';

/** A sub-tree to diff next; a missing side is an empty tree (everything added or deleted). */
export interface TreeDescent {
  readonly path: string;
  readonly before?: string;
  readonly after?: string;
}

export interface TreeLevelDiff {
  readonly changes: TreeChange[];
  readonly descend: TreeDescent[];
}

/** `prefix` is the level's path ('' at the top); paths are `prefix/name`. */
export function diffTreeLevel(before: readonly TreeObjectEntry[], after: readonly TreeObjectEntry[], prefix: string): TreeLevelDiff {
  const old = new Map(before.map((e) => [e.name, e]));
  const changes: TreeChange[] = [];
  const descend: TreeDescent[] = [];
  const at = (name: string): string => (prefix ? `${prefix}/${name}` : name);
  for (const e of after) {
    const path = at(e.name);
    const was = old.get(e.name);
    old.delete(e.name);
    const isTree = e.mode === '040000';
    const wasTree = was?.mode === '040000';
    if (was && was.sha === e.sha && was.mode === e.mode) continue;
    if (isTree || wasTree) descend.push({ path, ...(wasTree && was ? { before: was.sha } : {}), ...(isTree ? { after: e.sha } : {}) });
    if (!isTree) changes.push({ path, entry: { mode: e.mode, type: typeOfMode(e.mode), sha: e.sha, size: -1, path } });
    else if (was && !wasTree) changes.push({ path });
  }
  for (const was of old.values()) {
    const path = at(was.name);
    if (was.mode === '040000') descend.push({ path, before: was.sha });
    else changes.push({ path });
  }
  return { changes, descend };
}
