// libcalico-go's error types as calicoctl prints them (libcalico-go/lib/errors/errors.go):
// the text users and our executor's log parser see.
import { statusMessage, statusReason } from './kube-api.js';
import type { KubeResponse } from './kube-api.js';

export const CTL_ERROR_KINDS = ['does-not-exist', 'already-exists', 'update-conflict', 'unauthorized', 'validation', 'not-supported', 'datastore'] as const;
export type CtlErrorKind = (typeof CTL_ERROR_KINDS)[number];

export interface CtlError {
  readonly kind: CtlErrorKind;
  readonly message: string;
}

/** `GlobalNetworkPolicy(allow-ssh)` / `NetworkPolicy(test1/deny)`: libcalico's resource key text. */
export function identifier(kind: string, name: string, namespace?: string): string {
  return namespace ? `${kind}(${namespace}/${name})` : `${kind}(${name})`;
}

export function doesNotExist(id: string, cause: string): CtlError {
  return { kind: 'does-not-exist', message: `resource does not exist: ${id} with error: ${cause}` };
}

export function alreadyExists(id: string): CtlError {
  return { kind: 'already-exists', message: `resource already exists: ${id}` };
}

export function updateConflict(id: string): CtlError {
  return { kind: 'update-conflict', message: `update conflict: ${id}` };
}

export function notSupported(operation: string, id: string, reason: string): CtlError {
  return { kind: 'not-supported', message: `operation ${operation} is not supported on ${id}: ${reason}` };
}

export function validationError(fields: readonly { path: string; message: string }[]): CtlError {
  const text = (f: { path: string; message: string }): string => (f.path ? `${f.path} (${f.message})` : `(${f.message})`);
  if (fields.length === 1 && fields[0]) return { kind: 'validation', message: `error with field ${text(fields[0])}` };
  return { kind: 'validation', message: `error with the following fields:\n${fields.map((f) => `-  ${text(f)}\n`).join('')}` };
}

/** Maps an API error response to the libcalico error the Kubernetes backend would return. */
export function fromResponse(res: KubeResponse, id: string, op: 'get' | 'create' | 'update' | 'delete' | 'list'): CtlError {
  const message = statusMessage(res);
  const reason = statusReason(res);
  if (res.status === 401 || res.status === 403) return { kind: 'unauthorized', message: `connection is unauthorized: ${message}` };
  if (res.status === 404) return doesNotExist(id, message);
  if (res.status === 409 && (op === 'create' || reason === 'AlreadyExists')) return alreadyExists(id);
  if (res.status === 409) return updateConflict(id);
  return { kind: 'datastore', message };
}
