// The read-only Calico NetworkPolicy `knp.default.<name>` that the Calico API server lists for every
// Kubernetes NetworkPolicy (libcalico-go `conversion.K8sNetworkPolicyToCalico`): no labels or
// annotations, order 1000, the pod selector prefixed with the orchestrator label, types from
// policyTypes (Ingress when absent), one rule per protocol and peer. Ports are not merged into
// ranges (SimplifyPorts) and bad CIDRs are not dropped: enough for readers to see the view exists.
import { isObj, metaOf, str } from '../meta.js';
import type { Json } from '../status.js';

export const KNP_PREFIX = 'knp.default.';

type LabelSelector = { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };

function selector(s: LabelSelector | undefined, pod: boolean): string {
  const parts = pod ? ["projectcalico.org/orchestrator == 'k8s'"] : [];
  if (!s) return parts.join(' && ');
  const labels = s.matchLabels ?? {};
  if (!pod && Object.keys(labels).length === 0 && (s.matchExpressions ?? []).length === 0) return 'all()';
  for (const k of Object.keys(labels).sort()) parts.push(`${k} == '${labels[k] ?? ''}'`);
  for (const e of s.matchExpressions ?? []) {
    const values = (e.values ?? []).join("', '");
    if (e.operator === 'In') parts.push(`${e.key} in { '${values}' }`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} not in { '${values}' }`);
    else if (e.operator === 'Exists') parts.push(`has(${e.key})`);
    else if (e.operator === 'DoesNotExist') parts.push(`! has(${e.key})`);
  }
  return parts.join(' && ');
}

type Peer = { podSelector?: LabelSelector; namespaceSelector?: LabelSelector; ipBlock?: { cidr: string; except?: string[] } };
type Port = { protocol?: string; port?: number | string; endPort?: number };

function entity(peer: Peer | undefined): Json {
  if (!peer) return {};
  if (peer.ipBlock) return { nets: [peer.ipBlock.cidr], ...(peer.ipBlock.except?.length ? { notNets: peer.ipBlock.except } : {}) };
  const sel = selector(peer.podSelector, true);
  const ns = peer.namespaceSelector ? selector(peer.namespaceSelector, false) : '';
  return { ...(sel ? { selector: sel } : {}), ...(ns ? { namespaceSelector: ns } : {}) };
}

function rules(list: unknown, peersKey: 'from' | 'to', ingress: boolean): Json[] {
  const out: Json[] = [];
  for (const r of Array.isArray(list) ? (list as Record<string, unknown>[]) : []) {
    const peers: (Peer | undefined)[] = Array.isArray(r[peersKey]) && (r[peersKey] as Peer[]).length ? (r[peersKey] as Peer[]) : [undefined];
    const byProtocol = new Map<string, (number | string)[]>();
    for (const p of Array.isArray(r['ports']) ? (r['ports'] as Port[]) : []) {
      const proto = p.protocol ?? 'TCP';
      const ports = byProtocol.get(proto) ?? [];
      if (p.port !== undefined) ports.push(p.endPort !== undefined ? `${p.port}:${p.endPort}` : p.port);
      byProtocol.set(proto, ports);
    }
    const protocols: [string | undefined, (number | string)[]][] = byProtocol.size ? [...byProtocol.entries()].sort(([a], [b]) => a.localeCompare(b)) : [[undefined, []]];
    for (const [protocol, ports] of protocols) {
      for (const peer of peers) {
        const portsPart = ports.length ? { ports } : {};
        out.push({
          action: 'Allow',
          ...(protocol ? { protocol } : {}),
          ...(ingress ? { source: entity(peer), destination: portsPart } : { destination: { ...portsPart, ...entity(peer) } }),
        });
      }
    }
  }
  return out;
}

export function knpView(np: Json): Json {
  const meta = metaOf(np);
  const spec = isObj(np['spec']) ? np['spec'] : {};
  const policyTypes = Array.isArray(spec['policyTypes']) ? (spec['policyTypes'] as string[]) : [];
  const ingress = rules(spec['ingress'], 'from', true);
  const egress = rules(spec['egress'], 'to', false);
  return {
    apiVersion: 'projectcalico.org/v3',
    kind: 'NetworkPolicy',
    metadata: {
      name: `${KNP_PREFIX}${str(meta['name'])}`,
      namespace: str(meta['namespace']),
      ...(meta['uid'] !== undefined ? { uid: meta['uid'] } : {}),
      ...(meta['resourceVersion'] !== undefined ? { resourceVersion: meta['resourceVersion'] } : {}),
      ...(meta['creationTimestamp'] !== undefined ? { creationTimestamp: meta['creationTimestamp'] } : {}),
    },
    spec: {
      order: 1000,
      selector: selector(isObj(spec['podSelector']) ? (spec['podSelector'] as LabelSelector) : undefined, true),
      ...(ingress.length ? { ingress } : {}),
      ...(egress.length ? { egress } : {}),
      types: policyTypes.length ? policyTypes.filter((p) => p === 'Ingress' || p === 'Egress') : ['Ingress'],
    },
  };
}
