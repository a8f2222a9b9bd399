// What the emulated calicoctl needs from the API server: one authenticated request at a time,
// answered with the status code and the decoded body (a Kubernetes object or a `Status`).
// The kubelet hands in an implementation bound to the pod's ServiceAccount token.

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface KubeResponse {
  readonly status: number;
  readonly body: unknown;
  /** The raw body text (logs are plain text that may happen to parse as JSON). */
  readonly text?: string;
}

export interface KubeApi {
  /** Rejects only on transport errors (connection refused, TLS); HTTP errors resolve. */
  request(o: { method: HttpMethod; path: string; body?: unknown }): Promise<KubeResponse>;
}

/** `Status.message` of an error response, or a fallback that still names the status code. */
export function statusMessage(res: KubeResponse): string {
  const body = res.body;
  if (typeof body === 'object' && body !== null && typeof (body as Record<string, unknown>)['message'] === 'string') {
    return (body as Record<string, string>)['message'] ?? '';
  }
  return typeof body === 'string' && body ? body.trim() : `the server responded with status ${res.status}`;
}

/** `Status.reason` (`AlreadyExists`, `Conflict`, `Forbidden`...), empty when absent. */
export function statusReason(res: KubeResponse): string {
  const body = res.body;
  if (typeof body === 'object' && body !== null) {
    const reason = (body as Record<string, unknown>)['reason'];
    if (typeof reason === 'string') return reason;
  }
  return '';
}
