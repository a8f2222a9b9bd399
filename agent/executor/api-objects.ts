// The Kubernetes calls the API executor makes, behind a small port, and their implementation on
// @kubernetes/client-node 1.4's generic object client (projectcalico.org/v3 and networking.k8s.io
// alike). Every failure becomes a KubeError (status, reason, the server's message; no headers).
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import type { KubeError } from '../domain/errors.js';
import { toKubeError } from '../kube/errors.js';

/** One object of one API resource: `/apis/<group>/<version>/[namespaces/<ns>/]<plural>/<name>`. */
export interface ApiObjectRef {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly namespace?: string;
  readonly name: string;
}

/** The parts of a stored object the executor decides on. */
export interface StoredObject {
  readonly resourceVersion: string;
  readonly uid?: string;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface ApiObjects {
  /** undefined when absent (404); any other failure throws a KubeError. */
  get(ref: ApiObjectRef): Promise<StoredObject | undefined>;
  /** Throws a KubeError: 409 AlreadyExists when it exists. */
  create(ref: ApiObjectRef, body: Record<string, unknown>): Promise<void>;
  /** A full replace (PUT) carrying `metadata.resourceVersion`; 409 Conflict when it moved on. */
  replace(ref: ApiObjectRef, body: Record<string, unknown>): Promise<void>;
  /** Deletes only the version that was read (preconditions): 409 when it changed, 404 when gone. */
  remove(ref: ApiObjectRef, preconditions: { readonly resourceVersion: string; readonly uid?: string }): Promise<void>;
}

/** Managed-fields entries name us, so a drift report can tell our writes from a hand edit. */
export const FIELD_MANAGER = 'calico-gitops';

/**
 * A copy of `config` whose every request impersonates `user` (the Impersonate-User header): the
 * worker keeps its own credentials and needs only the right to impersonate that one account.
 */
export function impersonating(config: KubeConfig, user: string): KubeConfig {
  const copy = new KubeConfig();
  copy.loadFromOptions({
    clusters: config.clusters,
    users: config.users.map((u) => (u.name === config.getCurrentUser()?.name ? { ...u, impersonateUser: user } : u)),
    contexts: config.contexts,
    currentContext: config.currentContext,
  });
  return copy;
}

export function apiObjectsFor(config: KubeConfig): ApiObjects {
  const api = config.makeApiClient(CustomObjectsApi);
  const fail = (action: string) => (err: unknown): never => {
    throw toKubeError(err, { action, ...(config.getCurrentCluster()?.server ? { server: config.getCurrentCluster()?.server ?? '' } : {}) });
  };
  const what = (ref: ApiObjectRef): string => `${ref.plural}.${ref.group} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
  const base = (ref: ApiObjectRef) => ({ group: ref.group, version: ref.version, plural: ref.plural });

  return {
    get: async (ref) => {
      let obj: unknown;
      try {
        obj = ref.namespace
          ? await api.getNamespacedCustomObject({ ...base(ref), namespace: ref.namespace, name: ref.name })
          : await api.getClusterCustomObject({ ...base(ref), name: ref.name });
      } catch (err) {
        const e: KubeError = toKubeError(err, { action: `get ${what(ref)}` });
        if (e.status === 404) return undefined;
        throw e;
      }
      const meta = ((obj as { metadata?: Record<string, unknown> } | undefined)?.metadata ?? {});
      const annotations = typeof meta['annotations'] === 'object' && meta['annotations'] !== null ? (meta['annotations'] as Record<string, string>) : {};
      return {
        resourceVersion: typeof meta['resourceVersion'] === 'string' ? meta['resourceVersion'] : '',
        ...(typeof meta['uid'] === 'string' ? { uid: meta['uid'] } : {}),
        annotations,
      };
    },
    create: async (ref, body) => {
      const call = ref.namespace
        ? api.createNamespacedCustomObject({ ...base(ref), namespace: ref.namespace, body, fieldManager: FIELD_MANAGER })
        : api.createClusterCustomObject({ ...base(ref), body, fieldManager: FIELD_MANAGER });
      await call.catch(fail(`create ${what(ref)}`));
    },
    replace: async (ref, body) => {
      const call = ref.namespace
        ? api.replaceNamespacedCustomObject({ ...base(ref), namespace: ref.namespace, name: ref.name, body, fieldManager: FIELD_MANAGER })
        : api.replaceClusterCustomObject({ ...base(ref), name: ref.name, body, fieldManager: FIELD_MANAGER });
      await call.catch(fail(`update ${what(ref)}`));
    },
    remove: async (ref, preconditions) => {
      const body = { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { resourceVersion: preconditions.resourceVersion, ...(preconditions.uid ? { uid: preconditions.uid } : {}) } };
      const call = ref.namespace
        ? api.deleteNamespacedCustomObject({ ...base(ref), namespace: ref.namespace, name: ref.name, body })
        : api.deleteClusterCustomObject({ ...base(ref), name: ref.name, body });
      await call.catch(fail(`delete ${what(ref)}`));
    },
  };
}
