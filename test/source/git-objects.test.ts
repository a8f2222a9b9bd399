// Raw commit and tree objects as cat-file gives them, parsed as `%an <%ae>`, `%B` and ls-tree
// would show them; anything else is undefined (the whole tree is listed instead).
import { describe, expect, it } from 'vitest';
import { parseCommitObject, parseTreeObject, type CommitObject, type TreeObjectEntry } from '../../agent/source/git-objects.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const T = '1'.repeat(40);
const WHO = '1700000000 +0100';

describe('parseCommitObject', () => {
  it.each<readonly [string, string, CommitObject | undefined]>([
    ['a root commit', `tree ${T}\nauthor Ann <ann@example.test> ${WHO}\ncommitter C <c@x> ${WHO}\n\nsubject\n\nbody\n`, { tree: T, parents: [], author: 'Ann <ann@example.test>', message: 'subject\n\nbody\n' }],
    ['a merge', `tree ${T}\nparent ${A}\nparent ${B}\nauthor A B <a@b> ${WHO}\ncommitter C <c@x> ${WHO}\n\nmerge\n`, { tree: T, parents: [A, B], author: 'A B <a@b>', message: 'merge\n' }],
    [
      'a signed commit (continuation lines) with a header-like message line',
      `tree ${T}\nparent ${A}\nauthor Ann <a@b> ${WHO}\ncommitter C <c@x> ${WHO}\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n iQ==\n -----END PGP SIGNATURE-----\n\nmsg\nparent ${B}\n`,
      { tree: T, parents: [A], author: 'Ann <a@b>', message: `msg\nparent ${B}\n` },
    ],
    ['an empty message', `tree ${T}\nauthor Ann <a@b> ${WHO}\ncommitter C <c@x> ${WHO}\n\n`, { tree: T, parents: [], author: 'Ann <a@b>', message: '' }],
    ['an explicit UTF-8 encoding', `tree ${T}\nauthor Ann <a@b> ${WHO}\nencoding UTF-8\n\nm\n`, { tree: T, parents: [], author: 'Ann <a@b>', message: 'm\n' }],
    ['another encoding (git log would re-encode)', `tree ${T}\nauthor Ann <a@b> ${WHO}\nencoding ISO-8859-1\n\nm\n`, undefined],
    ['no author', `tree ${T}\ncommitter C <c@x> ${WHO}\n\nm\n`, undefined],
    ['not a commit (a tag object)', `object ${A}\ntype commit\ntag v1\n\nm\n`, undefined],
    ['a bad parent id', `tree ${T}\nparent xyz\nauthor Ann <a@b> ${WHO}\n\nm\n`, undefined],
  ])('%s', (_name, raw, expected) => {
    expect(parseCommitObject(Buffer.from(raw))).toEqual(expected);
  });
});

function rawTree(entries: readonly (readonly [string, string, string])[], idBytes = 20): Buffer {
  return Buffer.concat(entries.map(([mode, name, sha]) => Buffer.concat([Buffer.from(`${mode} ${name}\0`), Buffer.from(sha, 'hex').subarray(0, idBytes)])));
}

describe('parseTreeObject', () => {
  const S256 = 'c'.repeat(64);
  it.each<readonly [string, Buffer, number, TreeObjectEntry[] | undefined]>([
    ['an empty tree', Buffer.alloc(0), 20, []],
    [
      'blobs, a tree (mode padded), a link and a submodule',
      rawTree([['100644', 'a.yaml', A], ['40000', 'sub dir', B], ['120000', 'link', A], ['160000', 'mod', B], ['100755', 'ü.yaml', A]]),
      20,
      [
        { mode: '100644', name: 'a.yaml', sha: A },
        { mode: '040000', name: 'sub dir', sha: B },
        { mode: '120000', name: 'link', sha: A },
        { mode: '160000', name: 'mod', sha: B },
        { mode: '100755', name: 'ü.yaml', sha: A },
      ],
    ],
    ['sha-256 ids', rawTree([['100644', 'a', S256]], 32), 32, [{ mode: '100644', name: 'a', sha: S256 }]],
    ['a truncated id', rawTree([['100644', 'a', A]]).subarray(0, 20), 20, undefined],
    ['no NUL after the name', Buffer.from('100644 a.yaml'), 20, undefined],
    ['a mode that is not octal', rawTree([['10064x', 'a', A]]), 20, undefined],
  ])('%s', (_name, raw, idBytes, expected) => {
    expect(parseTreeObject(raw, idBytes)).toEqual(expected);
  });
});
