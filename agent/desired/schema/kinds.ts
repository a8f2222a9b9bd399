// Field schemas of the kinds we accept (projectcalico.org/v3 as of v3.28–v3.32, and the
// metadata every kind shares). Spec fields of Kubernetes NetworkPolicies are checked by
// ../rules/kubernetes-network-policy.ts, so their spec is `any` here.
import type { KindId } from '../../domain/index.js';
import { any, arrayOf, bool, int, intOrString, num, object, str, stringMap, type FieldType } from './types.js';

const SERVER_SET = 'set by the cluster, not by the repository';
const NOT_APPLIED = 'calico-gitops applies name, namespace, labels and annotations only';

// Every field of Kubernetes' ObjectMeta is known to calicoctl's strict decoder
// (calicoctl/calicoctl/resourcemgr/resourcemgr.go:455, yaml.UnmarshalStrict into the v3 type),
// so none is an unknown field; the ones we do not carry are ignored with a warning.
export const metadataSchema: FieldType = object(
  { name: str, namespace: str, labels: stringMap, annotations: stringMap },
  {
    uid: SERVER_SET,
    resourceVersion: SERVER_SET,
    creationTimestamp: SERVER_SET,
    deletionTimestamp: SERVER_SET,
    deletionGracePeriodSeconds: SERVER_SET,
    generation: SERVER_SET,
    managedFields: SERVER_SET,
    selfLink: SERVER_SET,
    generateName: `${NOT_APPLIED}; a policy needs a fixed name`,
    finalizers: NOT_APPLIED,
    ownerReferences: NOT_APPLIED,
  },
);

const icmp = object({ type: int, code: int });

const entityRule = object({
  nets: arrayOf(str),
  notNets: arrayOf(str),
  selector: str,
  notSelector: str,
  namespaceSelector: str,
  ports: arrayOf(intOrString),
  notPorts: arrayOf(intOrString),
  serviceAccounts: object({ names: arrayOf(str), selector: str }),
  services: object({ name: str, namespace: str }),
});

const rule = object({
  action: str,
  ipVersion: int,
  protocol: intOrString,
  notProtocol: intOrString,
  icmp,
  notICMP: icmp,
  source: entityRule,
  destination: entityRule,
  http: object({ methods: arrayOf(str), paths: arrayOf(object({ exact: str, prefix: str })) }),
  metadata: object({ annotations: stringMap }),
});

const policyFields = {
  tier: str,
  order: num,
  selector: str,
  serviceAccountSelector: str,
  types: arrayOf(str),
  ingress: arrayOf(rule),
  egress: arrayOf(rule),
  performanceHints: arrayOf(str),
};

const globalPolicyFields = {
  ...policyFields,
  namespaceSelector: str,
  doNotTrack: bool,
  preDNAT: bool,
  applyOnForward: bool,
};

const SPECS: Readonly<Record<KindId, FieldType>> = {
  NetworkPolicy: object(policyFields),
  StagedNetworkPolicy: object({ ...policyFields, stagedAction: str }),
  GlobalNetworkPolicy: object(globalPolicyFields),
  StagedGlobalNetworkPolicy: object({ ...globalPolicyFields, stagedAction: str }),
  NetworkSet: object({ nets: arrayOf(str) }),
  GlobalNetworkSet: object({ nets: arrayOf(str) }),
  HostEndpoint: object({
    node: str,
    interfaceName: str,
    expectedIPs: arrayOf(str),
    profiles: arrayOf(str),
    ports: arrayOf(object({ name: str, protocol: intOrString, port: int })),
  }),
  Tier: object({ order: num, defaultAction: str }),
  KubernetesNetworkPolicy: any,
  StagedKubernetesNetworkPolicy: any,
};

export function specSchema(kindId: KindId): FieldType {
  return SPECS[kindId];
}

/** Top-level fields of every manifest; `status` is what a cluster export carries. */
export const TOP_LEVEL_FIELDS = ['apiVersion', 'kind', 'metadata', 'spec'] as const;
