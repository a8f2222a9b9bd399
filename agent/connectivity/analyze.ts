// The connectivity analysis: for every ordered pair of peers, the connections Calico allows, with
// the decisions that made them. A connection needs every leg on its path to allow it: the
// source's egress, the destination's ingress, and the host endpoints it is forwarded through.
import type { CalicoVersion } from '../domain/calico-version.js';
import type { Issue } from '../domain/issue.js';
import { buildModel } from './build-model.js';
import { intersectSets, isEmptySet, NO_CONNECTIONS, subtractSets, unionSets, type ConnectionSet } from './connection-set.js';
import { buildEntities, type Entity, type EntityUniverse } from './entities.js';
import { directionIndexer, type DirectionIndex } from './direction-index.js';
import { Evaluator, familyStart, type Decision, type DirectionResult, type Reason } from './evaluate.js';
import type { PolicyInput, PolicyModel } from './policy-model.js';
import { EMPTY_RANGES, union, type Ranges } from './ranges.js';
import type { Workloads } from './workloads.js';

export interface AnalyzeInput {
  /** The policy set: Calico and Kubernetes policies, Tiers, and any HostEndpoints / NetworkSets it declares. */
  readonly policies: readonly PolicyInput[];
  readonly workloads: Workloads;
  readonly calicoVersion: CalicoVersion;
  /** External CIDR peers to add to those the policies and network sets name. */
  readonly extraCidrs?: readonly string[];
  /** Leave out external CIDR peers (pod and host pairs only). Default: included. */
  readonly podsAndHostsOnly?: boolean;
}

export type LegKind = 'egress' | 'ingress' | 'forward-out' | 'forward-in' | 'host-egress' | 'host-ingress' | 'host-local';

export interface Leg {
  readonly kind: LegKind;
  /** The endpoint whose policy ran: `test1 {app=web}`, `hostendpoint/node1-eth0`. */
  readonly at: string;
  readonly result: DirectionResult;
}

export interface PairDetail {
  readonly allowed: ConnectionSet;
  readonly legs: readonly Leg[];
}

export interface Analysis {
  readonly universe: EntityUniverse;
  readonly model: PolicyModel;
  /** Allowed connections per class pair, `src.index * n + dst.index`. */
  allowed(src: Entity, dst: Entity): ConnectionSet;
  /** Recomputes the legs of one class pair (for `why`). */
  detail(src: Entity, dst: Entity): PairDetail;
  readonly warnings: readonly Issue[];
}

// Felix's default failsafe ports (FailsafeInboundHostPorts / FailsafeOutboundHostPorts).
const FAILSAFE_IN: ConnectionSet = { ...NO_CONNECTIONS, TCP: ports([22, 179, 2379, 2380, 5473, 6443, 6666, 6667]), UDP: ports([68]) };
const FAILSAFE_OUT: ConnectionSet = { ...NO_CONNECTIONS, TCP: ports([179, 2379, 2380, 5473, 6443, 6666, 6667]), UDP: ports([53, 67]) };
const DEFAULT_ALLOW_PROFILE = 'projectcalico-default-allow';

function ports(list: number[]): Ranges {
  return list.reduce<Ranges>((acc, p) => union(acc, [p, p]), EMPTY_RANGES);
}

export function analyzeConnectivity(input: AnalyzeInput): Analysis {
  const built = buildModel(input.policies, input.calicoVersion);
  const declaredHosts = new Set(built.hostEndpoints.map((h) => h.name));
  const declaredSets = new Set(built.networkSets.map((s) => `${s.namespace ?? ''}/${s.name}`));
  const workloads: Workloads = {
    ...input.workloads,
    // The policy set's own host endpoints and network sets win over the workloads file's.
    hostEndpoints: [...built.hostEndpoints, ...input.workloads.hostEndpoints.filter((h) => !declaredHosts.has(h.name))],
    networkSets: [...built.networkSets, ...input.workloads.networkSets.filter((s) => !declaredSets.has(`${s.namespace ?? ''}/${s.name}`))],
  };
  const universe = buildEntities({
    workloads,
    cidrs: built.model.cidrs,
    ...(input.extraCidrs ? { extraCidrs: input.extraCidrs } : {}),
    includeCidrPeers: input.podsAndHostsOnly !== true,
  });
  const n = universe.entities.length;
  const ev = new Evaluator(built.model.tiers, built.model.ruleCount, n);
  const ctx: PairContext = { ev, universe, directionIndex: directionIndexer(ev, universe.entities), indexes: new Map(), legIds: new Map(), meets: new Map() };
  return {
    universe,
    model: built.model,
    warnings: built.warnings,
    detail: (src, dst) => pairDetail(ctx, src, dst),
    allowed: (src, dst) => pairAllowed(ctx, src, dst),
  };
}

