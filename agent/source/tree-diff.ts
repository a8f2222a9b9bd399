// Parses `git diff-tree --stdin -r -z --raw --no-renames --always --format=%H%x00%an <%ae>%x00%B`
// fed `<new> <old>`: the new commit's sha, author and message, then every changed path. One process
// instead of `log` + `ls-tree -r` of the whole tree. Anything unexpected is `undefined`, and the
// caller lists the whole tree instead.
import type { TreeChange } from './tree-state.js';

export interface CommitDiff {
  readonly sha: string;
  readonly author: string;
  readonly message: string;
  /** Paths relative to the policy folder. */
  readonly changes: readonly TreeChange[];
}

// `:<old mode> <new mode> <old sha> <new sha> <status>`; no score without rename detection.
const RAW = /^:([0-7]{6}) ([0-7]{6}) ([0-9a-f]{40}|[0-9a-f]{64}) ([0-9a-f]{40}|[0-9a-f]{64}) ([ADMT])$/;
const ZERO_MODE = '000000';

/**
 * `folder` is the policy folder ('' for the root): changed paths outside it are an error of the
 * caller's pathspec, and the folder itself as a path (a file where the folder was) is `undefined`.
 */
export function parseCommitDiff(output: string, folder: string): CommitDiff | undefined {
  const fields = output.split('\0');
  const [sha = '', author = '', message = ''] = fields;
  if (!/^([0-9a-f]{40}|[0-9a-f]{64})$/.test(sha) || fields.length < 4) return undefined;
  const prefix = folder ? `${folder}/` : '';
  const changes: TreeChange[] = [];
  // The header ends with a NUL; a newline separates it from the first record.
  const records = fields.slice(3);
  if (records[0]?.startsWith('\n')) records[0] = records[0].slice(1);
  for (let i = 0; i < records.length; i += 2) {
    const meta = records[i] ?? '';
    if (meta === '' && i === records.length - 1) break;
    const m = RAW.exec(meta);
    const full = records[i + 1];
    if (!m || full === undefined || !full.startsWith(prefix) || full.length === prefix.length) return undefined;
    const path = full.slice(prefix.length);
    const [, , mode = '', , object = ''] = m;
    changes.push(mode === ZERO_MODE ? { path } : { path, entry: { mode, type: typeOfMode(mode), sha: object, size: -1, path } });
  }
  return { sha, author, message, changes };
}

function typeOfMode(mode: string): string {
  if (mode === '160000') return 'commit';
  if (mode === '040000') return 'tree';
  return 'blob';
}

/**
 * The parents of a raw commit object (`cat-file`): its `parent` header lines. (diff-tree's `%P`
 * cannot tell them: fed `<new> <old>`, it prints `<old>` as the parent.)
 */
export function commitParents(raw: Buffer | undefined): string[] {
  if (!raw) return [];
  const text = raw.toString('utf8');
  const end = text.indexOf('\n\n');
  const headers = end < 0 ? text : text.slice(0, end);
  if (!headers.startsWith('tree ')) return [];
  return headers.split('\n').flatMap((line) => (line.startsWith('parent ') ? [line.slice('parent '.length)] : []));
}
