// Which collections the live cache lists and watches for a cluster, and how each is converted.
import { atLeast, type CalicoVersion, type ApiMode } from '../domain/calico-version.js';
import { KIND_IDS, KINDS, type KindId } from '../domain/kinds.js';
import { storageFor } from '../kube/detect.js';
import type { ConvertedObject } from './converted.js';
import { fromCrdObject } from './convert-crd.js';
import { fromKubernetesNetworkPolicy } from './convert-k8s.js';
import { fromV3Object } from './convert-v3.js';

export interface LiveSource {
  readonly kindId: KindId;
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  /** `crd.projectcalico.org/v1 networkpolicies`, for logs and messages. */
  readonly label: string;
  convert(object: unknown): ConvertedObject | undefined;
}

/** Every Calico kind the cluster's version has, from its storage, plus Kubernetes NetworkPolicies. */
export function liveSourcesFor(cluster: { calicoVersion: CalicoVersion; apiMode: ApiMode }): LiveSource[] {
  const { group, version } = storageFor(cluster.apiMode);
  const out: LiveSource[] = [];
  for (const kindId of KIND_IDS) {
    const info = KINDS[kindId];
    if (kindId === 'KubernetesNetworkPolicy') {
      out.push({ kindId, group: 'networking.k8s.io', version: 'v1', plural: info.plural, label: 'networking.k8s.io/v1 networkpolicies', convert: fromKubernetesNetworkPolicy });
      continue;
    }
    if (!atLeast(cluster.calicoVersion, info.since[0], info.since[1])) continue;
    const convert =
      cluster.apiMode === 'crd'
        ? (object: unknown) => fromCrdObject({ kindId, object, calicoVersion: cluster.calicoVersion })
        : (object: unknown) => fromV3Object({ kindId, object });
    out.push({ kindId, group, version, plural: info.plural, label: `${group}/${version} ${info.plural}`, convert });
  }
  return out;
}