function allowedOf(decisions: readonly Decision[]): ConnectionSet {
  let out = NO_CONNECTIONS;
  for (const d of decisions) if (d.verdict === 'allow') out = unionSets(out, d.set);
  return out;
}

function finish(decisions: Decision[], undecided: ConnectionSet, end: { verdict: 'allow' | 'deny'; reason: Reason }): DirectionResult {
  if (!isEmptySet(undecided)) decisions.push({ verdict: end.verdict, set: undecided, reason: end.reason });
  return { allowed: allowedOf(decisions), decisions };
}

interface LocalIndex {
  readonly index: DirectionIndex;
  readonly legs: (Leg | undefined)[];
}

interface PairContext {
  readonly ev: Evaluator;
  readonly universe: EntityUniverse;
  /** Peer groups of an endpoint and direction, shared by endpoints that the same rules select. */
  readonly directionIndex: ReturnType<typeof directionIndexer>;
  /** Per endpoint and direction: peer groups and the leg each group gets. */
  readonly indexes: Map<number, LocalIndex>;
  /** Dense ids of workload legs, to cache intersections of two legs. */
  readonly legIds: Map<Leg, number>;
  readonly meets: Map<number, ConnectionSet>;
}

function workloadLeg(ctx: PairContext, local: Entity, dir: 'ingress' | 'egress', src: Entity, dst: Entity, start: ConnectionSet): Leg {
  // Every peer of a group gets the same answer (direction-index.ts): evaluate once per group.
  const key = local.index * 2 + (dir === 'egress' ? 0 : 1);
  let li = ctx.indexes.get(key);
  if (!li) {
    const index = ctx.directionIndex(local, dir, 'workload');
    li = { index, legs: new Array<Leg | undefined>(index.groups) };
    ctx.indexes.set(key, li);
  }
  const peer = dir === 'egress' ? dst : src;
  const g = li.index.groupOf[peer.index]!;
  const hit = li.legs[g];
  if (hit) return hit;
  const r = ctx.ev.run({ local, dir, stage: 'workload', src, dst, start, endOfTierDrop: true });
  const result = finish(r.decisions, r.undecided, { verdict: 'allow', reason: { kind: 'profile', profile: `kns.${local.namespace ?? ''}` } });
  const leg: Leg = { kind: dir, at: local.title, result };
  li.legs[g] = leg;
  ctx.legIds.set(leg, ctx.legIds.size);
  return leg;
}

/** Pod to pod needs only two legs, and pairs share them: intersect each pair of legs once. */
function pairAllowed(ctx: PairContext, src: Entity, dst: Entity): ConnectionSet {
  if (src.kind !== 'pods' || dst.kind !== 'pods' || src.node !== undefined || dst.node !== undefined) return pairDetail(ctx, src, dst).allowed;
  const start = familyStart(src, dst);
  const out = workloadLeg(ctx, src, 'egress', src, dst, start);
  const inn = workloadLeg(ctx, dst, 'ingress', src, dst, start);
  const key = ctx.legIds.get(out)! * 4_194_304 + ctx.legIds.get(inn)!;
  let hit = ctx.meets.get(key);
  if (!hit) {
    hit = intersectSets(intersectSets(start, out.result.allowed), inn.result.allowed);
    ctx.meets.set(key, hit);
  }
  return hit;
}

function hostProfilesEnd(h: Entity): { verdict: 'allow' | 'deny'; reason: Reason } {
  const allow = h.host?.profiles.includes(DEFAULT_ALLOW_PROFILE) ?? false;
  return allow ? { verdict: 'allow', reason: { kind: 'profile', profile: DEFAULT_ALLOW_PROFILE, hostEndpoint: h.title } } : { verdict: 'deny', reason: { kind: 'no-profile', hostEndpoint: h.title } };
}

/** Traffic to or from the host's own processes through a host endpoint. */
function hostLeg(ev: Evaluator, h: Entity, dir: 'ingress' | 'egress', src: Entity, dst: Entity, start: ConnectionSet): Leg {
  const decisions: Decision[] = [];
  const failsafe = intersectSets(start, dir === 'ingress' ? FAILSAFE_IN : FAILSAFE_OUT);
  if (!isEmptySet(failsafe)) decisions.push({ verdict: 'allow', set: failsafe, reason: { kind: 'failsafe', hostEndpoint: h.title } });
  let remaining = subtractSets(start, failsafe);
  const stages = dir === 'ingress' ? (['untracked', 'preDNAT'] as const) : (['untracked'] as const);
  for (const stage of stages) {
    const r = ev.run({ local: h, dir, stage, src, dst, start: remaining, endOfTierDrop: false });
    decisions.push(...r.decisions);
    remaining = r.undecided;
  }
  const r = ev.run({ local: h, dir, stage: 'host', src, dst, start: remaining, endOfTierDrop: true });
  decisions.push(...r.decisions);
  return { kind: dir === 'ingress' ? 'host-ingress' : 'host-egress', at: h.title, result: finish(decisions, r.undecided, hostProfilesEnd(h)) };
}

