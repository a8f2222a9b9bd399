// `connectivity --kubeconfig`: the workloads and the Calico version read live from the cluster
// (read-only). Its own module, loaded only with --kubeconfig: the Kubernetes client is most of the
// CLI's start-up cost, and `--dir` with `--workloads` needs none of it.
import pino from 'pino';
import type { Workloads } from '../../connectivity/workloads.js';
import { loadConfig } from '../../config/config.js';
import type { CalicoVersion } from '../../domain/calico-version.js';
import { KubeError } from '../../domain/errors.js';
import type { Issue } from '../../domain/issue.js';
import { createKubeClients, type KubeClients } from '../../kube/client.js';
import { detectCluster } from '../../kube/detect.js';
import { createLiveCache } from '../../live/create-live-cache.js';
import { kubeTransport } from '../../live/transport.js';
import { listedWorkloads } from '../../live/workload-cache.js';
import { readClusterWorkloads } from '../../live/workloads-reader.js';

export interface ClusterOptions {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly calicoVersion?: string;
  /** How long to wait for the live view's first list. */
  readonly syncTimeoutMs: number;
}

export interface OpenCluster {
  readonly calicoVersion: CalicoVersion;
  workloads(warnings: Issue[]): Promise<Workloads>;
  close(): Promise<void>;
}

export async function openCluster(flags: ClusterOptions): Promise<OpenCluster> {
  const { syncTimeoutMs } = flags;
  const clients: KubeClients = createKubeClients({ ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}), ...(flags.context ? { context: flags.context } : {}) });
  const override = loadConfig({ calicoVersion: flags.calicoVersion }).calicoVersion;
  const cluster = await detectCluster(clients, override === undefined ? {} : { calicoVersionOverride: override });
  const live = createLiveCache({ clients, cluster, logger: pino({ level: 'silent' }) });
  live.start();
  return {
    calicoVersion: cluster.calicoVersion,
    async workloads(warnings) {
      if (!(await live.waitForSync(syncTimeoutMs))) {
        const down = live.status().filter((s) => !s.synced);
        throw new KubeError(`the live view of the cluster did not sync within ${syncTimeoutMs / 1000}s (${down[0]?.label ?? ''}: ${down[0]?.lastError ?? 'not listed yet'})`, { status: 504, reason: 'Timeout' });
      }
      const read = await readClusterWorkloads({ workloads: listedWorkloads({ transport: kubeTransport(clients), origin: clients.server }), live });
      warnings.push(...read.warnings, ...read.errors.map((e) => ({ ...e, severity: 'warning' as const })));
      return read.workloads;
    },
    close: () => live.stop(),
  };
}

