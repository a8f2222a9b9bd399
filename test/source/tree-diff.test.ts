import { describe, expect, it } from 'vitest';
import { commitParents, parseCommitDiff } from '../../agent/source/tree-diff.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const Z = '0'.repeat(40);
const header = `${A}\0Ann <ann@example.test>\0subject\n\nbody\n\0`;

describe('parseCommitDiff', () => {
  type Case = readonly [string, string, string, unknown];
  it.each<Case>([
    ['no change', header, 'policies', { sha: A, author: 'Ann <ann@example.test>', message: 'subject\n\nbody\n', changes: [] }],
    [
      'an add, a delete and a type change under the folder',
      `${header}\n:000000 100644 ${Z} ${B} A\0policies/a.yaml\0:100644 000000 ${B} ${Z} D\0policies/b.yaml\0:100644 120000 ${B} ${A} T\0policies/c d.yaml\0`,
      'policies',
      {
        changes: [
          { path: 'a.yaml', entry: { mode: '100644', type: 'blob', sha: B, size: -1, path: 'a.yaml' } },
          { path: 'b.yaml' },
          { path: 'c d.yaml', entry: { mode: '120000', type: 'blob', sha: A, size: -1, path: 'c d.yaml' } },
        ],
      },
    ],
    ['a submodule at the root', `${header}\n:000000 160000 ${Z} ${B} A\0vendored\0`, '', { changes: [{ path: 'vendored', entry: { mode: '160000', type: 'commit', sha: B, size: -1, path: 'vendored' } }] }],
  ])('%s', (_name, output, folder, expected) => {
    expect(parseCommitDiff(output, folder)).toMatchObject(expected as object);
  });

  it.each<readonly [string, string, string]>([
    ['the folder became a file', `${header}\n:040000 100644 ${B} ${A} T\0policies\0`, 'policies'],
    ['a path outside the folder', `${header}\n:000000 100644 ${Z} ${B} A\0other/a.yaml\0`, 'policies'],
    ['a rename record (not asked for)', `${header}\n:100644 100644 ${B} ${B} R100\0policies/a.yaml\0policies/b.yaml\0`, 'policies'],
    ['no commit header', `:000000 100644 ${Z} ${B} A\0policies/a.yaml\0`, 'policies'],
    ['a record without its path', `${header}\n:000000 100644 ${Z} ${B} A`, 'policies'],
  ])('%s: undefined (the whole tree is listed)', (_name, output, folder) => {
    expect(parseCommitDiff(output, folder)).toBeUndefined();
  });
});

describe('commitParents', () => {
  it.each<readonly [string, string | undefined, string[]]>([
    ['one parent', `tree ${A}\nparent ${B}\nauthor x\n\nmsg\nparent ${A}\n`, [B]],
    ['a merge', `tree ${A}\nparent ${A}\nparent ${B}\nauthor x\n\nmsg\n`, [A, B]],
    ['a root commit', `tree ${A}\nauthor x\n\nmsg\n`, []],
    ['not a commit (a tag object)', `object ${A}\ntype commit\n\nparent ${B}\n`, []],
    ['nothing read', undefined, []],
  ])('%s', (_name, raw, parents) => {
    expect(commitParents(raw === undefined ? undefined : Buffer.from(raw))).toEqual(parents);
  });
});