/** Forwarded through a host endpoint; allowed when no applyOnForward policy selects it. */
function forwardLeg(ev: Evaluator, h: Entity, dir: 'ingress' | 'egress', src: Entity, dst: Entity, start: ConnectionSet): Leg {
  const decisions: Decision[] = [];
  let remaining = start;
  if (dir === 'ingress') {
    const pre = ev.run({ local: h, dir, stage: 'preDNAT', src, dst, start: remaining, endOfTierDrop: false });
    decisions.push(...pre.decisions);
    remaining = pre.undecided;
  } else {
    const untracked = ev.run({ local: h, dir, stage: 'untracked', src, dst, start: remaining, endOfTierDrop: false });
    decisions.push(...untracked.decisions);
    remaining = untracked.undecided;
  }
  const r = ev.run({ local: h, dir, stage: 'forward', src, dst, start: remaining, endOfTierDrop: true });
  decisions.push(...r.decisions);
  const end: { verdict: 'allow' | 'deny'; reason: Reason } = r.applied
    ? { verdict: 'deny', reason: { kind: 'tier-default', stage: 'forward', hostEndpoint: h.title } }
    : { verdict: 'allow', reason: { kind: 'forward-default', hostEndpoint: h.title } };
  return { kind: dir === 'ingress' ? 'forward-in' : 'forward-out', at: h.title, result: finish(decisions, r.undecided, end) };
}

const onNode = (e: Entity, node: string | undefined) => node !== undefined && e.node === node;

function pairDetail(ctx: PairContext, src: Entity, dst: Entity): PairDetail {
  const { ev, universe } = ctx;
  const legs: Leg[] = [];
  const start = familyStart(src, dst);
  const sameNode = src.node !== undefined && src.node === dst.node;
  if (src.kind === 'host' && dst.kind === 'pods' && sameNode) {
    // Felix always lets a host reach its own pods (kubelet probes).
    legs.push({ kind: 'host-local', at: src.title, result: { allowed: start, decisions: [{ verdict: 'allow', set: start, reason: { kind: 'host-local', hostEndpoint: src.title } }] } });
    return { allowed: start, legs };
  }
  if (src.kind === 'pods') legs.push(workloadLeg(ctx, src, 'egress', src, dst, start));
  if (src.kind === 'host') legs.push(hostLeg(ev, src, 'egress', src, dst, start));
  // Out through the source node's host endpoints, unless the destination is on that node.
  if (src.kind === 'pods' && src.node !== undefined && !onNode(dst, src.node)) {
    const hosts = universe.hostsByNode.get(src.node) ?? [];
    if (hosts.length > 0) legs.push(anyPath(hosts.map((h) => forwardLeg(ev, h, 'egress', src, dst, start))));
  }
  if (dst.kind === 'pods' && dst.node !== undefined && !onNode(src, dst.node)) {
    const hosts = universe.hostsByNode.get(dst.node) ?? [];
    if (hosts.length > 0) legs.push(anyPath(hosts.map((h) => forwardLeg(ev, h, 'ingress', src, dst, start))));
  }
  // A pod reaching its own host is accepted after its egress (DefaultEndpointToHostAction Accept).
  if (dst.kind === 'host' && !(src.kind === 'pods' && sameNode)) legs.push(hostLeg(ev, dst, 'ingress', src, dst, start));
  if (dst.kind === 'pods') legs.push(workloadLeg(ctx, dst, 'ingress', src, dst, start));
  let allowed = start;
  for (const l of legs) allowed = intersectSets(allowed, l.result.allowed);
  return { allowed, legs };
}

/** Several interfaces on one node: the connection takes whichever route allows it. */
function anyPath(legs: Leg[]): Leg {
  if (legs.length === 1) return legs[0]!;
  let allowed = NO_CONNECTIONS;
  for (const l of legs) allowed = unionSets(allowed, l.result.allowed);
  return { kind: legs[0]!.kind, at: legs.map((l) => l.at).join(' | '), result: { allowed, decisions: legs.flatMap((l) => l.result.decisions) } };
}
