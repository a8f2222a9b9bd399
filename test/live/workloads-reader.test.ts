// The workloads the connectivity analysis reads: the cache's namespaces, pods and service accounts
// plus the live host endpoints and network sets, without the agent's own executor pods (they live
// for one job, so the impact of a revision would depend on how far its job had got).
import { describe, expect, it } from 'vitest';
import type { WorkloadView } from '../../agent/live/workload-cache.js';
import { readClusterWorkloads } from '../../agent/live/workloads-reader.js';

const pod = (name: string, labels: Record<string, string>) => ({ kind: 'Pod', metadata: { name, namespace: 'apps', labels }, spec: { serviceAccountName: 'default', containers: [{ name: 'c' }] } });
const view = (items: Record<string, unknown>[]): WorkloadView => ({ origin: 'https://cluster.example', items: async () => items });
const none = { list: () => [] };

describe('readClusterWorkloads', () => {
  it.each<[string, Record<string, unknown>[], string[]]>([
    ['pods of the cluster are workloads', [pod('web', { app: 'web' }), pod('db', { app: 'db' })], ['db', 'web']],
    ['an executor pod (job label) is not', [pod('web', { app: 'web' }), pod('calico-gitops-0123456789ab', { 'app.kubernetes.io/managed-by': 'calico-gitops', 'calico-gitops.io/job': '0123456789ab' })], ['web']],
    ['a pod that only says managed-by calico-gitops still is', [pod('tool', { 'app.kubernetes.io/managed-by': 'calico-gitops' })], ['tool']],
  ])('%s', async (_name, items, expected) => {
    const read = await readClusterWorkloads({ workloads: view([{ kind: 'Namespace', metadata: { name: 'apps' } }, ...items]), live: none });
    expect(read.workloads.pods.map((p) => p.name).sort()).toEqual(expected);
  });
});
