// Problems are data: every stage that checks input returns all of them at once.

export type Severity = 'error' | 'warning';

export interface Issue {
  readonly severity: Severity;
  /** Path relative to the validated root, forward slashes; empty when not tied to a file. */
  readonly file: string;
  /** 1-based; 0 when unknown. */
  readonly line: number;
  /** 1-based; 0 when unknown. */
  readonly column: number;
  /** Dotted path inside the document: `spec.ingress[0].source.selector`; empty for the whole document. */
  readonly path: string;
  readonly message: string;
  /** Stable machine-readable code, e.g. `selector`, `unknown-field`, `duplicate`. */
  readonly code: string;
}

/** The issues of one stage, errors apart from warnings. */
export interface Issues {
  readonly errors: readonly Issue[];
  readonly warnings: readonly Issue[];
}

/**
 * `policies/a.yaml:12:5: error: message` (the compiler-style form editors understand); a problem of
 * the whole file prints as `policies/a.yaml: error: …`, one of the whole repository with no file.
 */
export function formatIssue(issue: Issue): string {
  const location = issueLocation(issue);
  const where = location ? `${location}: ` : '';
  const at = issue.path ? ` (at ${issue.path})` : '';
  return `${where}${issue.severity}: ${issue.message}${at}`;
}

/** `file:line:column`, `file` or '' as far as the issue knows its place. */
export function issueLocation(issue: Issue): string {
  if (!issue.file) return '';
  if (issue.line <= 0) return issue.file;
  return `${issue.file}:${issue.line}:${issue.column}`;
}

/** Stable order: by file, line, column, then message. */
export function compareIssues(a: Issue, b: Issue): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.message.localeCompare(b.message);
}
