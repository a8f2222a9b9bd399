// Parses raw commit and tree objects as `cat-file` gives them, so an incremental read can walk
// trees itself. Pure; anything unexpected is `undefined` and the caller lists the whole tree.

export interface CommitObject {
  readonly tree: string;
  readonly parents: readonly string[];
  /** `Name <email>`, as `%an <%ae>` prints it. */
  readonly author: string;
  /** The whole message, as `%B` prints it. */
  readonly message: string;
}

/** One entry of a tree object. */
export interface TreeObjectEntry {
  /** Six octal digits, as ls-tree and diff-tree print it (a tree object stores `40000`). */
  readonly mode: string;
  readonly name: string;
  /** Hex object id. */
  readonly sha: string;
}

const OID = /^([0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * `undefined` for a commit whose message is in another encoding (git log would re-encode it) or
 * whose headers are not as git writes them.
 */
export function parseCommitObject(raw: Buffer): CommitObject | undefined {
  const text = raw.toString('utf8');
  const end = text.indexOf('\n\n');
  const headers = (end < 0 ? text : text.slice(0, end)).split('\n');
  let tree: string | undefined;
  let author: string | undefined;
  const parents: string[] = [];
  for (const line of headers) {
    const space = line.indexOf(' ');
    const key = space < 0 ? line : line.slice(0, space);
    const value = space < 0 ? '' : line.slice(space + 1);
    if (key === 'tree') tree = value;
    else if (key === 'parent') parents.push(value);
    else if (key === 'author') author ??= identity(value);
    else if (key === 'encoding' && !/^utf-?8$/i.test(value)) return undefined;
  }
  if (tree === undefined || !OID.test(tree) || author === undefined || !parents.every((p) => OID.test(p))) return undefined;
  return { tree, parents, author, message: end < 0 ? '' : text.slice(end + 2) };
}

// Git's split_ident_line: the name ends at the first `<` (trailing spaces dropped), the email at
// the first `>` after it.
function identity(value: string): string | undefined {
  const open = value.indexOf('<');
  const close = value.indexOf('>', open + 1);
  if (open < 0 || close < 0) return undefined;
  return `${value.slice(0, open).trimEnd()} <${value.slice(open + 1, close)}>`;
}

/**
 * `<mode> SP <name> NUL <raw id>` repeated; `idBytes` is 20 for sha-1, 32 for sha-256.
 * Names are bytes in git; they are decoded as UTF-8 like ls-tree's output is.
 */
export function parseTreeObject(raw: Buffer, idBytes: number): TreeObjectEntry[] | undefined {
  const entries: TreeObjectEntry[] = [];
  let pos = 0;
  while (pos < raw.length) {
    const space = raw.indexOf(32, pos);
    const nul = space < 0 ? -1 : raw.indexOf(0, space + 1);
    if (space < 0 || nul < 0 || nul + 1 + idBytes > raw.length) return undefined;
    const mode = raw.toString('latin1', pos, space);
    if (!/^[0-7]{5,6}$/.test(mode)) return undefined;
    entries.push({ mode: mode.padStart(6, '0'), name: raw.toString('utf8', space + 1, nul), sha: raw.toString('hex', nul + 1, nul + 1 + idBytes) });
    pos = nul + 1 + idBytes;
  }
  return entries;
}

export function typeOfMode(mode: string): 'tree' | 'commit' | 'blob' {
  if (mode === '040000') return 'tree';
  if (mode === '160000') return 'commit';
  return 'blob';
}
