// Parses `git ls-tree -r -l -z` output. `-l` gives each blob's size, the same figure
// `cat-file --batch-check` reports, so oversized files are flagged before any content is read.

export interface TreeEntry {
  readonly mode: string;
  readonly type: string;
  readonly sha: string;
  /** Bytes; -1 when git does not report a size (submodules). */
  readonly size: number;
  /** Relative to the listed tree, forward slashes. */
  readonly path: string;
}

/** `<mode> SP <type> SP <sha> SP+ <size> TAB <path> NUL`, repeated. */
export function listTree(output: string): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const record of output.split('\0')) {
    if (!record) continue;
    const tab = record.indexOf('\t');
    if (tab < 0) continue;
    const [mode = '', type = '', sha = '', sizeText = '-'] = record.slice(0, tab).split(/ +/);
    entries.push({ mode, type, sha, size: sizeText === '-' ? -1 : Number(sizeText), path: record.slice(tab + 1) });
  }
  return entries;
}
