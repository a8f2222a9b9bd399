// The cluster's workloads for the connectivity analysis, read-only: namespaces, pods and service
// accounts listed from the core API, host endpoints and network sets from the live cache (already
// in the repository's v3 shape).
import { CoreV1Api } from '@kubernetes/client-node';
import { parseWorkloads, type WorkloadsResult } from '../connectivity/workloads.js';
import { KubeError } from '../domain/errors.js';
import type { LiveView } from '../domain/state.js';
import type { KubeClients } from '../kube/client.js';

const WORKLOAD_KINDS = new Set(['HostEndpoint', 'NetworkSet', 'GlobalNetworkSet']);

export async function readClusterWorkloads(o: { clients: KubeClients; live: Pick<LiveView, 'list'> }): Promise<WorkloadsResult> {
  const core = o.clients.config.makeApiClient(CoreV1Api);
  let items: unknown[];
  try {
    const [namespaces, pods, serviceAccounts] = await Promise.all([core.listNamespace(), core.listPodForAllNamespaces(), core.listServiceAccountForAllNamespaces()]);
    items = [
      ...namespaces.items.map((n) => ({ kind: 'Namespace', metadata: n.metadata, spec: n.spec })),
      ...serviceAccounts.items.map((s) => ({ kind: 'ServiceAccount', metadata: s.metadata })),
      ...pods.items.map((p) => ({ kind: 'Pod', metadata: p.metadata, spec: p.spec, status: p.status })),
    ];
  } catch (err) {
    const status = (err as { code?: unknown }).code;
    throw new KubeError(`cannot list namespaces, pods and service accounts: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`, {
      status: typeof status === 'number' ? status : 0,
      reason: 'ListWorkloads',
      cause: err,
    });
  }
  for (const r of o.live.list()) {
    if (WORKLOAD_KINDS.has(r.kindId)) items.push({ kind: r.kindId, metadata: r.manifest.metadata, spec: r.manifest.spec });
  }
  return parseWorkloads(JSON.parse(JSON.stringify(items)) as unknown[], { file: o.clients.server });
}
