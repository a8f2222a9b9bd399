// Policies (repository or live, same v3 shape) compiled for evaluation: tiers in Calico's order,
// policies in each tier by order with the version's tie-break, rules with parsed selectors and
// nets. Kubernetes NetworkPolicies are converted as Calico does (kubernetes-network-policy.ts).
import { atLeast, type CalicoVersion } from '../domain/calico-version.js';
import type { Issue } from '../domain/issue.js';
import type { KindId } from '../domain/kinds.js';
import type { JsonObject, JsonValue, Manifest, SourceRef } from '../domain/resource.js';
import { parseCidr, type Cidr } from '../desired/rules/k8s-cidr.js';
import { parseSelector, type SelectorContext, type SelectorNode } from '../desired/selector/index.js';
import type { ScopedSelector } from './subject.js';

export interface PolicyInput {
  readonly kindId: KindId;
  readonly manifest: Manifest;
  readonly source?: SourceRef;
}

export type RuleAction = 'Allow' | 'Deny' | 'Pass' | 'Log';
export type Direction = 'ingress' | 'egress';
export type PortSpec = { readonly lo: number; readonly hi: number } | { readonly name: string };
export interface IcmpMatch {
  readonly type?: number;
  readonly code?: number;
}

export interface EntityRule {
  readonly nets?: readonly Cidr[];
  readonly notNets?: readonly Cidr[];
  /** Present when any selector field is used (then the namespace scope applies too). */
  readonly scoped?: ScopedSelector;
  readonly notSelector?: SelectorNode;
  readonly ports?: readonly PortSpec[];
  readonly notPorts?: readonly PortSpec[];
  /** `services` needs Service objects, which are not an input: such a rule never matches. */
  readonly services?: boolean;
}

export interface CompiledRule {
  /** Dense id for per-analysis caches. */
  readonly id: number;
  /** `ingress[0]` (for a Kubernetes NetworkPolicy, the index of its own rule). */
  readonly label: string;
  readonly action: RuleAction;
  readonly ipVersion?: 4 | 6;
  readonly protocol?: number;
  readonly notProtocol?: number;
  readonly icmp?: IcmpMatch;
  readonly notIcmp?: IcmpMatch;
  readonly source: EntityRule;
  readonly destination: EntityRule;
  /** An `http` match (application layer): evaluated on L3/L4 only. */
  readonly http: boolean;
}

export type PolicyMode = 'normal' | 'preDNAT' | 'doNotTrack';

export interface CompiledPolicy {
  /** `GlobalNetworkPolicy/allow-db`, `NetworkPolicy/test1/web`, `KubernetesNetworkPolicy/test1/db`. */
  readonly id: string;
  readonly kindId: KindId;
  readonly name: string;
  readonly namespace?: string;
  readonly tier: string;
  readonly order: number;
  /** Tie-break key inside a tier when orders are equal. */
  readonly tieKey: readonly string[];
  /** Which endpoints the policy applies to. */
  readonly applies: ScopedSelector;
  readonly ingress?: readonly CompiledRule[];
  readonly egress?: readonly CompiledRule[];
  readonly mode: PolicyMode;
  readonly applyOnForward: boolean;
  readonly source?: SourceRef;
}

export interface CompiledTier {
  readonly name: string;
  readonly order: number;
  readonly defaultAction: 'Deny' | 'Pass';
  readonly policies: readonly CompiledPolicy[];
}

export interface PolicyModel {
  readonly tiers: readonly CompiledTier[];
  /** Every CIDR a rule names (nets, notNets): the boundaries of external peers. */
  readonly cidrs: readonly Cidr[];
  readonly ruleCount: number;
}

export const PROTOCOLS: Readonly<Record<string, number>> = { TCP: 6, UDP: 17, ICMP: 1, ICMPv6: 58, SCTP: 132, UDPLite: 136 };

/** Calico's default tier order from v3.29 (before, `default` was the only tier). */
export const DEFAULT_TIER_ORDER = 1_000_000;
const ENFORCED_CALICO: ReadonlySet<KindId> = new Set(['NetworkPolicy', 'GlobalNetworkPolicy']);

