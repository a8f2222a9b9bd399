// Errors from a forge's REST API. 401/403 (bad token) and 404 (unknown repository or commit) need
// a human; 5xx, 429 and network failures pass, and the caller retries. Messages name the forge,
// the status code and the API path (never the token or the query string).
import { AgentError, type Disposition } from '../domain/errors.js';

export class ForgeError extends AgentError {
  override readonly name = 'ForgeError';
  /** HTTP status; 0 for a network failure. */
  readonly status: number;
  constructor(message: string, o: { status: number; cause?: unknown }) {
    super(message, { code: forgeCode(o.status), disposition: forgeDisposition(o.status), cause: o.cause });
    this.status = o.status;
  }
}

function forgeCode(status: number): string {
  if (status === 0) return 'unreachable';
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not-found';
  if (status === 422 || status === 400) return 'invalid';
  return `http-${status}`;
}

function forgeDisposition(status: number): Disposition {
  if (status === 0 || status === 429 || status >= 500) return 'transient';
  return 'stalled';
}
