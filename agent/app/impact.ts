// What a revision does to traffic on the cluster: the connectivity diff between the policies the
// cluster runs now and the ones it would run after applying the revision, on its live workloads.
import type { ImpactPort } from '../controller/ports.js';
import { diffConnectivity, type ConnectivityDiff } from '../connectivity/diff.js';
import { livePolicies, policiesAfterApply } from '../connectivity/effective-policies.js';
import { impactDescription, impactReport, withIntents, type ImpactReport } from '../connectivity/impact-report.js';
import type { CalicoVersion } from '../domain/calico-version.js';
import type { Clock } from '../domain/runtime.js';
import type { DesiredState, LiveView } from '../domain/state.js';
import type { WorkloadView } from '../live/workload-cache.js';
import { readClusterWorkloads } from '../live/workloads-reader.js';
import type { ImpactStore } from '../report/impact-store.js';

export interface ImpactInput {
  /** The cluster's namespaces, pods and service accounts (the agent's watched cache, or one list). */
  readonly workloads: WorkloadView;
  /** Read once, when the computation starts: the policies (and host endpoints, network sets) it diffs from. */
  readonly live: Pick<LiveView, 'list'>;
  readonly desired: DesiredState;
  readonly calicoVersion: CalicoVersion;
  readonly instance: string;
}

export async function computeImpact(o: ImpactInput): Promise<ConnectivityDiff> {
  // Before the first await: what the cluster runs now, not what an apply under way makes of it.
  const current = [...o.live.list()];
  const read = await readClusterWorkloads({ workloads: o.workloads, live: { list: () => current } });
  return diffConnectivity({ before: livePolicies(current), after: policiesAfterApply(o.desired, current, o.instance), workloads: read.workloads, calicoVersion: o.calicoVersion });
}

export interface ClusterImpactOptions extends Omit<ImpactInput, 'desired' | 'live'> {
  readonly cluster: string;
  readonly store: ImpactStore;
  readonly clock: Clock;
  /** The agent's public base URL; the status links to `<url>/impact/<sha>`. Absent: no link. */
  readonly publicUrl?: string;
}

/** `https://agent.example/base` + sha → `https://agent.example/base/impact/<sha>`. */
export function impactPageUrl(publicUrl: string, sha: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/impact/${encodeURIComponent(sha)}`;
}

/**
 * The controller's impact port. The diff is computed the first time a revision is planned, from
 * the live resources the cycle read before enqueueing it (the policies before it), and stored;
 * later cycles (after the apply, when a new diff would be empty) reuse it. The intents part
 * follows the latest check.
 */
export function clusterImpact(o: ClusterImpactOptions): ImpactPort {
  return {
    async assess({ snapshot, desired, intents, live }) {
      const stored = await o.store.load(snapshot.revision);
      let report: ImpactReport;
      if (stored) {
        report = withIntents(stored, intents);
        if (JSON.stringify(report.intents) !== JSON.stringify(stored.intents)) await o.store.save(report);
      } else {
        const diff = await computeImpact({ ...o, desired, live: { list: () => live } });
        report = impactReport({ revision: snapshot.revision, cluster: o.cluster, computedAt: o.clock.now(), diff, ...(intents ? { intents } : {}) });
        await o.store.save(report);
      }
      return {
        ok: true,
        description: impactDescription(report),
        intentsViolated: report.intents?.violated.length ?? 0,
        ...(o.publicUrl ? { url: impactPageUrl(o.publicUrl, snapshot.revision) } : {}),
      };
    },
  };
}
