// The peers of the analysis, grouped so cost follows distinct label sets, not pods: every pod
// class holds the pods that no policy can tell apart (namespace, labels, service account, named
// ports, which listed CIDRs hold its IPs, its node when host endpoints sit on it). Host endpoints
// are one peer each. External addresses are CIDR classes: a CIDR stands for its addresses that no
// more specific listed CIDR covers, so every net of every rule either holds it or misses it.
import { cidrContains, formatCidr, parseCidr, type Cidr } from '../desired/rules/k8s-cidr.js';
import type { LabelSubject } from './subject.js';
import type { HostEndpointInfo, NamedPort, NetworkSetInfo, PodInfo, Workloads } from './workloads.js';

export type EntityKind = 'pods' | 'host' | 'cidr';

export interface Entity {
  readonly index: number;
  readonly kind: EntityKind;
  /** Label view for selectors; undefined for CIDR peers (they are matched through network sets). */
  readonly subject?: LabelSubject;
  /** Network sets whose nets hold this entity's addresses (selectors match those too). */
  readonly networkSets: readonly LabelSubject[];
  /** Addresses: pod IPs, expectedIPs, or the CIDR of the class. */
  readonly addresses: readonly Cidr[];
  /** 6 for an IPv6 CIDR peer; 4 for everything else (pods are analysed as IPv4, ICMPv6 apart). */
  readonly family: 4 | 6;
  readonly ports: readonly NamedPort[];
  readonly node?: string;
  readonly namespace?: string;
  /** Peer names: `ns/pod`, `hostendpoint/NAME`, `10.0.0.0/8`. */
  readonly members: readonly string[];
  /** `test1 {app=web}` / `hostendpoint/node1-eth0` / `10.0.0.0/8`. */
  readonly title: string;
  readonly host?: HostEndpointInfo;
}

export interface EntityUniverse {
  readonly entities: readonly Entity[];
  readonly byPeer: ReadonlyMap<string, Entity>;
  /** Host endpoints by node name. */
  readonly hostsByNode: ReadonlyMap<string, readonly Entity[]>;
}

export interface BuildEntitiesInput {
  readonly workloads: Workloads;
  /** CIDRs from policies (nets, notNets); with network sets and extras they bound the CIDR classes. */
  readonly cidrs: readonly Cidr[];
  /** More CIDR peers to include (`--from 10.0.0.0/8`). */
  readonly extraCidrs?: readonly string[];
  /** Include CIDR peers at all (off for pod-only comparisons). */
  readonly includeCidrPeers: boolean;
}

const sortedLabels = (l: Readonly<Record<string, string>>) => Object.entries(l).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
const labelText = (l: Readonly<Record<string, string>>) => sortedLabels(l).map(([k, v]) => `${k}=${v}`).join(',');

function cidrOf(ip: string): Cidr | undefined {
  const r = parseCidr(ip, { allowBareIp: true });
  return r.ok ? r.cidr : undefined;
}

