// One error family for the whole agent. Each error says how to surface it (Flux's Stalling /
// Waiting / Generic): `stalled` needs a human and is never retried, `waiting` is retried after a
// delay, `transient` is retried with backoff. Errors cross Redis as `{name, code, message}` and are
// classified by `name`, never by `instanceof` alone.

export type Disposition = 'stalled' | 'waiting' | 'transient';

export interface SerializedError {
  readonly name: string;
  readonly code: string;
  readonly message: string;
  readonly disposition: Disposition;
}

export class AgentError extends Error {
  override readonly name: string = 'AgentError';
  readonly code: string;
  readonly disposition: Disposition;

  constructor(message: string, options: { code: string; disposition: Disposition; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.disposition = options.disposition;
  }

  toJSON(): SerializedError {
    return { name: this.name, code: this.code, message: this.message, disposition: this.disposition };
  }
}

type Opts = { code?: string; cause?: unknown };

/** Bad configuration: listed at boot, fixed by a human. */
export class ConfigError extends AgentError {
  override readonly name = 'ConfigError';
  constructor(message: string, o: Opts = {}) {
    super(message, { code: o.code ?? 'config', disposition: 'stalled', cause: o.cause });
  }
}

/** The repository content is invalid; a new commit is needed. */
export class ValidationError extends AgentError {
  override readonly name = 'ValidationError';
  constructor(message: string, o: Opts = {}) {
    super(message, { code: o.code ?? 'invalid', disposition: 'stalled', cause: o.cause });
  }
}

/** Git could not be reached or read; retried with backoff. */
export class SourceError extends AgentError {
  override readonly name = 'SourceError';
  constructor(message: string, o: Opts & { disposition?: Disposition } = {}) {
    super(message, { code: o.code ?? 'source', disposition: o.disposition ?? 'transient', cause: o.cause });
  }
}

/** The API server refused or failed a request. Disposition follows the HTTP status. */
export class KubeError extends AgentError {
  override readonly name = 'KubeError';
  readonly status: number;
  readonly reason: string;
  constructor(message: string, o: { status: number; reason: string; cause?: unknown }) {
    super(message, { code: kubeCode(o.status, o.reason), disposition: kubeDisposition(o.status), cause: o.cause });
    this.status = o.status;
    this.reason = o.reason;
  }
}

function kubeCode(status: number, reason: string): string {
  if (status === 403) return 'forbidden';
  if (status === 409) return 'conflict';
  if (status === 422) return 'invalid';
  if (status === 404) return 'not-found';
  if (status === 0) return 'unreachable';
  return reason ? reason.toLowerCase() : `http-${status}`;
}

function kubeDisposition(status: number): Disposition {
  // 403/422 will not change by retrying; 409 is a lost race and 5xx / connection errors pass.
  if (status === 403 || status === 422 || status === 400 || status === 401) return 'stalled';
  return 'transient';
}

/** The live cache is not synced: never plan (and never delete) from it. */
export class CacheNotSyncedError extends AgentError {
  override readonly name = 'CacheNotSyncedError';
  constructor(message = 'live state is not synced yet', o: Opts = {}) {
    super(message, { code: o.code ?? 'cache-unsynced', disposition: 'waiting', cause: o.cause });
  }
}

export class DependencyError extends AgentError {
  override readonly name = 'DependencyError';
  constructor(message: string, o: Opts = {}) {
    super(message, { code: o.code ?? 'dependency', disposition: 'transient', cause: o.cause });
  }
}

/** The executor (calicoctl pod) failed as a whole; per-resource failures are StepResults. */
export class ExecutorError extends AgentError {
  override readonly name = 'ExecutorError';
  constructor(message: string, o: Opts & { disposition?: Disposition } = {}) {
    super(message, { code: o.code ?? 'executor', disposition: o.disposition ?? 'transient', cause: o.cause });
  }
}

const KNOWN: Record<string, Disposition> = {
  ConfigError: 'stalled',
  ValidationError: 'stalled',
  CacheNotSyncedError: 'waiting',
  SourceError: 'transient',
  DependencyError: 'transient',
  ExecutorError: 'transient',
  KubeError: 'transient',
  // bullmq's own marker for "do not retry"
  UnrecoverableError: 'stalled',
};

/** Turns anything thrown into the serialized form; unknown errors are transient. */
export function toSerializedError(err: unknown): SerializedError {
  if (err instanceof AgentError) return err.toJSON();
  if (isSerializedError(err)) return err;
  if (err instanceof Error) {
    return { name: err.name, code: 'internal', message: err.message, disposition: KNOWN[err.name] ?? 'transient' };
  }
  return { name: 'Error', code: 'internal', message: String(err), disposition: 'transient' };
}

export function isSerializedError(value: unknown): value is SerializedError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['name'] === 'string' && typeof v['code'] === 'string' && typeof v['message'] === 'string' &&
    (v['disposition'] === 'stalled' || v['disposition'] === 'waiting' || v['disposition'] === 'transient');
}

export function dispositionOf(err: unknown): Disposition {
  return toSerializedError(err).disposition;
}
