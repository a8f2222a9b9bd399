// The policy tree of one revision and what each of its paths is (a policy file, a link, a
// submodule, a crafted path, anything else), kept between revisions: a new revision is the previous
// state plus the changed paths, so only those are judged against the ignore rules again (matching
// ~10,000 paths is what made every read slow). Pure; never mutates a state it is given.
import type { Issue } from '../domain/issue.js';
import { skippedPathCheck, type IgnoreRules } from './ignore-rules.js';
import { comparePaths, isPolicyCandidate, limitPolicyFiles, type SizeLimits } from './select-files.js';
import type { TreeEntry } from './tree-listing.js';

export type PathKind = 'unsafe-path' | 'symlink' | 'submodule' | 'policy' | 'other';

export interface TreeNode {
  readonly entry: TreeEntry;
  readonly kind: PathKind;
}

export interface TreeState {
  readonly revision: string;
  /** Every entry under the policy path, by path relative to it, with what it is. */
  readonly nodes: ReadonlyMap<string, TreeNode>;
  readonly rules: IgnoreRules;
}

/** One path of a tree diff: its new entry, or none when it was deleted. */
export interface TreeChange {
  readonly path: string;
  readonly entry?: TreeEntry;
}

export function treeState(input: { readonly revision: string; readonly entries: readonly TreeEntry[]; readonly rules: IgnoreRules }): TreeState {
  const skipped = skippedPathCheck(input.rules);
  const nodes = new Map<string, TreeNode>();
  for (const entry of input.entries) nodes.set(entry.path, { entry, kind: pathKind(entry, skipped) });
  return { revision: input.revision, nodes, rules: input.rules };
}

/**
 * What `changes` make of `state`'s paths, under its ignore rules (a change of the rules is a new
 * state): `kinds` to decide what to size and read before the changes are applied.
 */
export function changedNodes(state: TreeState, changes: readonly TreeChange[]): Map<string, TreeNode | undefined> {
  const skipped = skippedPathCheck(state.rules);
  return new Map(changes.map((c) => [c.path, c.entry ? { entry: c.entry, kind: pathKind(c.entry, skipped) } : undefined]));
}

/** `state` with `changed` (from changedNodes, deleted paths undefined) applied. */
export function applyTreeChanges(state: TreeState, revision: string, changed: ReadonlyMap<string, TreeNode | undefined>): TreeState {
  const nodes = new Map(state.nodes);
  for (const [path, node] of changed) {
    if (node) nodes.set(path, node);
    else nodes.delete(path);
  }
  return { revision, nodes, rules: state.rules };
}

/**
 * Entries that could make a revision mean something other than its files say: a link (its target
 * is not read, so its policies would silently vanish), a submodule (its content is not in this
 * repository), or a `..`/`.` path segment (a crafted tree). Each is an error, so the revision
 * applies nothing, unless the path is hidden or ignored anyway. The rest: a policy file by name
 * (YAML, not hidden or ignored, not under node_modules), or other.
 */
export function pathKind(e: TreeEntry, skipped: (path: string) => boolean): PathKind {
  if (e.path.split('/').some((s) => s === '..' || s === '.' || s === '')) return 'unsafe-path';
  if (skipped(e.path)) return 'other';
  if (e.mode === '120000') return 'symlink';
  if (e.type === 'commit') return 'submodule';
  return e.type === 'blob' && isPolicyCandidate(e.path, skipped) ? 'policy' : 'other';
}

const UNSAFE: Record<Exclude<PathKind, 'policy' | 'other'>, { code: string; message: string }> = {
  'unsafe-path': { code: 'unsafe-path', message: 'tree entry with a "." or ".." path segment; the revision is not applied' },
  symlink: { code: 'symlink', message: 'symbolic link: policy files must be regular files (links are not followed); the revision is not applied' },
  submodule: { code: 'submodule', message: 'submodule: its files are not in this repository and are not read; the revision is not applied' },
};

/**
 * The unsafe entries as errors, then the policy files within the size limits (path order) and the
 * limit errors: the same selection as readPolicyDir, so `plan --dir` and the agent agree.
 */
export function selectFromTree(
  state: TreeState,
  o: { readonly limits?: Partial<SizeLimits>; readonly where: string; readonly display: (path: string) => string },
): { readonly selected: TreeEntry[]; readonly errors: Issue[] } {
  const unsafe: Issue[] = [];
  const policy: TreeEntry[] = [];
  for (const [path, { entry, kind }] of state.nodes) {
    if (kind === 'policy') policy.push(entry);
    else if (kind !== 'other') unsafe.push(issue(o.display(path), UNSAFE[kind].code, UNSAFE[kind].message));
  }
  // Map order is the listing's (path order) with later additions at the end: nearly sorted.
  policy.sort((a, b) => comparePaths(a.path, b.path));
  unsafe.sort((a, b) => comparePaths(a.file, b.file));
  const limited = limitPolicyFiles({ candidates: policy, ...(o.limits ? { limits: o.limits } : {}), where: o.where, display: o.display });
  return { selected: limited.selected, errors: [...unsafe, ...limited.errors] };
}

function issue(file: string, code: string, message: string): Issue {
  return { severity: 'error', file, line: 0, column: 0, path: '', message, code };
}
