// The recursive diff over tree objects: what it reports (as diff-tree -r would) and which trees it
// asks for (unchanged sub-trees never), with trees held in memory.
import { describe, expect, it } from 'vitest';
import type { TreeObjectEntry } from '../../agent/source/git-objects.js';
import type { TreeChange } from '../../agent/source/tree-state.js';
import { diffTrees, resolveFolders, type TreeObjects } from '../../agent/source/tree-walk.js';

const id = (n: number): string => n.toString(16).padStart(40, '0');
const blob = (name: string, n: number, mode = '100644'): TreeObjectEntry => ({ mode, name, sha: id(n) });
const dir = (name: string, n: number): TreeObjectEntry => ({ mode: '040000', name, sha: id(n) });

// Trees 100+; blobs below 100.
const TREES = new Map<string, readonly TreeObjectEntry[]>([
  [id(100), [blob('a.yaml', 1), dir('same', 110), dir('sub', 120)]],
  [id(101), [blob('a.yaml', 2), dir('same', 110), dir('sub', 121), dir('new', 130)]],
  [id(110), [dir('deep', 111)]],
  [id(111), [blob('x.yaml', 3)]],
  [id(120), [blob('b.yaml', 4), dir('gone', 122)]],
  [id(121), [blob('b.yaml', 4), blob('gone', 5)]],
  [id(122), [blob('c.yaml', 6), blob('d.yaml', 7)]],
  [id(130), [blob('n.yaml', 8, '120000')]],
  [id(200), [dir('policies', 100), blob('README', 9)]],
  [id(201), [dir('policies', 101), blob('README', 10)]],
  [id(202), [blob('policies', 11)]],
]);

function memory(): { objects: TreeObjects; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    objects: {
      trees: (shas) => {
        asked.push(...shas);
        const out = new Map<string, readonly TreeObjectEntry[]>();
        for (const sha of shas) {
          const t = TREES.get(sha);
          if (!t) return Promise.reject(new Error(`no tree ${sha}`));
          out.set(sha, t);
        }
        return Promise.resolve(out);
      },
    },
  };
}

const add = (path: string, n: number, mode = '100644'): TreeChange => ({ path, entry: { mode, type: 'blob', sha: id(n), size: -1, path } });

describe('diffTrees', () => {
  it.each<readonly [string, number, number, readonly TreeChange[], readonly number[]]>([
    ['the same tree: nothing asked', 100, 100, [], []],
    [
      'a modified blob, a folder replaced by a file, an added folder; the unchanged one never read',
      100,
      101,
      [add('a.yaml', 2), add('sub/gone', 5), add('new/n.yaml', 8, '120000'), { path: 'sub/gone/c.yaml' }, { path: 'sub/gone/d.yaml' }],
      [100, 101, 120, 121, 130, 122],
    ],
    ['the other way: a file replaced by a folder, a folder deleted', 101, 100, [add('a.yaml', 1), { path: 'sub/gone' }, { path: 'new/n.yaml' }, add('sub/gone/c.yaml', 6), add('sub/gone/d.yaml', 7)], [101, 100, 121, 120, 130, 122]],
  ])('%s', async (_name, before, after, changes, asked) => {
    const m = memory();
    const got = await diffTrees(m.objects, id(before), id(after));
    expect([...got].sort((a, b) => a.path.localeCompare(b.path))).toEqual([...changes].sort((a, b) => a.path.localeCompare(b.path)));
    expect(m.asked.sort()).toEqual(asked.map(id).sort());
  });

  it('rejects when a tree cannot be read (the caller lists the whole tree)', async () => {
    await expect(diffTrees(memory().objects, id(100), id(999))).rejects.toThrow(/no tree/);
  });
});

describe('resolveFolders', () => {
  it.each<readonly [string, readonly number[], string, readonly (number | undefined)[]]>([
    ['the root', [200, 201], '', [200, 201]],
    ['a folder in both', [200, 201], 'policies', [100, 101]],
    ['a nested folder', [200, 201], 'policies/sub', [120, 121]],
    ['a file where the folder was', [200, 202], 'policies', [100, undefined]],
    ['a folder that does not exist', [200], 'nope/deeper', [undefined]],
    ['a path through a file', [200], 'policies/a.yaml/x', [undefined]],
  ])('%s', async (_name, roots, path, expected) => {
    expect(await resolveFolders(memory().objects, roots.map(id), path)).toEqual(expected.map((n) => (n === undefined ? undefined : id(n))));
  });
});
