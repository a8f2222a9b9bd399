// One level of the in-process tree diff: what `git diff-tree -r --raw --no-renames` reports for the
// entries of two trees, and which sub-trees are left to descend into (only where the ids differ).
import { describe, expect, it } from 'vitest';
import type { TreeObjectEntry } from '../../agent/source/git-objects.js';
import { diffTreeLevel, type TreeLevelDiff } from '../../agent/source/tree-diff.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);

const blob = (name: string, sha: string, mode = '100644'): TreeObjectEntry => ({ mode, name, sha });
const tree = (name: string, sha: string): TreeObjectEntry => ({ mode: '040000', name, sha });
const added = (path: string, sha: string, mode = '100644', type = 'blob') => ({ path, entry: { mode, type, sha, size: -1, path } });

describe('diffTreeLevel', () => {
  type Case = readonly [string, readonly TreeObjectEntry[], readonly TreeObjectEntry[], string, TreeLevelDiff];
  it.each<Case>([
    ['identical trees', [blob('a.yaml', A), tree('sub', B)], [blob('a.yaml', A), tree('sub', B)], '', { changes: [], descend: [] }],
    ['a modified blob', [blob('a.yaml', A)], [blob('a.yaml', B)], 'policies', { changes: [added('policies/a.yaml', B)], descend: [] }],
    ['a mode change only (made executable)', [blob('a.yaml', A)], [blob('a.yaml', A, '100755')], '', { changes: [added('a.yaml', A, '100755')], descend: [] }],
    ['an added and a deleted blob', [blob('a.yaml', A)], [blob('b.yaml', B)], '', { changes: [added('b.yaml', B), { path: 'a.yaml' }], descend: [] }],
    ['a blob replaced by a symlink (type change)', [blob('c.yml', A)], [blob('c.yml', B, '120000')], 's', { changes: [added('s/c.yml', B, '120000')], descend: [] }],
    ['an added submodule', [], [blob('vendored', C, '160000')], '', { changes: [added('vendored', C, '160000', 'commit')], descend: [] }],
    ['a submodule moved to another commit', [blob('vendored', A, '160000')], [blob('vendored', B, '160000')], '', { changes: [added('vendored', B, '160000', 'commit')], descend: [] }],
    ['a changed sub-tree: descend into both', [tree('sub', A)], [tree('sub', B)], 'p', { changes: [], descend: [{ path: 'p/sub', before: A, after: B }] }],
    ['an added sub-tree: descend into the new one', [], [tree('sub', B)], '', { changes: [], descend: [{ path: 'sub', after: B }] }],
    ['a deleted sub-tree: descend into the old one', [tree('sub', A)], [], '', { changes: [], descend: [{ path: 'sub', before: A }] }],
    ['a tree replaced by a blob', [tree('x', A)], [blob('x', B)], '', { changes: [added('x', B)], descend: [{ path: 'x', before: A }] }],
    ['a blob replaced by a tree', [blob('x', A)], [tree('x', B)], '', { changes: [{ path: 'x' }], descend: [{ path: 'x', after: B }] }],
    ['an unchanged sub-tree next to a changed blob', [tree('same', C), blob('a.yaml', A)], [tree('same', C), blob('a.yaml', B)], '', { changes: [added('a.yaml', B)], descend: [] }],
  ])('%s', (_name, before, after, prefix, expected) => {
    expect(diffTreeLevel(before, after, prefix)).toEqual(expected);
  });
});
