// The cluster's workloads for the connectivity analysis, read-only: namespaces, pods and service
// accounts from a WorkloadView (the agent's watched cache, or one list for a command), host
// endpoints and network sets from the live cache (already in the repository's v3 shape).
import { parseWorkloads, type WorkloadsResult } from '../connectivity/workloads.js';
import type { LiveView } from '../domain/state.js';
import type { WorkloadView } from './workload-cache.js';

const WORKLOAD_KINDS = new Set(['HostEndpoint', 'NetworkSet', 'GlobalNetworkSet']);

export async function readClusterWorkloads(o: { workloads: WorkloadView; live: Pick<LiveView, 'list'> }): Promise<WorkloadsResult> {
  const items: unknown[] = [...(await o.workloads.items())];
  for (const r of o.live.list()) {
    if (WORKLOAD_KINDS.has(r.kindId)) items.push({ kind: r.kindId, metadata: r.manifest.metadata, spec: r.manifest.spec });
  }
  return parseWorkloads(items, { file: o.workloads.origin });
}
