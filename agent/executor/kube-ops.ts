// The Kubernetes operations the executor needs, behind a small port, and their implementation
// on @kubernetes/client-node 1.4. Every failure becomes a KubeError (no headers, no tokens).
import { CoreV1Api, Watch, type KubeConfig, type V1ConfigMap, type V1Pod } from '@kubernetes/client-node';
import { ExecutorError, type KubeError } from '../domain/errors.js';
import { toKubeError } from '../kube/errors.js';

export interface ObjectRef {
  readonly namespace: string;
  readonly name: string;
}

export interface KubeOps {
  /** Throws a KubeError; status 409 when it already exists. */
  createConfigMap(configMap: V1ConfigMap): Promise<void>;
  createPod(pod: V1Pod): Promise<void>;
  /** Resolves with the pod once it is Succeeded or Failed; ExecutorError `pod-timeout` after timeoutMs. */
  waitForPodDone(input: ObjectRef & { readonly timeoutMs: number; readonly signal?: AbortSignal }): Promise<V1Pod>;
  /** A container's log; empty when it never ran. */
  readLogs(input: ObjectRef & { readonly container: string }): Promise<string>;
  /** Resolves once the pod is gone (or never existed), waiting up to `waitMs` (default 30 s; 0: once it is deleted). */
  deletePod(input: ObjectRef & { readonly waitMs?: number }): Promise<void>;
  deleteConfigMap(input: ObjectRef): Promise<void>;
  /** Pods and ConfigMaps in the namespace matching the label selector. */
  listObjects(input: { readonly namespace: string; readonly labelSelector: string }): Promise<ListedObjects>;
}

export interface ListedObject {
  readonly name: string;
  readonly createdAt?: Date;
}

export interface ListedObjects {
  readonly pods: readonly ListedObject[];
  readonly configMaps: readonly ListedObject[];
}

const DONE_PHASES = new Set(['Succeeded', 'Failed']);

export function isPodDone(pod: V1Pod | undefined): boolean {
  return DONE_PHASES.has(pod?.status?.phase ?? '');
}

