// One direction at one endpoint, as felix runs it: tiers by order; inside a tier the policies that
// select the endpoint for this direction, by order; rules in order. Allow and Deny are final, Log
// goes on, Pass skips to the next tier; an applied tier that gives no verdict ends in its
// defaultAction. What no tier decides goes to the end handler (profiles, host defaults).
// Everything is computed on connection sets, so one walk answers every protocol and port at once.
import { matchesLabels } from '../desired/selector/index.js';
import {
  ALL_CONNECTIONS,
  dimensionOf,
  intersectSets,
  isEmptySet,
  NO_CONNECTIONS,
  onlyDimension,
  PORT_DIMENSIONS,
  subtractSets,
  unionSets,
  type ConnectionSet,
  type Dimension,
} from './connection-set.js';
import { addressIn, type Entity } from './entities.js';
import type { CompiledPolicy, CompiledRule, CompiledTier, Direction, EntityRule, IcmpMatch, PortSpec } from './policy-model.js';
import { EMPTY_RANGES, intersect, range, subtract, union, type Ranges } from './ranges.js';
import { matchesScoped, type LabelSubject, type ScopedSelector } from './subject.js';

export type Stage = 'workload' | 'untracked' | 'preDNAT' | 'host' | 'forward';

export interface Reason {
  readonly kind: 'rule' | 'tier-default' | 'profile' | 'no-profile' | 'failsafe' | 'forward-default' | 'host-local' | 'external';
  readonly stage?: Stage;
  readonly tier?: string;
  readonly policy?: string;
  readonly rule?: string;
  readonly action?: 'Allow' | 'Deny';
  readonly profile?: string;
  /** The host endpoint whose policy decided (forwarded and host traffic). */
  readonly hostEndpoint?: string;
  readonly file?: string;
  readonly line?: number;
}

export interface Decision {
  readonly verdict: 'allow' | 'deny';
  readonly set: ConnectionSet;
  readonly reason: Reason;
}

export interface DirectionResult {
  readonly allowed: ConnectionSet;
  readonly decisions: readonly Decision[];
}

/** What happens to traffic no tier decided. */
export type EndAction = { readonly verdict: 'allow' | 'deny'; readonly reason: Reason };

const EPHEMERAL_SOURCE_PORT = 32768;

/** Rule and selection caches for one analysis (entities x rules), filled lazily. */
export class Evaluator {
  private readonly srcMatch: Int8Array;
  private readonly dstMatch: Int8Array;
  private readonly staticSets = new Map<string, ConnectionSet>();
  private readonly namedSets = new Map<string, ConnectionSet>();
  private readonly tierCache = new Map<string, readonly { tier: CompiledTier; policies: readonly CompiledPolicy[] }[]>();
  private readonly candidates = new Map<CompiledTier, { readonly global: readonly CompiledPolicy[]; readonly byNamespace: Map<string, CompiledPolicy[]>; readonly rank: Map<CompiledPolicy, number> }>();

  constructor(
    private readonly tiers: readonly CompiledTier[],
    private readonly ruleCount: number,
    private readonly entityCount: number,
  ) {
    this.srcMatch = new Int8Array(Math.max(1, ruleCount * entityCount));
    this.dstMatch = new Int8Array(Math.max(1, ruleCount * entityCount));
  }

  /** Tiers that apply to `e` for `dir` at `stage`, each with its applying policies in order. */
  appliedTiers(e: Entity, dir: Direction, stage: Stage): readonly { tier: CompiledTier; policies: readonly CompiledPolicy[] }[] {
    const key = `${e.index}/${dir}/${stage}`;
    const hit = this.tierCache.get(key);
    if (hit) return hit;
    const out: { tier: CompiledTier; policies: CompiledPolicy[] }[] = [];
    const subject = e.subject;
    if (subject) {
      for (const tier of this.tiers) {
        const policies = this.candidatesFor(tier, subject.namespace).filter((p) => p[dir] !== undefined && stageTakes(stage, p, e) && matchesScoped(p.applies, subject));
        if (policies.length > 0) out.push({ tier, policies });
      }
    }
    this.tierCache.set(key, out);
    return out;
  }

  /**
   * The tier's policies that can select an endpoint of `namespace`, in order: a namespaced policy
   * without a namespaceSelector selects only its own namespace, so most of thousands of
   * NetworkPolicies are never tried against an endpoint (the cost follows its namespace's).
   */
  private candidatesFor(tier: CompiledTier, namespace: string | undefined): readonly CompiledPolicy[] {
    let c = this.candidates.get(tier);
    if (!c) {
      const global: CompiledPolicy[] = [];
      const byNamespace = new Map<string, CompiledPolicy[]>();
      for (const p of tier.policies) {
        const ns = p.applies.namespaceSelector ? undefined : p.applies.namespace;
        if (ns === undefined) global.push(p);
        else {
          const list = byNamespace.get(ns);
          if (list) list.push(p);
          else byNamespace.set(ns, [p]);
        }
      }
      c = { global, byNamespace, rank: new Map(tier.policies.map((p, i) => [p, i])) };
      this.candidates.set(tier, c);
    }
    const own = namespace === undefined ? undefined : c.byNamespace.get(namespace);
    if (!own) return c.global;
    if (c.global.length === 0) return own;
    // Both lists keep the tier's order; merge them back into it.
    const rank = c.rank;
    return [...c.global, ...own].sort((a, b) => rank.get(a)! - rank.get(b)!);
  }

