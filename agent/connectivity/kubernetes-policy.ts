// A Kubernetes NetworkPolicy as Calico runs it (libcalico-go k8s conversion): tier `default`,
// order 1000, name `knp.default.<name>`, the pod selector plus `projectcalico.org/orchestrator ==
// 'k8s'`, policyTypes as written (Kubernetes fills them), every rule an Allow for each peer and
// protocol, ipBlock as nets/notNets.
import type { Cidr } from '../desired/rules/k8s-cidr.js';
import type { SelectorNode } from '../desired/selector/index.js';
import type { JsonValue } from '../domain/resource.js';
import type { CompiledPolicy, CompiledRule, Direction, EntityRule, ModelBuilder, PolicyInput, PortSpec } from './policy-model.js';
import { PROTOCOLS } from './policy-model.js';

type Obj = Record<string, JsonValue>;
const isObj = (v: JsonValue | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: JsonValue | undefined): JsonValue[] => (Array.isArray(v) ? v : []);

export const KNP_ORDER = 1000;
const K8S_POD: SelectorNode = { type: 'eq', label: 'projectcalico.org/orchestrator', value: 'k8s' };

/** metav1.LabelSelector → selector tree; `{}` selects everything. */
export function labelSelectorNode(v: JsonValue | undefined): SelectorNode {
  if (!isObj(v)) return { type: 'all' };
  const parts: SelectorNode[] = [];
  if (isObj(v['matchLabels'])) {
    for (const [k, val] of Object.entries(v['matchLabels'])) if (typeof val === 'string') parts.push({ type: 'eq', label: k, value: val });
  }
  for (const e of list(v['matchExpressions'])) {
    if (!isObj(e) || typeof e['key'] !== 'string') continue;
    const values = list(e['values']).filter((x): x is string => typeof x === 'string');
    switch (e['operator']) {
      case 'In':
        parts.push({ type: 'in', label: e['key'], values });
        break;
      case 'NotIn':
        parts.push({ type: 'notIn', label: e['key'], values });
        break;
      case 'Exists':
        parts.push({ type: 'has', label: e['key'] });
        break;
      case 'DoesNotExist':
        parts.push({ type: 'not', operand: { type: 'has', label: e['key'] } });
        break;
      default:
        // An operator Kubernetes would have refused: select nothing rather than everything.
        parts.push({ type: 'not', operand: { type: 'all' } });
    }
  }
  return and(parts);
}

function and(parts: SelectorNode[]): SelectorNode {
  if (parts.length === 0) return { type: 'all' };
  if (parts.length === 1) return parts[0]!;
  return { type: 'and', operands: parts };
}

export function kubernetesPolicy(b: ModelBuilder, input: PolicyInput): CompiledPolicy {
  const { manifest, source } = input;
  const spec = manifest.spec;
  const namespace = manifest.metadata.namespace ?? 'default';
  const written = list(spec['policyTypes']).filter((t): t is string => typeof t === 'string');
  const types = written.length > 0 ? written : list(spec['egress']).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  const rules = (dir: Direction): CompiledRule[] => list(spec[dir]).flatMap((r, i) => convertRule(b, r, dir, i, namespace, input));
  const name = manifest.metadata.name;
  return {
    id: `KubernetesNetworkPolicy/${namespace}/${name}`,
    kindId: 'KubernetesNetworkPolicy',
    name: `knp.default.${name}`,
    namespace,
    tier: 'default',
    order: KNP_ORDER,
    tieKey: b.tieKey({ kindId: 'KubernetesNetworkPolicy', name: `knp.default.${name}`, namespace, tier: 'default' }),
    applies: { namespace, selector: and([K8S_POD, labelSelectorNode(spec['podSelector'])]) },
    ...(types.includes('Ingress') ? { ingress: rules('ingress') } : {}),
    ...(types.includes('Egress') ? { egress: rules('egress') } : {}),
    mode: 'normal',
    applyOnForward: false,
    ...(source ? { source } : {}),
  };
}

function convertRule(b: ModelBuilder, raw: JsonValue, dir: Direction, index: number, namespace: string, input: PolicyInput): CompiledRule[] {
  if (!isObj(raw)) return [];
  const peersRaw = raw[dir === 'ingress' ? 'from' : 'to'];
  const peers: EntityRule[] = list(peersRaw).length === 0 ? [{}] : list(peersRaw).map((p) => peer(b, p, namespace, input, `spec.${dir}[${index}]`));
  // Ports grouped by protocol, one Calico rule per protocol (no ports: one rule, any protocol).
  const byProtocol = new Map<string, PortSpec[] | undefined>();
  for (const p of list(raw['ports'])) {
    if (!isObj(p)) continue;
    const protocol = typeof p['protocol'] === 'string' ? p['protocol'] : 'TCP';
    const port = p['port'];
    const end = typeof p['endPort'] === 'number' ? p['endPort'] : undefined;
    if (port === undefined || port === null) {
      byProtocol.set(protocol, undefined);
      continue;
    }
    if (byProtocol.has(protocol) && byProtocol.get(protocol) === undefined) continue;
    const spec: PortSpec = typeof port === 'number' ? { lo: port, hi: end ?? port } : /^\d+$/.test(String(port)) ? { lo: Number(port), hi: end ?? Number(port) } : { name: String(port) };
    byProtocol.set(protocol, [...(byProtocol.get(protocol) ?? []), spec]);
  }
  const protocols: [number | undefined, PortSpec[] | undefined][] =
    byProtocol.size === 0 ? [[undefined, undefined]] : [...byProtocol.entries()].map(([proto, ports]) => [PROTOCOLS[proto] ?? 6, ports]);
  const out: CompiledRule[] = [];
  for (const entity of peers) {
    for (const [protocol, ports] of protocols) {
      const local: EntityRule = ports ? { ports } : {};
      const built = b.rule({ action: 'Allow' }, `${dir}[${index}]`, namespace, input.source);
      if (!built) continue;
      out.push({
        ...built,
        ...(protocol !== undefined ? { protocol } : {}),
        source: dir === 'ingress' ? entity : {},
        destination: dir === 'ingress' ? local : { ...entity, ...local },
      });
    }
  }
  return out;
}

function peer(b: ModelBuilder, raw: JsonValue, namespace: string, input: PolicyInput, path: string): EntityRule {
  if (!isObj(raw)) return {};
  if (isObj(raw['ipBlock'])) {
    const block = raw['ipBlock'];
    const nets = b.nets(typeof block['cidr'] === 'string' ? [block['cidr']] : [], input.source, `${path}.ipBlock.cidr`) ?? [];
    const except: Cidr[] = b.nets(list(block['except']), input.source, `${path}.ipBlock.except`) ?? [];
    return { nets, ...(except.length > 0 ? { notNets: except } : {}) };
  }
  const pod = raw['podSelector'] !== undefined ? and([K8S_POD, labelSelectorNode(raw['podSelector'])]) : K8S_POD;
  if (raw['namespaceSelector'] !== undefined) {
    return { scoped: { namespaceSelector: labelSelectorNode(raw['namespaceSelector']), selector: pod } };
  }
  return { scoped: { namespace, selector: pod } };
}
