// Turns a failed git command into a SourceError with a stable code and a message a person can act
// on, with the URL and every secret redacted (the token must never reach a log or a status).
import { SourceError } from '../domain/errors.js';
import type { Disposition } from '../domain/errors.js';
import { redactText, redactUrl } from '../domain/redact.js';

export const SOURCE_ERROR_CODES = [
  'empty-repo',
  'branch-not-found',
  'path-not-found',
  'unreachable',
  'auth',
  'timeout',
  'aborted',
  'git',
  // rollback (revert.ts)
  'not-found',
  'revert-conflict',
  'merge-commit',
  'nothing-to-revert',
  'push-rejected',
] as const;
export type SourceErrorCode = (typeof SOURCE_ERROR_CODES)[number];

const DISPOSITION: Record<SourceErrorCode, Disposition> = {
  // A bad token or key stays bad until someone changes it.
  auth: 'stalled',
  // A commit fixes these; keep polling at the normal pace.
  'empty-repo': 'waiting',
  'branch-not-found': 'waiting',
  'path-not-found': 'waiting',
  unreachable: 'transient',
  timeout: 'transient',
  aborted: 'transient',
  git: 'transient',
  'not-found': 'stalled',
  'revert-conflict': 'stalled',
  'merge-commit': 'stalled',
  'nothing-to-revert': 'stalled',
  // Someone pushed meanwhile: running the rollback again on the new head usually works.
  'push-rejected': 'transient',
};

export function sourceError(code: SourceErrorCode, message: string, options: { cause?: unknown; secrets?: readonly string[] } = {}): SourceError {
  return new SourceError(redactText(message, options.secrets), {
    code,
    disposition: DISPOSITION[code],
    ...(options.cause === undefined ? {} : { cause: new Error(redactText(errorText(options.cause), options.secrets)) }),
  });
}

const AUTH_PATTERNS = [
  /authentication failed/i,
  /could not read (username|password)/i,
  /terminal prompts disabled/i,
  /permission denied \(publickey/i,
  /HTTP Basic: Access denied/i,
  /requested URL returned error: 40[13]/i,
  /invalid username or password/i,
  /host key verification failed/i,
];

const UNREACHABLE_PATTERNS = [
  /could not resolve host/i,
  /failed to connect/i,
  /connection (refused|timed out|reset)/i,
  /couldn't connect to server/i,
  /does not appear to be a git repository/i,
  /could not read from remote repository/i,
  /unable to access/i,
  /repository .* not found/i,
  /no route to host/i,
  /network is unreachable/i,
];

/** Classifies a git failure for `url`; `op` says what we were doing (`ls-remote`, `fetch`). */
export function classifyGitFailure(err: unknown, options: { url: string; op: string; secrets: readonly string[]; aborted?: boolean }): SourceError {
  if (err instanceof SourceError) return err;
  const text = errorText(err);
  const where = redactUrl(options.url);
  if (options.aborted) return sourceError('aborted', `${options.op} of ${where} was cancelled`, { cause: err, secrets: options.secrets });
  if (/timeout|timed out after/i.test(text) && !/connection timed out/i.test(text)) {
    return sourceError('timeout', `${options.op} of ${where} timed out`, { cause: err, secrets: options.secrets });
  }
  if (AUTH_PATTERNS.some((p) => p.test(text))) {
    return sourceError('auth', `authentication to ${where} failed: check the token or SSH key (${firstLine(text, options.secrets)})`, { cause: err, secrets: options.secrets });
  }
  if (UNREACHABLE_PATTERNS.some((p) => p.test(text))) {
    return sourceError('unreachable', `cannot reach ${where}: ${firstLine(text, options.secrets)}`, { cause: err, secrets: options.secrets });
  }
  return sourceError('git', `${options.op} of ${where} failed: ${firstLine(text, options.secrets)}`, { cause: err, secrets: options.secrets });
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

function firstLine(text: string, secrets: readonly string[]): string {
  const line = text.split('\n').map((l) => l.replace(/^(fatal|error):\s*/i, '').trim()).find(Boolean) ?? 'unknown error';
  return redactText(line, secrets);
}
