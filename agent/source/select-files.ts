// Which files of a policy tree are read, and the size limits on them: one rule for the Git source
// (the agent, `plan --repo`) and the directory reader (`validate`, `plan --dir`), so they agree.
// Pure: it sees paths and sizes, never file contents.
import type { Issue } from '../domain/issue.js';
import { DEFAULT_LIMITS, type Limits } from '../desired/limits.js';
import { isYaml, skippedPathCheck, type IgnoreRules } from './ignore-rules.js';

export type SizeLimits = Pick<Limits, 'maxFileBytes' | 'maxRepoBytes'>;

export interface Candidate {
  /** Relative to the policy root, forward slashes. */
  readonly path: string;
  readonly size: number;
}

/**
 * The policy files among `candidates` in path order: YAML, not hidden, not ignored, not under
 * `node_modules`, each within the file limit, together within the repository limit (reading stops
 * at the file that crosses it). `display` maps a path to how problems name it; `where` names the
 * whole tree in the repository-size problem.
 */
export function selectPolicyFiles<C extends Candidate>(input: {
  readonly candidates: readonly C[];
  readonly rules: IgnoreRules;
  readonly limits?: Partial<SizeLimits>;
  readonly where: string;
  readonly display?: (path: string) => string;
}): { readonly selected: C[]; readonly errors: Issue[] } {
  const skipped = skippedPathCheck(input.rules);
  const policy = input.candidates.filter((c) => isPolicyCandidate(c.path, skipped));
  return limitPolicyFiles({ ...input, candidates: policy.sort((a, b) => comparePaths(a.path, b.path)) });
}

/** The name rule alone: YAML, not hidden or ignored (`skipped`), not under `node_modules`. */
export function isPolicyCandidate(path: string, skipped: (path: string) => boolean): boolean {
  return isYaml(path) && !skipped(path) && !path.split('/').includes('node_modules');
}

/**
 * The size limits alone, over policy files already chosen by name and sorted by path (the Git
 * source keeps that choice between revisions and judges only changed paths again).
 */
export function limitPolicyFiles<C extends Candidate>(input: {
  readonly candidates: readonly C[];
  readonly limits?: Partial<SizeLimits>;
  readonly where: string;
  readonly display?: (path: string) => string;
}): { readonly selected: C[]; readonly errors: Issue[] } {
  const maxFileBytes = input.limits?.maxFileBytes ?? DEFAULT_LIMITS.maxFileBytes;
  const maxRepoBytes = input.limits?.maxRepoBytes ?? DEFAULT_LIMITS.maxRepoBytes;
  const display = input.display ?? ((p: string) => p);
  const selected: C[] = [];
  const errors: Issue[] = [];
  let total = 0;
  for (const c of input.candidates) {
    // display() only for a problem: it runs once per file of a 10,000-file tree otherwise.
    const tooLarge = c.size > maxFileBytes ? fileSizeProblem(display(c.path), c.size, { maxFileBytes }) : undefined;
    if (tooLarge) {
      errors.push(tooLarge);
      continue;
    }
    total += c.size;
    if (total > maxRepoBytes) {
      errors.push(issue('', 'limit-repo-size', `${input.where}: policy files total more than the limit of ${maxRepoBytes} bytes; stopped reading at ${display(c.path)}`));
      break;
    }
    selected.push(c);
  }
  return { selected, errors };
}

/** Path order of the selection (code-unit order, as `<` compares). */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The file limit alone, for a file read outside the policy selection (the intents file). */
export function fileSizeProblem(file: string, size: number, limits?: Partial<SizeLimits>): Issue | undefined {
  const maxFileBytes = limits?.maxFileBytes ?? DEFAULT_LIMITS.maxFileBytes;
  return size > maxFileBytes ? issue(file, 'limit-file-size', `file is ${size} bytes, more than the limit of ${maxFileBytes} bytes; it was not read`) : undefined;
}

function issue(file: string, code: string, message: string): Issue {
  return { severity: 'error', file, line: 0, column: 0, path: '', code, message };
}
