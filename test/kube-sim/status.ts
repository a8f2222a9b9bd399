// Kubernetes `Status` bodies with the exact messages the real API server produces
// (k8s.io/apimachinery/pkg/api/errors), so clients that parse `reason`/`message` behave the same.

export type Json = Record<string, unknown>;

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: { reason: string; message: string; field?: string }[];
  retryAfterSeconds?: number;
}

/** A failed API call: thrown by handlers, turned into a Status response by the server. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: number;
  readonly reason: string;
  readonly details: StatusDetails | undefined;
  constructor(o: { code: number; reason: string; message: string; details?: StatusDetails }) {
    super(o.message);
    this.code = o.code;
    this.reason = o.reason;
    this.details = o.details;
  }

  toStatus(): Json {
    return statusBody({ code: this.code, reason: this.reason, message: this.message, details: this.details });
  }
}

export function statusBody(o: { code: number; reason: string; message: string; details?: StatusDetails | undefined }): Json {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: o.message,
    reason: o.reason,
    ...(o.details ? { details: o.details } : {}),
    code: o.code,
  };
}

export function successStatus(details?: StatusDetails): Json {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', ...(details ? { details } : {}) };
}

/** `resource.group` the way GroupResource.String() prints it (core group: just the resource). */
export function qualified(group: string, resource: string): string {
  return group === '' ? resource : `${resource}.${group}`;
}

export const notFound = (group: string, resource: string, name: string): ApiError =>
  new ApiError({
    code: 404,
    reason: 'NotFound',
    message: `${qualified(group, resource)} "${name}" not found`,
    details: { name, group, kind: resource },
  });

export const alreadyExists = (group: string, resource: string, name: string): ApiError =>
  new ApiError({
    code: 409,
    reason: 'AlreadyExists',
    message: `${qualified(group, resource)} "${name}" already exists`,
    details: { name, group, kind: resource },
  });

export const conflict = (group: string, resource: string, name: string, why?: string): ApiError =>
  new ApiError({
    code: 409,
    reason: 'Conflict',
    message: `Operation cannot be fulfilled on ${qualified(group, resource)} "${name}": ${
      why ?? 'the object has been modified; please apply your changes to the latest version and try again'
    }`,
    details: { name, group, kind: resource },
  });

export interface FieldError {
  type: 'Required' | 'Invalid' | 'Forbidden' | 'NotSupported' | 'Duplicate' | 'TooLong';
  field: string;
  value?: unknown;
  detail?: string;
}

const CAUSE_REASON: Record<FieldError['type'], string> = {
  Required: 'FieldValueRequired',
  Invalid: 'FieldValueInvalid',
  Forbidden: 'FieldValueForbidden',
  NotSupported: 'FieldValueNotSupported',
  Duplicate: 'FieldValueDuplicate',
  TooLong: 'FieldValueTooLong',
};

function fieldErrorBody(e: FieldError): string {
  switch (e.type) {
    case 'Required':
      return `Required value${e.detail ? `: ${e.detail}` : ''}`;
    case 'Forbidden':
      return `Forbidden${e.detail ? `: ${e.detail}` : ''}`;
    case 'Duplicate':
      return `Duplicate value: ${goValue(e.value)}`;
    case 'NotSupported':
      return `Unsupported value: ${goValue(e.value)}${e.detail ? `: ${e.detail}` : ''}`;
    case 'TooLong':
      return `Too long: ${e.detail ?? ''}`;
    default:
      return `Invalid value: ${goValue(e.value)}${e.detail ? `: ${e.detail}` : ''}`;
  }
}

function goValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' && Number.isInteger(v)) return `0x${v.toString(16)}`;
  if (v === undefined || v === null) return 'null';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** 422 Invalid: `Kind.group "name" is invalid: field: Invalid value: ...` (one error) or `[a, b]`. */
export function invalid(o: { group: string; kind: string; name: string; errors: FieldError[] }): ApiError {
  const texts = o.errors.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
  const joined = texts.length === 1 ? (texts[0] ?? '') : `[${texts.join(', ')}]`;
  return new ApiError({
    code: 422,
    reason: 'Invalid',
    message: `${o.group === '' ? o.kind : `${o.kind}.${o.group}`} "${o.name}" is invalid: ${joined}`,
    details: {
      name: o.name,
      group: o.group,
      kind: o.kind,
      causes: o.errors.map((e) => ({ reason: CAUSE_REASON[e.type], message: fieldErrorBody(e), field: e.field })),
    },
  });
}

export const badRequest = (message: string): ApiError => new ApiError({ code: 400, reason: 'BadRequest', message });

export const unauthorized = (): ApiError => new ApiError({ code: 401, reason: 'Unauthorized', message: 'Unauthorized' });

/** 403 in the form of NewForbidden(groupResource, name, err). */
export function forbidden(o: { group: string; resource: string; name: string; why: string }): ApiError {
  const gr = o.resource === '' ? '' : qualified(o.group, o.resource);
  const message = gr === '' ? `forbidden: ${o.why}` : o.name === '' ? `${gr} is forbidden: ${o.why}` : `${gr} "${o.name}" is forbidden: ${o.why}`;
  return new ApiError({ code: 403, reason: 'Forbidden', message, details: { ...(o.name ? { name: o.name } : {}), group: o.group, kind: o.resource } });
}

export const methodNotAllowed = (): ApiError =>
  new ApiError({ code: 405, reason: 'MethodNotAllowed', message: 'the server does not allow this method on the requested resource' });

export const notFoundPath = (): ApiError =>
  new ApiError({ code: 404, reason: 'NotFound', message: 'the server could not find the requested resource', details: {} });

export const unsupportedMediaType = (accepted: string[]): ApiError =>
  new ApiError({
    code: 415,
    reason: 'UnsupportedMediaType',
    message: `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  });

export const expired = (message: string): ApiError => new ApiError({ code: 410, reason: 'Expired', message });

/** Generic server-side failures used by fault injection. */
export function forCode(code: number, message?: string): ApiError {
  const reasons: Record<number, [string, string]> = {
    400: ['BadRequest', 'the server rejected our request for an unknown reason'],
    401: ['Unauthorized', 'Unauthorized'],
    403: ['Forbidden', 'forbidden'],
    404: ['NotFound', 'the server could not find the requested resource'],
    409: ['Conflict', 'the server reported a conflict'],
    410: ['Gone', 'the server has asked for the client to try again later'],
    422: ['Invalid', 'the server rejected our request due to an error in our request'],
    429: ['TooManyRequests', 'the server has received too many requests and has asked us to try again later'],
    500: ['InternalError', 'an error on the server ("") has prevented the request from succeeding'],
    503: ['ServiceUnavailable', 'the server is currently unable to handle the request'],
    504: ['Timeout', 'the server was unable to return a response in the time allotted, but may still be processing the request'],
  };
  const [reason, text] = reasons[code] ?? ['InternalError', `the server responded with the status code ${code} but did not return more information`];
  return new ApiError({ code, reason, message: message ?? text, ...(code === 429 ? { details: { retryAfterSeconds: 1 } } : {}) });
}
