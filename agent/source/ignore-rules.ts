// Which paths of a policy tree are policy files: *.yaml / *.yml, not under a hidden file or
// directory, not matched by `.calico-gitops-ignore` (a gitignore subset: `#` comments, `!`
// negation, trailing `/` for directories, a `/` inside anchors to the root, `*`, `?`, `**`).
// Pure; the Git source applies it to `git ls-tree` output.

export const IGNORE_FILE = '.calico-gitops-ignore';

export interface IgnoreRule {
  readonly negate: boolean;
  readonly dirOnly: boolean;
  readonly anchored: boolean;
  readonly regex: RegExp;
}

export function parseIgnoreFile(text: string): readonly IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    if (negate) line = line.slice(1);
    const dirOnly = line.endsWith('/');
    if (dirOnly) line = line.slice(0, -1);
    const anchored = line.includes('/');
    if (line.startsWith('/')) line = line.slice(1);
    if (!line) continue;
    rules.push({ negate, dirOnly, anchored, regex: globToRegex(line) });
  }
  return rules;
}

function globToRegex(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*' && glob[i + 1] === '*') {
      // `**/` matches zero or more directories; a bare `**` anything.
      if (glob[i + 2] === '/') {
        out += '(?:.*/)?';
        i += 2;
      } else {
        out += '.*';
        i += 1;
      }
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

function ignoredBy(rules: readonly IgnoreRule[], path: string, isDir: boolean): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  let ignored = false;
  for (const rule of rules) {
    if (rule.dirOnly && !isDir) continue;
    if (rule.regex.test(rule.anchored ? path : name)) ignored = !rule.negate;
  }
  return ignored;
}

/** True for a policy file: `path` is relative to the policy root, forward slashes. */
export function isPolicyFile(path: string, rules: readonly IgnoreRule[] = []): boolean {
  return /\.ya?ml$/i.test(path) && !isSkippedPath(path, rules);
}

/** Hidden (a segment starting with `.`) or ignored, itself or by a directory above it. */
export function isSkippedPath(path: string, rules: readonly IgnoreRule[] = []): boolean {
  return !isConsidered(path, rules);
}

function isConsidered(path: string, rules: readonly IgnoreRule[]): boolean {
  const segments = path.split('/');
  if (segments.some((s) => s.startsWith('.'))) return false;
  // A directory that is ignored hides everything below it, as in git.
  for (let i = 1; i < segments.length; i++) {
    if (ignoredBy(rules, segments.slice(0, i).join('/'), true)) return false;
  }
  return !ignoredBy(rules, path, false);
}
