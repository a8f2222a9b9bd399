// networking.k8s.io/v1 NetworkPolicy → repository shape: server fields (uid, resourceVersion,
// managedFields, generation, creationTimestamp, status, kubectl's last-applied annotation) go. Pure.
import { K8S_NETWORKING_API_VERSION } from '../domain/kinds.js';
import type { ConvertedObject } from './converted.js';
import { fromServedObject } from './convert-v3.js';

export function fromKubernetesNetworkPolicy(object: unknown): ConvertedObject | undefined {
  return fromServedObject({ kindId: 'KubernetesNetworkPolicy', object, apiVersion: K8S_NETWORKING_API_VERSION, policyNames: false });
}
