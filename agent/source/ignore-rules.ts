// Which paths of a policy tree are policy files: *.yaml / *.yml, not under a hidden file or
// directory, not matched by `.calico-gitops-ignore` (gitignore syntax, matched by the `ignore`
// package as git does: a directory that is ignored hides everything below it).
// Pure; the Git source applies it to `git ls-tree` output, read-dir to a directory walk.
import ignore, { type Ignore } from 'ignore';

export const IGNORE_FILE = '.calico-gitops-ignore';

/** The parsed rules of one ignore file. */
export type IgnoreRules = Pick<Ignore, 'ignores'>;

const NO_RULES: IgnoreRules = ignore();

export function parseIgnoreFile(text: string): IgnoreRules {
  return ignore().add(text);
}

/** True for a policy file: `path` is relative to the policy root, forward slashes. */
export function isPolicyFile(path: string, rules: IgnoreRules = NO_RULES): boolean {
  return /\.ya?ml$/i.test(path) && !isSkippedPath(path, rules);
}

/** Hidden (a segment starting with `.`) or ignored, itself or by a directory above it. */
export function isSkippedPath(path: string, rules: IgnoreRules = NO_RULES): boolean {
  const segments = path.split('/');
  if (segments.some((s) => s.startsWith('.'))) return true;
  // A directory that is ignored hides everything below it, as in git (`ignore` checks each
  // parent only when asked about the directory itself, with its trailing slash).
  for (let i = 1; i < segments.length; i++) {
    if (rules.ignores(`${segments.slice(0, i).join('/')}/`)) return true;
  }
  return rules.ignores(path);
}