  /**
   * Runs the tiers of `stage` at `local` for traffic `src -> dst` within `start`. `endOfTierDrop`
   * is false for untracked and pre-DNAT policy, which fall through to the next stage.
   */
  run(o: {
    local: Entity;
    dir: Direction;
    stage: Stage;
    src: Entity;
    dst: Entity;
    start: ConnectionSet;
    endOfTierDrop: boolean;
  }): { decisions: Decision[]; undecided: ConnectionSet; applied: boolean } {
    const applied = this.appliedTiers(o.local, o.dir, o.stage);
    const decisions: Decision[] = [];
    let remaining = o.start;
    const host = o.local.kind === 'host' ? o.local.title : undefined;
    const base = { stage: o.stage, ...(host ? { hostEndpoint: host } : {}) };
    for (const { tier, policies } of applied) {
      if (isEmptySet(remaining)) break;
      let passed = NO_CONNECTIONS;
      outer: for (const p of policies) {
        for (const rule of p[o.dir] ?? []) {
          if (!this.ruleMatches(rule, o.src, o.dst)) continue;
          const hit = intersectSets(remaining, this.ruleSet(rule, o.dst, familyOf(o.src, o.dst)));
          if (isEmptySet(hit)) continue;
          if (rule.action === 'Log') continue;
          remaining = subtractSets(remaining, hit);
          if (rule.action === 'Pass') passed = unionSets(passed, hit);
          else {
            decisions.push({
              verdict: rule.action === 'Allow' ? 'allow' : 'deny',
              set: hit,
              reason: {
                kind: 'rule',
                ...base,
                tier: tier.name,
                policy: p.id,
                rule: rule.label,
                action: rule.action,
                ...(p.source ? { file: p.source.file, line: p.source.line } : {}),
              },
            });
          }
          if (isEmptySet(remaining)) break outer;
        }
      }
      if (tier.defaultAction === 'Pass' || !o.endOfTierDrop) remaining = unionSets(remaining, passed);
      else {
        if (!isEmptySet(remaining)) decisions.push({ verdict: 'deny', set: remaining, reason: { kind: 'tier-default', ...base, tier: tier.name } });
        remaining = passed;
      }
    }
    return { decisions, undecided: remaining, applied: applied.length > 0 };
  }

  ruleMatches(rule: CompiledRule, src: Entity, dst: Entity): boolean {
    return this.sourceMatches(rule, src) && this.destinationMatches(rule, dst);
  }

  sourceMatches(rule: CompiledRule, e: Entity): boolean {
    return this.cached(this.srcMatch, rule, e, rule.source, true);
  }

  destinationMatches(rule: CompiledRule, e: Entity): boolean {
    return this.cached(this.dstMatch, rule, e, rule.destination, false);
  }

  private cached(cache: Int8Array, rule: CompiledRule, e: Entity, er: EntityRule, isSource: boolean): boolean {
    const i = rule.id * this.entityCount + e.index;
    const v = cache[i];
    if (v === 1) return true;
    if (v === 2) return false;
    const m = matchEntity(er, e, isSource);
    cache[i] = m ? 1 : 2;
    return m;
  }

  /** The connections a rule's protocol, port and ICMP fields describe toward `dst`. */
  ruleSet(rule: CompiledRule, dst: Entity, family: 4 | 6): ConnectionSet {
    const named = hasNamed(rule.destination.ports) || hasNamed(rule.destination.notPorts);
    const key = named ? `${rule.id}/${family}/${portsKey(dst)}` : `${rule.id}/${family}`;
    const cache = named ? this.namedSets : this.staticSets;
    const hit = cache.get(key);
    if (hit) return hit;
    const set = ruleConnectionSet(rule, dst, family);
    cache.set(key, set);
    return set;
  }
}

function stageTakes(stage: Stage, p: CompiledPolicy, e: Entity): boolean {
  switch (stage) {
    case 'workload':
      return p.mode === 'normal' && e.kind === 'pods';
    case 'host':
      return p.mode === 'normal' && e.kind === 'host';
    case 'forward':
      return p.mode === 'normal' && p.applyOnForward && e.kind === 'host';
    case 'untracked':
      return p.mode === 'doNotTrack' && e.kind === 'host';
    case 'preDNAT':
      return p.mode === 'preDNAT' && e.kind === 'host';
  }
}

export function familyOf(a: Entity, b: Entity): 4 | 6 {
  return a.family === 6 || b.family === 6 ? 6 : 4;
}

