// Reads a policy directory from disk (for `validate` and `plan --dir`): every *.yaml / *.yml
// below it, with the same selection rules as the Git source (hidden files and directories and
// `.calico-gitops-ignore` matches are skipped; see ignore-rules.ts), plus `node_modules`.
// Symbolic links are not followed: a link could leave the directory or loop.
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SourceError } from '../domain/errors.js';
import type { Issue } from '../domain/issue.js';
import type { SourceFile } from '../domain/state.js';
import { IGNORE_FILE, parseIgnoreFile, type IgnoreRules } from './ignore-rules.js';
import { selectPolicyFiles, type SizeLimits } from './select-files.js';

export interface ReadPolicyDirOptions {
  /** Size limits; oversized files become issues instead of being read. */
  readonly limits?: Partial<SizeLimits>;
}

export interface ReadPolicyDirResult {
  /** Sorted by path; paths relative to the directory, forward slashes. */
  readonly files: SourceFile[];
  readonly issues: Issue[];
}

export async function readPolicyDir(dir: string, opts: ReadPolicyDirOptions = {}): Promise<ReadPolicyDirResult> {
  const info = await lstat(dir).catch((err: unknown) => {
    throw new SourceError(`cannot read policy directory ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { code: 'not-found', disposition: 'stalled', cause: err });
  });
  if (!info.isDirectory()) throw new SourceError(`${dir} is not a directory`, { code: 'not-found', disposition: 'stalled' });

  const rules = await readIgnoreRules(dir);
  const issues: Issue[] = [];
  const candidates: { rel: string; size: number }[] = [];
  await walkDir(dir, '', candidates, issues);

  const { selected, errors } = selectPolicyFiles({ candidates: candidates.map((c) => ({ path: c.rel, size: c.size })), rules, ...(opts.limits ? { limits: opts.limits } : {}), where: `directory ${dir}` });
  issues.push(...errors);
  const files: SourceFile[] = [];
  for (const { path } of selected) files.push({ path, content: await readFile(join(dir, path), 'utf8') });
  return { files, issues };
}

async function readIgnoreRules(dir: string): Promise<IgnoreRules> {
  try {
    return parseIgnoreFile(await readFile(join(dir, IGNORE_FILE), 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return parseIgnoreFile('');
    throw new SourceError(`cannot read ${IGNORE_FILE}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { code: 'source', disposition: 'stalled', cause: err });
  }
}

async function walkDir(root: string, rel: string, out: { rel: string; size: number }[], issues: Issue[]): Promise<void> {
  const entries = await readdir(rel ? join(root, rel) : root, { withFileTypes: true });
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isSymbolicLink()) {
      // An error, as in the agent's Git source: a link's policies would otherwise silently vanish.
      issues.push(issue(path, 'symlink', 'symbolic link: policy files must be regular files (links are not followed)'));
    } else if (entry.isDirectory()) await walkDir(root, path, out, issues);
    else if (entry.isFile() && /\.ya?ml$/i.test(entry.name)) out.push({ rel: path, size: (await lstat(join(root, path))).size });
  }
}

function issue(file: string, code: string, message: string): Issue {
  return { severity: 'error', file, line: 0, column: 0, path: '', code, message };
}
