// A small world for semantic tests: policy YAML through the desired stage (as a repository would
// give it), workloads YAML through the workloads parser, then one question: what may A send B?
import yaml from 'js-yaml';
import { analyzeConnectivity, type Analysis } from '../../agent/connectivity/analyze.js';
import { summarize, type AllowedSummary } from '../../agent/connectivity/connection-set.js';
import { whyOf, type Why } from '../../agent/connectivity/connections.js';
import { parseWorkloads } from '../../agent/connectivity/workloads.js';
import { buildDesiredState } from '../../agent/desired/index.js';
import { parseCalicoVersion } from '../../agent/domain/calico-version.js';

export interface Scenario {
  readonly analysis: Analysis;
  allowed(from: string, to: string): AllowedSummary;
  why(from: string, to: string): Why;
}

export function scenario(o: { policies: string; workloads: string; version?: string; extraCidrs?: string[] }): Scenario {
  const calicoVersion = parseCalicoVersion(o.version ?? 'v3.31.0')!;
  const desired = buildDesiredState({ files: [{ path: 'policies.yaml', content: o.policies }], calicoVersion });
  if (desired.errors.length > 0) throw new Error(`policies do not validate: ${desired.errors.map((e) => `${e.line}: ${e.message}`).join('; ')}`);
  const w = parseWorkloads(yaml.loadAll(o.workloads), { file: 'workloads.yaml' });
  if (w.errors.length > 0) throw new Error(w.errors[0]?.message);
  const analysis = analyzeConnectivity({
    policies: [...desired.state.resources.values()],
    workloads: w.workloads,
    calicoVersion,
    ...(o.extraCidrs ? { extraCidrs: o.extraCidrs } : {}),
  });
  const entity = (peer: string) => {
    const e = analysis.universe.byPeer.get(peer);
    if (!e) throw new Error(`no peer ${peer}; peers: ${[...analysis.universe.byPeer.keys()].join(', ')}`);
    return e;
  };
  return {
    analysis,
    allowed: (from, to) => summarize(analysis.allowed(entity(from), entity(to))),
    why: (from, to) => whyOf(analysis.detail(entity(from), entity(to))),
  };
}

/** Pods as `ns/name{k=v,...}` (service account after `@`, node after `^`, named ports after `:`). */
export function pods(...specs: string[]): string {
  const namespaces = new Set<string>();
  const items = specs.map((s) => {
    const m = /^([^/]+)\/([^{@^:]+)(?:\{([^}]*)\})?(?:@([^^:]+))?(?:\^([^:]+))?(?::(.+))?$/.exec(s);
    if (!m) throw new Error(`bad pod spec ${s}`);
    const [, ns, name, labels, sa, node, ports] = m;
    namespaces.add(ns!);
    const labelMap = Object.fromEntries((labels ?? '').split(',').filter(Boolean).map((kv) => kv.split('=') as [string, string]));
    const containerPorts = (ports ?? '').split(',').filter(Boolean).map((p) => {
      const [pname, proto, num] = p.split('/') as [string, string, string];
      return { name: pname, protocol: proto, containerPort: Number(num) };
    });
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns, labels: labelMap },
      spec: { serviceAccountName: sa ?? 'default', ...(node ? { nodeName: node } : {}), containers: [{ name: 'c', ports: containerPorts }] },
    };
  });
  return yaml.dump({ apiVersion: 'v1', kind: 'List', items: [...[...namespaces].map((n) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n } })), ...items] });
}

export const NONE: AllowedSummary = { TCP: '', UDP: '', SCTP: '', ICMP: false, ICMPv6: false, other: false };
export const ALL: AllowedSummary = { TCP: '1-65535', UDP: '1-65535', SCTP: '1-65535', ICMP: true, ICMPv6: true, other: true };
export const tcp = (ports: string): AllowedSummary => ({ ...NONE, TCP: ports });