/** Everything a pair of this family can carry: no ICMP on IPv6, no ICMPv6 to an IPv4 CIDR. */
export function familyStart(a: Entity, b: Entity): ConnectionSet {
  if (a.kind === 'cidr' || b.kind === 'cidr') {
    return familyOf(a, b) === 6 ? { ...ALL_CONNECTIONS, ICMP: EMPTY_RANGES } : { ...ALL_CONNECTIONS, ICMPv6: EMPTY_RANGES };
  }
  return ALL_CONNECTIONS;
}

function inIpSet(s: ScopedSelector, e: Entity): boolean {
  if (e.subject && matchesScoped(s, e.subject)) return true;
  return e.networkSets.some((n: LabelSubject) => matchesScoped(s, n));
}

function matchEntity(er: EntityRule, e: Entity, isSource: boolean): boolean {
  if (er.services) return false;
  if (er.nets && !addressIn(e, er.nets)) return false;
  if (er.notNets && addressIn(e, er.notNets)) return false;
  if (er.scoped && !inIpSet(er.scoped, e)) return false;
  if (er.notSelector) {
    const ns = er.notSelector;
    if ((e.subject && matchesLabels(ns, e.subject.labels)) || e.networkSets.some((n) => matchesLabels(ns, n.labels))) return false;
  }
  if (isSource) {
    // Source ports: the client is taken to use an ephemeral port (Linux's first, 32768).
    if (er.ports && !er.ports.some((p) => 'lo' in p && p.lo <= EPHEMERAL_SOURCE_PORT && EPHEMERAL_SOURCE_PORT <= p.hi)) return false;
    if (er.notPorts && er.notPorts.some((p) => 'lo' in p && p.lo <= EPHEMERAL_SOURCE_PORT && EPHEMERAL_SOURCE_PORT <= p.hi)) return false;
  }
  return true;
}

const portKeys = new WeakMap<Entity, string>();
export function portsKey(e: Entity): string {
  let k = portKeys.get(e);
  if (k === undefined) {
    k = e.ports.map((p) => `${p.name}/${p.protocol}/${p.port}`).join(',');
    portKeys.set(e, k);
  }
  return k;
}

export const hasNamed = (ports: readonly PortSpec[] | undefined) => ports?.some((p) => 'name' in p) ?? false;

function portRanges(specs: readonly PortSpec[], protocol: number | undefined, dst: Entity): Ranges {
  let out: Ranges = EMPTY_RANGES;
  for (const p of specs) {
    if ('lo' in p) out = union(out, range(p.lo, p.hi));
    else {
      for (const np of dst.ports) {
        if (np.name === p.name && protocol !== undefined && dimensionOf(protocol) === np.protocol) out = union(out, range(np.port, np.port));
      }
    }
  }
  return out;
}

function icmpRanges(m: IcmpMatch): Ranges {
  if (m.type === undefined) return [0, 65535];
  if (m.code === undefined) return range(m.type * 256, m.type * 256 + 255);
  return range(m.type * 256 + m.code, m.type * 256 + m.code);
}

function protocolSet(protocol: number): ConnectionSet {
  const d = dimensionOf(protocol);
  return d === 'other' ? onlyDimension('other', range(protocol, protocol)) : onlyDimension(d, ALL_CONNECTIONS[d]);
}

export function ruleConnectionSet(rule: CompiledRule, dst: Entity, family: 4 | 6): ConnectionSet {
  let set = rule.protocol !== undefined ? protocolSet(rule.protocol) : ALL_CONNECTIONS;
  if (rule.notProtocol !== undefined) set = subtractSets(set, protocolSet(rule.notProtocol));
  const { ports, notPorts } = rule.destination;
  if (ports || notPorts) {
    const next: Record<Dimension, Ranges> = { ...set };
    for (const d of PORT_DIMENSIONS) {
      if (ports) next[d] = intersect(next[d], portRanges(ports, rule.protocol, dst));
      if (notPorts) next[d] = subtract(next[d], portRanges(notPorts, rule.protocol, dst));
    }
    set = next;
  }
  const icmpDim: Dimension | undefined = rule.protocol === 1 ? 'ICMP' : rule.protocol === 58 ? 'ICMPv6' : undefined;
  if (icmpDim && rule.icmp) set = { ...set, [icmpDim]: intersect(set[icmpDim], icmpRanges(rule.icmp)) };
  if (icmpDim && rule.notIcmp) set = { ...set, [icmpDim]: subtract(set[icmpDim], icmpRanges(rule.notIcmp)) };
  if (family === 4) {
    // Pods are analysed as IPv4 peers, with ICMPv6 standing for their IPv6 side.
    if (rule.ipVersion === 6) set = onlyDimension('ICMPv6', set.ICMPv6);
    else if (rule.ipVersion === 4) set = { ...set, ICMPv6: EMPTY_RANGES };
  } else if (rule.ipVersion === 4) set = NO_CONNECTIONS;
  return set;
}
