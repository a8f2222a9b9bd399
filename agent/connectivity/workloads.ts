// What policies act on: namespaces, service accounts, pods, host endpoints and network sets, read
// from a Kubernetes List (`kubectl get namespaces,pods,serviceaccounts -A -o yaml`) plus Calico's
// HostEndpoint / NetworkSet / GlobalNetworkSet objects. Pure: values in, workloads and problems out.
import type { Issue, Issues } from '../domain/issue.js';

export interface NamedPort {
  readonly name: string;
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
  readonly port: number;
}

export interface NamespaceInfo {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface ServiceAccountInfo {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface PodInfo {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly serviceAccount: string;
  /** Named container ports (for rules that name a port). */
  readonly ports: readonly NamedPort[];
  /** status.podIPs; empty when unknown (then no `nets` rule can match the pod). */
  readonly ips: readonly string[];
  /** spec.nodeName, when scheduled: decides which host endpoints forward its traffic. */
  readonly node?: string;
}

export interface HostEndpointInfo {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly node: string;
  readonly interfaceName?: string;
  readonly expectedIPs: readonly string[];
  readonly profiles: readonly string[];
  readonly ports: readonly NamedPort[];
}

export interface NetworkSetInfo {
  /** Absent for a GlobalNetworkSet. */
  readonly namespace?: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly nets: readonly string[];
}

export interface Workloads {
  readonly namespaces: readonly NamespaceInfo[];
  readonly serviceAccounts: readonly ServiceAccountInfo[];
  readonly pods: readonly PodInfo[];
  readonly hostEndpoints: readonly HostEndpointInfo[];
  readonly networkSets: readonly NetworkSetInfo[];
}

export const EMPTY_WORKLOADS: Workloads = { namespaces: [], serviceAccounts: [], pods: [], hostEndpoints: [], networkSets: [] };

export interface WorkloadsResult extends Issues {
  readonly workloads: Workloads;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObj(v)) return out;
  for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}

function namedPorts(v: unknown): NamedPort[] {
  const out: NamedPort[] = [];
  if (!Array.isArray(v)) return out;
  for (const p of v) {
    if (!isObj(p)) continue;
    const name = str(p['name']);
    const port = typeof p['containerPort'] === 'number' ? p['containerPort'] : typeof p['port'] === 'number' ? p['port'] : undefined;
    const protocol = str(p['protocol']) ?? 'TCP';
    if (!name || port === undefined || (protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP')) continue;
    out.push({ name, protocol, port });
  }
  return out;
}

export interface ParseWorkloadsOptions {
  /** File name for problems. */
  readonly file: string;
  /** 1-based line of each top-level document or item, when the caller knows it (same index as `items`). */
  readonly lines?: readonly number[];
}

/**
 * Reads objects (each a document of the file; `kind: List` is unpacked). Unknown kinds are
 * warnings, objects without a name are errors; nothing is guessed.
 */
export function parseWorkloads(documents: readonly unknown[], opts: ParseWorkloadsOptions): WorkloadsResult {
  const errors: Issue[] = [];
  const warnings: Issue[] = [];
  const namespaces = new Map<string, NamespaceInfo>();
  const serviceAccounts: ServiceAccountInfo[] = [];
  const pods: PodInfo[] = [];
  const hostEndpoints: HostEndpointInfo[] = [];
  const networkSets: NetworkSetInfo[] = [];
  const problem = (severity: 'error' | 'warning', line: number, path: string, message: string): void => {
    (severity === 'error' ? errors : warnings).push({ severity, file: opts.file, line, column: line > 0 ? 1 : 0, path, code: 'workloads', message });
  };

  const visit = (item: unknown, line: number, path: string): void => {
    if (item === null || item === undefined) return;
    if (!isObj(item)) return problem('error', line, path, 'an item must be a Kubernetes object (a mapping with kind and metadata)');
    const kind = str(item['kind']);
    if (kind === 'List' || (kind?.endsWith('List') && Array.isArray(item['items']))) {
      const items = Array.isArray(item['items']) ? item['items'] : [];
      items.forEach((child, i) => visit(child, line, `${path}items[${i}]`));
      return;
    }
    const meta = isObj(item['metadata']) ? item['metadata'] : {};
    const name = str(meta['name']);
    const labels = stringMap(meta['labels']);
    const spec = isObj(item['spec']) ? item['spec'] : {};
    if (!name) return problem('error', line, `${path}metadata.name`, `a ${kind ?? 'object'} without metadata.name`);
    const ns = str(meta['namespace']);
    switch (kind) {
      case 'Namespace':
        namespaces.set(name, { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } });
        return;
      case 'ServiceAccount':
        serviceAccounts.push({ namespace: ns ?? 'default', name, labels });
        return;
      case 'Pod': {
        if (spec['hostNetwork'] === true) return; // the host's own addresses: no workload endpoint
        const status = isObj(item['status']) ? item['status'] : {};
        const phase = str(status['phase']);
        if (phase === 'Succeeded' || phase === 'Failed') return;
        const containers = Array.isArray(spec['containers']) ? spec['containers'] : [];
        const ports = containers.flatMap((c) => (isObj(c) ? namedPorts(c['ports']) : []));
        const ips = Array.isArray(status['podIPs'])
          ? status['podIPs'].flatMap((p) => (isObj(p) && typeof p['ip'] === 'string' ? [p['ip']] : []))
          : typeof status['podIP'] === 'string'
            ? [status['podIP']]
            : [];
        const node = str(spec['nodeName']);
        pods.push({
          namespace: ns ?? 'default',
          name,
          labels,
          serviceAccount: str(spec['serviceAccountName']) ?? str(spec['serviceAccount']) ?? 'default',
          ports,
          ips,
          ...(node ? { node } : {}),
        });
        return;
      }
      case 'HostEndpoint': {
        const node = str(spec['node']) ?? '';
        const iface = str(spec['interfaceName']);
        hostEndpoints.push({
          name,
          labels,
          node,
          ...(iface ? { interfaceName: iface } : {}),
          expectedIPs: Array.isArray(spec['expectedIPs']) ? spec['expectedIPs'].filter((x): x is string => typeof x === 'string') : [],
          profiles: Array.isArray(spec['profiles']) ? spec['profiles'].filter((x): x is string => typeof x === 'string') : [],
          ports: namedPorts(spec['ports']),
        });
        return;
      }
      case 'NetworkSet':
      case 'GlobalNetworkSet': {
        const nets = Array.isArray(spec['nets']) ? spec['nets'].filter((x): x is string => typeof x === 'string') : [];
        networkSets.push({ ...(kind === 'NetworkSet' ? { namespace: ns ?? 'default' } : {}), name, labels, nets });
        return;
      }
      default:
        problem('warning', line, `${path}kind`, `kind ${kind ?? '(none)'} is not a workload kind and is ignored`);
    }
  };
  documents.forEach((doc, i) => visit(doc, opts.lines?.[i] ?? 0, ''));

  // Pods and service accounts in namespaces the file does not list still get their namespace.
  for (const p of [...pods, ...serviceAccounts]) {
    if (!namespaces.has(p.namespace)) namespaces.set(p.namespace, { name: p.namespace, labels: { 'kubernetes.io/metadata.name': p.namespace } });
  }
  return { workloads: { namespaces: [...namespaces.values()], serviceAccounts, pods, hostEndpoints, networkSets }, errors, warnings };
}
