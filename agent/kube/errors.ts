// Turns whatever @kubernetes/client-node throws into a KubeError with status and reason, and a
// message that never includes request headers (ApiException's own message embeds them, tokens too).
import { ApiException } from '@kubernetes/client-node';
import { AgentError } from '../domain/errors.js';
import { KubeError } from '../domain/errors.js';

export interface KubeErrorContext {
  /** What we were doing, for the message: `list crd.projectcalico.org/v1 networkpolicies`. */
  readonly action?: string;
  /** API server URL, for unreachable-server messages (no credentials are ever part of it). */
  readonly server?: string;
}

interface StatusBody {
  readonly reason?: string;
  readonly message?: string;
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Expired',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export function toKubeError(err: unknown, context: KubeErrorContext = {}): KubeError {
  if (err instanceof KubeError) return err;
  const prefix = context.action ? `${context.action}: ` : '';
  if (err instanceof ApiException || isApiExceptionLike(err)) {
    const code = Number((err as { code: unknown }).code);
    const status = parseStatusBody((err as { body: unknown }).body);
    const reason = status.reason ?? REASONS[code] ?? `HTTP${code}`;
    const detail = status.message ?? defaultDetail(code, reason);
    return new KubeError(`${prefix}${redact(detail)}`, { status: code, reason, cause: stripped(err, code, reason) });
  }
  const statusCode = (err as { statusCode?: unknown } | null)?.statusCode;
  if (typeof statusCode === 'number') {
    // Errors from Watch carry only the status line.
    const reason = REASONS[statusCode] ?? `HTTP${statusCode}`;
    return new KubeError(`${prefix}${defaultDetail(statusCode, reason)}`, { status: statusCode, reason, cause: stripped(err, statusCode, reason) });
  }
  const netCode = networkCode(err);
  if (netCode !== undefined) {
    const where = context.server ? ` at ${context.server}` : '';
    return new KubeError(`${prefix}cannot reach the Kubernetes API server${where} (${netCode})`, { status: 0, reason: 'Unreachable', cause: stripped(err, 0, netCode) });
  }
  if (err instanceof AgentError) {
    return new KubeError(`${prefix}${err.message}`, { status: 0, reason: err.code, cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new KubeError(`${prefix}${redact(message)}`, { status: 0, reason: 'Unknown' });
}

/** True for errors that mean "no such object" (a 404 from the API server). */
export function isNotFound(err: unknown): boolean {
  return toKubeError(err).status === 404;
}

function isApiExceptionLike(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name !== 'KubeError' &&
    typeof (err as { code?: unknown }).code === 'number' && 'body' in err && 'headers' in err;
}

function parseStatusBody(body: unknown): StatusBody {
  let value: unknown = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return body.trim() ? { message: body.trim().slice(0, 500) } : {};
    }
  }
  if (typeof value !== 'object' || value === null) return {};
  const v = value as Record<string, unknown>;
  return {
    ...(typeof v['reason'] === 'string' && v['reason'] ? { reason: v['reason'] } : {}),
    ...(typeof v['message'] === 'string' && v['message'] ? { message: v['message'] } : {}),
  };
}

function defaultDetail(code: number, reason: string): string {
  if (code === 401) return 'the API server rejected the credentials (401 Unauthorized)';
  if (code === 403) return 'forbidden (403): the credentials lack the RBAC rights for this request';
  return `the API server answered ${code} ${reason}`;
}

function networkCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; errno?: unknown; name?: unknown; type?: unknown; cause?: unknown };
  if (typeof e.code === 'string' && /^E[A-Z_]+$/.test(e.code)) return e.code;
  if (e.name === 'FetchError' || e.type === 'system') return typeof e.errno === 'string' ? e.errno : 'network error';
  if (e.name === 'AbortError') return 'request aborted';
  return e.cause !== undefined && e.cause !== err ? networkCode(e.cause) : undefined;
}

/** Bearer tokens never leave the process, even when a server echoes a header back. */
function redact(text: string): string {
  return text.replace(/(bearer|token|authorization)(["':=\s]+)[A-Za-z0-9._~+/-]{8,}=*/gi, '$1$2***');
}

/** The cause we keep: status data only, never the original exception with its headers. */
function stripped(err: unknown, status: number, reason: string): { name: string; status: number; reason: string } {
  return { name: err instanceof Error ? err.name : 'Error', status, reason };
}
