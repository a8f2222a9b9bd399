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
  return isYaml(path) && !isSkippedPath(path, rules);
}

export function isYaml(path: string): boolean {
  return /\.ya?ml$/i.test(path);
}

/** Hidden (a segment starting with `.`) or ignored, itself or by a directory above it. */
export function isSkippedPath(path: string, rules: IgnoreRules = NO_RULES): boolean {
  return skippedPathCheck(rules)(path);
}

/**
 * isSkippedPath for many paths under the same rules: each directory is judged once, not once per
 * file below it (a 10,000-file tree has a few dozen directories).
 */
export function skippedPathCheck(rules: IgnoreRules = NO_RULES): (path: string) => boolean {
  const directories = new Map<string, boolean>();
  // A directory that is ignored hides everything below it, as in git (`ignore` checks each
  // parent only when asked about the directory itself, with its trailing slash).
  const directorySkipped = (dir: string): boolean => {
    let skipped = directories.get(dir);
    if (skipped === undefined) {
      const slash = dir.lastIndexOf('/');
      skipped = dir.slice(slash + 1).startsWith('.') || (slash >= 0 && directorySkipped(dir.slice(0, slash))) || rules.ignores(`${dir}/`);
      directories.set(dir, skipped);
    }
    return skipped;
  };
  return (path) => {
    const slash = path.lastIndexOf('/');
    if (path.slice(slash + 1).startsWith('.')) return true;
    if (slash >= 0 && directorySkipped(path.slice(0, slash))) return true;
    return rules.ignores(path);
  };
}
