// The list and watch operations the live cache needs, and their implementation on
// @kubernetes/client-node 1.4 (CustomObjectsApi reaches any /apis/<group>/<version>/<plural>).
import type { KubeClients } from '../kube/client.js';
import { toKubeError } from '../kube/errors.js';

export interface CollectionRef {
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

export function kubeTransport(clients: KubeClients): LiveTransport {
  return {
    async list(ref, page) {
      try {
        const body = (await clients.customObjects.listClusterCustomObject({
          group: ref.group,
          version: ref.version,
          plural: ref.plural,
          limit: page.limit,
          ...(page.continueToken ? { _continue: page.continueToken } : {}),
        })) as { items?: unknown[]; metadata?: { resourceVersion?: string; continue?: string } };
        return {
          items: body.items ?? [],
          resourceVersion: body.metadata?.resourceVersion ?? '',
          ...(body.metadata?.continue ? { continueToken: body.metadata.continue } : {}),
        };
      } catch (err) {
        throw toKubeError(err, { action: `list ${ref.group}/${ref.version} ${ref.plural}`, server: clients.server });
      }
    },
    async watch(ref, options, onEvent, onDone) {
      const action = { action: `watch ${ref.group}/${ref.version} ${ref.plural}`, server: clients.server };
      let finished = false;
      const finish = (err?: unknown): void => {
        if (finished) return;
        finished = true;
        onDone(err === undefined || err === null ? undefined : toKubeError(err, action));
      };
      const controller = await clients.watch.watch(
        `/apis/${ref.group}/${ref.version}/${ref.plural}`,
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
