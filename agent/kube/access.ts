// What this identity may do, asked of the API server (a SelfSubjectAccessReview, as
// `kubectl auth can-i` sends): start-up checks use it to refuse a configuration the RBAC cannot serve.
import { AuthorizationV1Api } from '@kubernetes/client-node';
import type { KubeClients } from './client.js';
import { toKubeError } from './errors.js';

export interface ResourceAccess {
  readonly verb: string;
  /** '' for the core group. */
  readonly group: string;
  readonly resource: string;
  readonly namespace?: string;
  readonly name?: string;
}

export interface AccessAnswer {
  readonly allowed: boolean;
  /** The authorizer's reason, when it gave one. */
  readonly reason?: string;
}

export async function canI(clients: Pick<KubeClients, 'config'>, access: ResourceAccess): Promise<AccessAnswer> {
  const api = clients.config.makeApiClient(AuthorizationV1Api);
  try {
    const review = await api.createSelfSubjectAccessReview({
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { ...access } } },
    });
    const reason = review.status?.reason;
    return { allowed: review.status?.allowed === true, ...(reason ? { reason } : {}) };
  } catch (err) {
    throw toKubeError(err, { action: `ask whether this identity may ${access.verb} ${access.resource}` });
  }
}
