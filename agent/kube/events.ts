// Kubernetes Events about the objects the agent manages (core/v1, as `kubectl describe` and
// `kubectl get events` show them). Cluster-scoped objects get theirs in `default`, as the API
// server's own event recorder does.
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Clock } from '../domain/runtime.js';
import type { KubeEvent, KubeEventWriter } from '../report/alert-sink.js';
import { toKubeError } from './errors.js';

export function kubeEventWriter(o: { config: KubeConfig; clock: Clock; random: () => number; component?: string }): KubeEventWriter {
  const core = o.config.makeApiClient(CoreV1Api);
  const component = o.component ?? 'calico-gitops';
  return {
    record: async (event: KubeEvent) => {
      const namespace = event.involved.namespace ?? 'default';
      const now = o.clock.now();
      const suffix = `${now.getTime().toString(16)}${Math.floor(o.random() * 0xffff).toString(16)}`;
      try {
        await core.createNamespacedEvent({
          namespace,
          body: {
            metadata: { name: `${event.involved.name}.${suffix}`.slice(0, 253), namespace },
            involvedObject: { ...event.involved },
            type: event.type,
            reason: event.reason,
            message: event.message,
            source: { component },
            reportingComponent: component,
            count: 1,
            firstTimestamp: now,
            lastTimestamp: now,
          },
        });
      } catch (err) {
        throw toKubeError(err, { action: `recording event ${event.reason} on ${event.involved.kind} ${event.involved.name}` });
      }
    },
  };
}