export function buildEntities(input: BuildEntitiesInput): EntityUniverse {
  const { workloads } = input;
  // Calico's namespace profile adds projectcalico.org/name to the namespace's own labels.
  const nsLabels = new Map(workloads.namespaces.map((n) => [n.name, { ...n.labels, 'projectcalico.org/name': n.name }]));
  const saLabels = new Map(workloads.serviceAccounts.map((s) => [`${s.namespace}/${s.name}`, s.labels]));
  const setCidrs = workloads.networkSets.map((s) => ({ set: s, nets: s.nets.flatMap((n) => cidrOf(n) ?? []) }));
  const setSubjects = new Map<NetworkSetInfo, LabelSubject>(workloads.networkSets.map((s) => [s, networkSetSubject(s, nsLabels)]));
  const hostNodes = new Set(workloads.hostEndpoints.map((h) => h.node));
  const listed = dedupeCidrs([...input.cidrs, ...setCidrs.flatMap((s) => s.nets), ...(input.extraCidrs ?? []).flatMap((c) => cidrOf(c) ?? [])]);

  const entities: Entity[] = [];
  const byPeer = new Map<string, Entity>();
  const containingSets = (addresses: readonly Cidr[]) =>
    setCidrs.filter((s) => addresses.some((a) => s.nets.some((n) => cidrContains(n, a)))).map((s) => setSubjects.get(s.set)!);

  // Pods, by class.
  const classes = new Map<string, { pods: PodInfo[]; addresses: Cidr[] }>();
  for (const pod of workloads.pods) {
    const addresses = pod.ips.flatMap((ip) => cidrOf(ip) ?? []);
    const netSignature = addresses.length === 0 ? '' : listed.flatMap((c, i) => (addresses.some((a) => cidrContains(c, a)) ? [i] : [])).join(',');
    const key = JSON.stringify([
      pod.namespace,
      labelText(pod.labels),
      pod.serviceAccount,
      pod.ports.map((p) => `${p.name}/${p.protocol}/${p.port}`).sort(),
      netSignature,
      pod.node !== undefined && hostNodes.has(pod.node) ? pod.node : '',
    ]);
    const c = classes.get(key);
    if (c) c.pods.push(pod);
    else classes.set(key, { pods: [pod], addresses });
  }
  for (const { pods, addresses } of classes.values()) {
    const first = pods[0]!;
    const subject: LabelSubject = {
      labels: {
        ...first.labels,
        'projectcalico.org/namespace': first.namespace,
        'projectcalico.org/orchestrator': 'k8s',
        'projectcalico.org/serviceaccount': first.serviceAccount,
      },
      namespace: first.namespace,
      namespaceLabels: nsLabels.get(first.namespace) ?? { 'kubernetes.io/metadata.name': first.namespace, 'projectcalico.org/name': first.namespace },
      serviceAccount: { name: first.serviceAccount, labels: saLabels.get(`${first.namespace}/${first.serviceAccount}`) ?? {} },
      isNetworkSet: false,
    };
    const members = pods.map((p) => `${p.namespace}/${p.name}`).sort();
    const e: Entity = {
      index: entities.length,
      kind: 'pods',
      subject,
      networkSets: containingSets(addresses),
      addresses,
      family: 4,
      ports: first.ports,
      ...(first.node !== undefined && hostNodes.has(first.node) ? { node: first.node } : {}),
      namespace: first.namespace,
      members,
      title: `${first.namespace} {${labelText(first.labels)}}`,
    };
    entities.push(e);
    for (const m of members) byPeer.set(m, e);
  }

  const hostsByNode = new Map<string, Entity[]>();
  for (const h of [...workloads.hostEndpoints].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const addresses = h.expectedIPs.flatMap((ip) => cidrOf(ip) ?? []);
    const peer = `hostendpoint/${h.name}`;
    const e: Entity = {
      index: entities.length,
      kind: 'host',
      subject: { labels: h.labels, isNetworkSet: false },
      networkSets: containingSets(addresses),
      addresses,
      family: 4,
      ports: h.ports,
      node: h.node,
      members: [peer],
      title: peer,
      host: h,
    };
    entities.push(e);
    byPeer.set(peer, e);
    hostsByNode.set(h.node, [...(hostsByNode.get(h.node) ?? []), e]);
  }

  if (input.includeCidrPeers) {
    const v4all = cidrOf('0.0.0.0/0')!;
    const v6all = cidrOf('::/0')!;
    const peers = dedupeCidrs([v4all, ...(listed.some((c) => c.family === 6) ? [v6all] : []), ...listed]);
    for (const c of peers) {
      if (coveredByChildren(c, peers)) continue;
      const name = formatCidr(c);
      const e: Entity = {
        index: entities.length,
        kind: 'cidr',
        networkSets: containingSets([c]),
        addresses: [c],
        family: c.family,
        ports: [],
        members: [name],
        title: name,
      };
      entities.push(e);
      byPeer.set(name, e);
    }
  }
  return { entities, byPeer, hostsByNode };
}

function networkSetSubject(s: NetworkSetInfo, nsLabels: ReadonlyMap<string, Readonly<Record<string, string>>>): LabelSubject {
  if (s.namespace === undefined) return { labels: s.labels, isNetworkSet: true };
  return {
    labels: { ...s.labels, 'projectcalico.org/namespace': s.namespace },
    namespace: s.namespace,
    namespaceLabels: nsLabels.get(s.namespace) ?? { 'kubernetes.io/metadata.name': s.namespace, 'projectcalico.org/name': s.namespace },
    isNetworkSet: true,
  };
}

function dedupeCidrs(cidrs: readonly Cidr[]): Cidr[] {
  const seen = new Map<string, Cidr>();
  for (const c of cidrs) {
    const k = formatCidr(c);
    if (!seen.has(k)) seen.set(k, { ...c, address: c.network, hostBitsSet: false });
  }
  return [...seen.values()].sort((a, b) => a.family - b.family || a.prefix - b.prefix || (formatCidr(a) < formatCidr(b) ? -1 : 1));
}

/** True when more specific listed CIDRs cover `c` entirely (its class would be empty). */
function coveredByChildren(c: Cidr, all: readonly Cidr[]): boolean {
  const inside = all.filter((o) => o.prefix > c.prefix && cidrContains(c, o));
  const maximal = inside.filter((o) => !inside.some((p) => p !== o && p.prefix < o.prefix && cidrContains(p, o)));
  const bits = c.family === 4 ? 32 : 128;
  let covered = 0n;
  for (const m of maximal) covered += 1n << BigInt(bits - m.prefix);
  return covered >= 1n << BigInt(bits - c.prefix);
}

export function addressIn(e: Entity, nets: readonly Cidr[]): boolean {
  return e.addresses.some((a) => nets.some((n) => cidrContains(n, a)));
}