type Obj = Record<string, JsonValue>;
const isObj = (v: JsonValue | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: JsonValue | undefined): JsonValue[] => (Array.isArray(v) ? v : []);
const text = (v: JsonValue | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

export class ModelBuilder {
  private nextRule = 0;
  readonly cidrs: Cidr[] = [];
  readonly issues: Issue[] = [];

  constructor(readonly version: CalicoVersion) {}

  get ruleCount(): number {
    return this.nextRule;
  }

  problem(src: SourceRef | undefined, path: string, message: string): void {
    this.issues.push({ severity: 'warning', file: src?.file ?? '', line: src?.line ?? 0, column: 0, path, code: 'connectivity', message });
  }

  selector(textValue: string | undefined, context: SelectorContext, src: SourceRef | undefined, path: string): SelectorNode | undefined {
    if (textValue === undefined) return undefined;
    const r = parseSelector(textValue, { context });
    if (r.ok) return r.ast;
    this.problem(src, path, `selector "${textValue}" does not parse (${r.message}); it matches nothing here`);
    return { type: 'not', operand: { type: 'all' } };
  }

  nets(values: JsonValue | undefined, src: SourceRef | undefined, path: string): Cidr[] | undefined {
    if (values === undefined) return undefined;
    const out: Cidr[] = [];
    for (const v of list(values)) {
      if (typeof v !== 'string') continue;
      const r = parseCidr(v, { allowBareIp: true });
      if (!r.ok) {
        this.problem(src, path, r.message);
        continue;
      }
      out.push(r.cidr);
      this.cidrs.push(r.cidr);
    }
    return out;
  }

  ports(values: JsonValue | undefined): PortSpec[] | undefined {
    if (values === undefined) return undefined;
    const out: PortSpec[] = [];
    for (const v of list(values)) {
      if (typeof v === 'number') out.push({ lo: v, hi: v });
      else if (typeof v === 'string') {
        const m = /^(\d+):(\d+)$/.exec(v);
        if (m) out.push({ lo: Number(m[1]), hi: Number(m[2]) });
        else if (/^\d+$/.test(v)) out.push({ lo: Number(v), hi: Number(v) });
        else out.push({ name: v });
      }
    }
    return out;
  }

  rule(raw: JsonValue, label: string, namespace: string | undefined, src: SourceRef | undefined): CompiledRule | undefined {
    if (!isObj(raw)) return undefined;
    const action = text(raw['action']);
    if (action !== 'Allow' && action !== 'Deny' && action !== 'Pass' && action !== 'Log') {
      this.problem(src, `spec.${label}.action`, `rule action ${String(action)} is not Allow, Deny, Pass or Log; the rule is left out`);
      return undefined;
    }
    const ipVersion = raw['ipVersion'] === 4 || raw['ipVersion'] === 6 ? raw['ipVersion'] : undefined;
    const protocol = protocolNumber(raw['protocol']);
    const notProtocol = protocolNumber(raw['notProtocol']);
    return {
      id: this.nextRule++,
      label,
      action,
      ...(ipVersion ? { ipVersion } : {}),
      ...(protocol !== undefined ? { protocol } : {}),
      ...(notProtocol !== undefined ? { notProtocol } : {}),
      ...icmpField('icmp', raw['icmp']),
      ...icmpField('notIcmp', raw['notICMP']),
      source: this.entity(raw['source'], namespace, src, `spec.${label}.source`),
      destination: this.entity(raw['destination'], namespace, src, `spec.${label}.destination`),
      http: raw['http'] !== undefined,
    };
  }

  private entity(raw: JsonValue | undefined, namespace: string | undefined, src: SourceRef | undefined, path: string): EntityRule {
    if (!isObj(raw)) return {};
    const selector = this.selector(text(raw['selector']), 'endpoint', src, `${path}.selector`);
    const notSelector = this.selector(text(raw['notSelector']), 'endpoint', src, `${path}.notSelector`);
    const nsSelector = this.selector(text(raw['namespaceSelector']), 'rule-namespace', src, `${path}.namespaceSelector`);
    const sa = isObj(raw['serviceAccounts']) ? raw['serviceAccounts'] : undefined;
    const saNames = sa && Array.isArray(sa['names']) ? sa['names'].filter((n): n is string => typeof n === 'string') : undefined;
    const saSelector = sa ? this.selector(text(sa['selector']), 'service-account', src, `${path}.serviceAccounts.selector`) : undefined;
    const anySelector = selector || notSelector || nsSelector || saNames || saSelector;
    const nets = this.nets(raw['nets'], src, `${path}.nets`);
    const notNets = this.nets(raw['notNets'], src, `${path}.notNets`);
    const ports = this.ports(raw['ports']);
    const notPorts = this.ports(raw['notPorts']);
    const scoped: ScopedSelector | undefined = anySelector
      ? {
          ...(nsSelector ? { namespaceSelector: nsSelector } : namespace !== undefined ? { namespace } : {}),
          ...(selector ? { selector } : {}),
          ...(saNames && saNames.length > 0 ? { serviceAccountNames: saNames } : {}),
          ...(saSelector ? { serviceAccountSelector: saSelector } : {}),
        }
      : undefined;
    return {
      ...(nets ? { nets } : {}),
      ...(notNets ? { notNets } : {}),
      ...(scoped ? { scoped } : {}),
      ...(notSelector ? { notSelector } : {}),
      ...(ports ? { ports } : {}),
      ...(notPorts ? { notPorts } : {}),
      ...(raw['services'] !== undefined ? { services: true } : {}),
    };
  }

  /** A Calico NetworkPolicy or GlobalNetworkPolicy. */
  calicoPolicy(input: PolicyInput): CompiledPolicy {
    const { manifest, kindId, source } = input;
    const spec = manifest.spec;
    const namespace = kindId === 'NetworkPolicy' ? (manifest.metadata.namespace ?? 'default') : undefined;
    const tier = text(spec['tier']) || 'default';
    const types = list(spec['types']).filter((t): t is string => typeof t === 'string');
    const hasIngress = types.length > 0 ? types.includes('Ingress') : list(spec['ingress']).length > 0 || list(spec['egress']).length === 0;
    const hasEgress = types.length > 0 ? types.includes('Egress') : list(spec['egress']).length > 0;
    const rules = (dir: Direction) => list(spec[dir]).flatMap((r, i) => this.rule(r, `${dir}[${i}]`, namespace, source) ?? []);
    const selector = this.selector(text(spec['selector']), 'endpoint', source, 'spec.selector');
    const nsSelector = kindId === 'GlobalNetworkPolicy' ? this.selector(text(spec['namespaceSelector']), 'namespace', source, 'spec.namespaceSelector') : undefined;
    const saSelector = this.selector(text(spec['serviceAccountSelector']), 'service-account', source, 'spec.serviceAccountSelector');
    const order = typeof spec['order'] === 'number' ? spec['order'] : Number.POSITIVE_INFINITY;
    const mode: PolicyMode = spec['preDNAT'] === true ? 'preDNAT' : spec['doNotTrack'] === true ? 'doNotTrack' : 'normal';
    const name = manifest.metadata.name;
    return {
      id: namespace ? `${kindId}/${namespace}/${name}` : `${kindId}/${name}`,
      kindId,
      name,
      ...(namespace ? { namespace } : {}),
      tier,
      order,
      tieKey: this.tieKey({ kindId, name, namespace, tier }),
      applies: {
        ...(namespace !== undefined ? { namespace } : {}),
        // A namespaceSelector (all() included) only ever selects namespaced endpoints (matchesScoped).
        ...(nsSelector ? { namespaceSelector: nsSelector } : {}),
        ...(selector ? { selector } : {}),
        ...(saSelector ? { serviceAccountSelector: saSelector } : {}),
      },
      ...(hasIngress ? { ingress: rules('ingress') } : {}),
      ...(hasEgress && mode !== 'preDNAT' ? { egress: rules('egress') } : {}),
      mode,
      applyOnForward: spec['applyOnForward'] === true || mode !== 'normal',
      ...(source ? { source } : {}),
    };
  }

  /**
   * Equal orders: v3.29-v3.31 compare the stored name (`ns/tier.name`, `default.` for the default
   * tier); earlier releases `ns/default.name` likewise; v3.32 the plain name, then namespace, then kind.
   */
  tieKey(p: { kindId: KindId; name: string; namespace: string | undefined; tier: string }): string[] {
    if (atLeast(this.version, 3, 32)) return [p.name, p.namespace ?? '', p.kindId];
    const stored = p.kindId === 'KubernetesNetworkPolicy' || p.name.startsWith(`${p.tier}.`) ? p.name : `${p.tier}.${p.name}`;
    return [p.namespace ? `${p.namespace}/${stored}` : stored];
  }
}

function protocolNumber(v: JsonValue | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return undefined;
  if (/^\d+$/.test(v)) return Number(v);
  return PROTOCOLS[v];
}

function icmpField(key: 'icmp' | 'notIcmp', v: JsonValue | undefined): Partial<Record<'icmp' | 'notIcmp', IcmpMatch>> {
  if (!isObj(v)) return {};
  const type = typeof v['type'] === 'number' ? v['type'] : undefined;
  const code = typeof v['code'] === 'number' ? v['code'] : undefined;
  return { [key]: { ...(type !== undefined ? { type } : {}), ...(code !== undefined ? { code } : {}) } };
}

export function isEnforcedCalicoPolicy(kindId: KindId): boolean {
  return ENFORCED_CALICO.has(kindId);
}

export function tierFromManifest(m: Manifest): { name: string; order: number; defaultAction: 'Deny' | 'Pass' } {
  const spec: JsonObject = m.spec;
  return {
    name: m.metadata.name,
    order: typeof spec['order'] === 'number' ? spec['order'] : m.metadata.name === 'default' ? DEFAULT_TIER_ORDER : Number.POSITIVE_INFINITY,
    defaultAction: spec['defaultAction'] === 'Pass' ? 'Pass' : 'Deny',
  };
}
