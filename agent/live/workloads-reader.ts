// The cluster's workloads for the connectivity analysis, read-only: namespaces, pods and service
// accounts from a WorkloadView (the agent's watched cache, or one list for a command), host
// endpoints and network sets from the live cache (already in the repository's v3 shape).
import { parseWorkloads, type WorkloadsResult } from '../connectivity/workloads.js';
import { EXECUTOR_JOB_LABEL } from '../domain/ownership.js';
import type { LiveView } from '../domain/state.js';
import type { WorkloadView } from './workload-cache.js';

const WORKLOAD_KINDS = new Set(['HostEndpoint', 'NetworkSet', 'GlobalNetworkSet']);

export async function readClusterWorkloads(o: { workloads: WorkloadView; live: Pick<LiveView, 'list'> }): Promise<WorkloadsResult> {
  // The agent's own executor pods are no workload: they live for one job, so whether the impact of
  // a revision listed one would depend on how far its job had got when the analysis ran.
  const items: unknown[] = (await o.workloads.items()).filter((item) => !isExecutorPod(item));
  for (const r of o.live.list()) {
    if (WORKLOAD_KINDS.has(r.kindId)) items.push({ kind: r.kindId, metadata: r.manifest.metadata, spec: r.manifest.spec });
  }
  return parseWorkloads(items, { file: o.workloads.origin });
}

function isExecutorPod(item: Readonly<Record<string, unknown>>): boolean {
  if (item['kind'] !== 'Pod') return false;
  const labels = (item['metadata'] as { labels?: Record<string, unknown> } | undefined)?.labels;
  return labels !== undefined && EXECUTOR_JOB_LABEL in labels;
}
