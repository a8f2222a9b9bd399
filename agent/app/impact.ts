// What a revision does to traffic on the cluster: the connectivity diff between the policies the
// cluster runs now and the ones it would run after applying the revision, on its live workloads.
import { diffConnectivity, type ConnectivityDiff } from '../connectivity/diff.js';
import { livePolicies, policiesAfterApply } from '../connectivity/effective-policies.js';
import type { CalicoVersion } from '../domain/calico-version.js';
import type { DesiredState, LiveView } from '../domain/state.js';
import type { KubeClients } from '../kube/client.js';
import { readClusterWorkloads } from '../live/workloads-reader.js';

export interface ImpactInput {
  readonly clients: KubeClients;
  readonly live: LiveView;
  readonly desired: DesiredState;
  readonly calicoVersion: CalicoVersion;
  readonly instance: string;
}

export async function computeImpact(o: ImpactInput): Promise<ConnectivityDiff> {
  const read = await readClusterWorkloads({ clients: o.clients, live: o.live });
  const current = [...o.live.list()];
  return diffConnectivity({ before: livePolicies(current), after: policiesAfterApply(o.desired, current, o.instance), workloads: read.workloads, calicoVersion: o.calicoVersion });
}
