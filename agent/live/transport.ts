// The list and watch operations the list+watch caches need, and their implementation on
// @kubernetes/client-node 1.4: CustomObjectsApi reaches any /apis/<group>/<version>/<plural>; the
// core group (`group: ''`, /api/v1) is listed through CoreV1Api, for the collections read here.
import { CoreV1Api } from '@kubernetes/client-node';
import type { KubeClients } from '../kube/client.js';
import { toKubeError } from '../kube/errors.js';

export interface CollectionRef {
  /** '' for the core group (/api/v1). */
  readonly group: string;
  readonly version: string;
  readonly plural: string;
}

export interface ListPage {
  readonly items: readonly unknown[];
  readonly resourceVersion: string;
  /** Continue token; empty or absent on the last page. */
  readonly continueToken?: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchHandle {
  stop(): void;
}

export interface LiveTransport {
  list(ref: CollectionRef, page: { limit: number; continueToken?: string }): Promise<ListPage>;
  /**
   * Starts a watch from `resourceVersion`. `onDone` is called exactly once: with no error when
   * the server closed the stream (timeout), with an error otherwise (KubeError; 410 = too old).
   */
  watch(
    ref: CollectionRef,
    options: { resourceVersion: string; timeoutSeconds: number },
    onEvent: (type: WatchEventType, object: unknown) => void,
    onDone: (err?: unknown) => void,
  ): Promise<WatchHandle>;
}

interface TypedList {
  readonly items: readonly unknown[];
  readonly metadata?: { readonly resourceVersion?: string; readonly _continue?: string };
}

type CoreLister = (core: CoreV1Api, page: { limit: number; _continue?: string }) => Promise<TypedList>;

/** The core collections the agent lists (cluster-wide), by plural. */
const CORE_LISTS: Readonly<Record<string, CoreLister>> = {
  namespaces: (core, page) => core.listNamespace(page),
  pods: (core, page) => core.listPodForAllNamespaces(page),
  serviceaccounts: (core, page) => core.listServiceAccountForAllNamespaces(page),
};

/** `/api/v1/pods`, `/apis/crd.projectcalico.org/v1/tiers`. */
function collectionPath(ref: CollectionRef): string {
  return ref.group === '' ? `/api/${ref.version}/${ref.plural}` : `/apis/${ref.group}/${ref.version}/${ref.plural}`;
}

const refLabel = (ref: CollectionRef): string => (ref.group === '' ? `${ref.version} ${ref.plural}` : `${ref.group}/${ref.version} ${ref.plural}`);

export function kubeTransport(clients: KubeClients): LiveTransport {
  const core = clients.config.makeApiClient(CoreV1Api);
  const listPage = async (ref: CollectionRef, page: { limit: number; continueToken?: string }): Promise<ListPage> => {
    const paging = { limit: page.limit, ...(page.continueToken ? { _continue: page.continueToken } : {}) };
    if (ref.group === '') {
      const lister = ref.version === 'v1' ? CORE_LISTS[ref.plural] : undefined;
      if (!lister) throw new Error(`no lister for the core collection ${ref.version} ${ref.plural}`);
      const typed = await lister(core, paging);
      return {
        // Typed objects (Dates, class instances) back to plain JSON, as watches deliver objects; the
        // fields read from pods, namespaces and service accounts keep their API names.
        items: JSON.parse(JSON.stringify(typed.items)) as unknown[],
        resourceVersion: typed.metadata?.resourceVersion ?? '',
        ...(typed.metadata?._continue ? { continueToken: typed.metadata._continue } : {}),
      };
    }
    const body = (await clients.customObjects.listClusterCustomObject({ group: ref.group, version: ref.version, plural: ref.plural, ...paging })) as {
      items?: unknown[];
      metadata?: { resourceVersion?: string; continue?: string };
    };
    return {
      items: body.items ?? [],
      resourceVersion: body.metadata?.resourceVersion ?? '',
      ...(body.metadata?.continue ? { continueToken: body.metadata.continue } : {}),
    };
  };
  return {
    async list(ref, page) {
      try {
        return await listPage(ref, page);
      } catch (err) {
        throw toKubeError(err, { action: `list ${refLabel(ref)}`, server: clients.server });
      }
    },
    async watch(ref, options, onEvent, onDone) {
      const action = { action: `watch ${refLabel(ref)}`, server: clients.server };
      let finished = false;
      const finish = (err?: unknown): void => {
        if (finished) return;
        finished = true;
        onDone(err === undefined || err === null ? undefined : toKubeError(err, action));
      };
      const controller = await clients.watch.watch(
        collectionPath(ref),
        { resourceVersion: options.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: options.timeoutSeconds },
        (type: string, object: unknown) => {
          if (finished) return;
          if (type === 'ERROR') {
            // The server reports an expired resourceVersion as an ERROR event holding a Status.
            const status = object as { code?: number; reason?: string; message?: string };
            finish(toKubeError({ code: status.code ?? 500, body: object, headers: {} }, action));
            return;
          }
          onEvent(type as WatchEventType, object);
        },
        (err: unknown) => finish(err),
      );
      return {
        stop() {
          finished = true;
          controller.abort();
        },
      };
    },
  };
}