export function kubeOpsFor(config: KubeConfig): KubeOps {
  const core = config.makeApiClient(CoreV1Api);
  const watch = new Watch(config);
  const server = config.getCurrentCluster()?.server;
  const fail = (action: string) => (err: unknown): never => {
    throw toKubeError(err, { action, ...(server ? { server } : {}) });
  };
  const ignoreNotFound = (action: string) => (err: unknown): void => {
    const e = toKubeError(err, { action });
    if (e.status !== 404) throw e;
  };
  const readPod = (ref: ObjectRef): Promise<V1Pod | undefined> =>
    core.readNamespacedPod(ref).catch((err: unknown) => {
      const e = toKubeError(err, { action: `read pod ${ref.namespace}/${ref.name}` });
      if (e.status === 404) return undefined;
      throw e;
    });

  return {
    createConfigMap: async (configMap) => {
      const namespace = configMap.metadata?.namespace ?? '';
      await core.createNamespacedConfigMap({ namespace, body: configMap }).catch(fail(`create configmap ${namespace}/${configMap.metadata?.name ?? ''}`));
    },
    createPod: async (pod) => {
      const namespace = pod.metadata?.namespace ?? '';
      await core.createNamespacedPod({ namespace, body: pod }).catch(fail(`create pod ${namespace}/${pod.metadata?.name ?? ''}`));
    },
    waitForPodDone: (input) => waitForPod({ watch, readPod, ...input }),
    readLogs: async (input) => {
      try {
        return await core.readNamespacedPodLog(input);
      } catch (err) {
        const e = toKubeError(err, { action: `read log of ${input.namespace}/${input.name} container ${input.container}` });
        // 400: the container has not started (it was never reached); 404: the pod is gone.
        if (e.status === 400 || e.status === 404) return '';
        throw e;
      }
    },
    deletePod: async (input) => {
      await core
        .deleteNamespacedPod({ namespace: input.namespace, name: input.name, gracePeriodSeconds: 0, propagationPolicy: 'Background' })
        .catch(ignoreNotFound(`delete pod ${input.namespace}/${input.name}`));
      if (input.waitMs === 0) return;
      const until = Date.now() + (input.waitMs ?? 30_000);
      while ((await readPod(input)) !== undefined) {
        if (Date.now() > until) throw new ExecutorError(`pod ${input.namespace}/${input.name} is still terminating`, { code: 'pod-terminating' });
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    listObjects: async (input) => {
      const action = `list executor objects in ${input.namespace}`;
      const [pods, configMaps] = await Promise.all([
        core.listNamespacedPod(input).catch(fail(action)),
        core.listNamespacedConfigMap(input).catch(fail(action)),
      ]);
      const listed = (items: { metadata?: { name?: string; creationTimestamp?: Date } }[]): ListedObject[] =>
        items.map((i) => ({ name: i.metadata?.name ?? '', ...(i.metadata?.creationTimestamp ? { createdAt: new Date(i.metadata.creationTimestamp) } : {}) }));
      return { pods: listed(pods.items), configMaps: listed(configMaps.items) };
    },
    deleteConfigMap: async (input) => {
      await core.deleteNamespacedConfigMap(input).catch(ignoreNotFound(`delete configmap ${input.namespace}/${input.name}`));
    },
  };
}

/**
 * Watches the one pod (field selector on its name) and re-checks with a GET whenever a watch starts,
 * so a pod that finished before the watch opened is not missed. Watches that end early restart.
 */
function waitForPod(input: ObjectRef & {
  watch: Watch;
  readPod: (ref: ObjectRef) => Promise<V1Pod | undefined>;
  timeoutMs: number;
  signal?: AbortSignal;
}): Promise<V1Pod> {
  const path = `/api/v1/namespaces/${encodeURIComponent(input.namespace)}/pods`;
  return new Promise<V1Pod>((resolve, reject) => {
    let settled = false;
    let current: AbortController | undefined;
    const finish = (outcome: { pod: V1Pod } | { error: Error }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      input.signal?.removeEventListener('abort', onAbort);
      current?.abort();
      if ('pod' in outcome) resolve(outcome.pod);
      else reject(outcome.error);
    };
    const timer = setTimeout(
      () => finish({ error: new ExecutorError(`pod ${input.namespace}/${input.name} did not finish within ${Math.round(input.timeoutMs / 1000)} s`, { code: 'pod-timeout' }) }),
      input.timeoutMs,
    );
    const onAbort = (): void => finish({ error: new ExecutorError('the job was cancelled while its pod ran', { code: 'aborted' }) });
    input.signal?.addEventListener('abort', onAbort, { once: true });
    if (input.signal?.aborted) return onAbort();

    const start = async (attempt: number): Promise<void> => {
      if (settled) return;
      try {
        current = await input.watch.watch(
          path,
          { fieldSelector: `metadata.name=${input.name}`, timeoutSeconds: Math.max(5, Math.ceil(input.timeoutMs / 1000)) },
          (phase, obj: V1Pod) => {
            if (phase === 'DELETED') finish({ error: new ExecutorError(`pod ${input.namespace}/${input.name} was deleted while it ran`, { code: 'pod-deleted' }) });
            else if (isPodDone(obj)) finish({ pod: obj });
          },
          () => {
            // The server closed the watch (timeout, restart): watch again after a short pause.
            if (!settled) setTimeout(() => void start(attempt + 1), Math.min(2_000, 100 * 2 ** attempt));
          },
        );
        const pod = await input.readPod(input);
        if (!pod) finish({ error: new ExecutorError(`pod ${input.namespace}/${input.name} does not exist`, { code: 'pod-deleted' }) });
        else if (isPodDone(pod)) finish({ pod });
      } catch (err) {
        const e: KubeError = toKubeError(err, { action: `watch pod ${input.namespace}/${input.name}` });
        if (e.disposition === 'stalled') finish({ error: e });
        else if (!settled) setTimeout(() => void start(attempt + 1), Math.min(2_000, 100 * 2 ** attempt));
      }
    };
    void start(0);
  });
}
