// The contract's view of an analysis: one entry per ordered pair of peers with anything allowed,
// `allowed` per protocol and `why` per leg (which rule, policy and tier allowed which part).
import { parseCidr, formatCidr } from '../desired/rules/k8s-cidr.js';
import type { Analysis, LegKind, PairDetail } from './analyze.js';
import { describeSet, intersectSets, isEmptySet, summarize, type AllowedSummary, type ConnectionSet } from './connection-set.js';
import type { Entity } from './entities.js';
import type { Reason } from './evaluate.js';

export interface WhyItem {
  /** `GlobalNetworkPolicy/allow-db ingress[0]`, `profile kns.test1`, `failsafe ports`. */
  readonly by: string;
  readonly connections: string;
  readonly tier?: string;
  readonly action?: string;
  readonly at?: string;
  readonly file?: string;
  readonly line?: number;
}

export type Why = Partial<Record<LegKind, readonly WhyItem[]>>;

export interface ConnectionEntry {
  readonly from: string;
  readonly to: string;
  readonly allowed: AllowedSummary;
  readonly why: Why;
}

export function describeReason(r: Reason): string {
  switch (r.kind) {
    case 'rule':
      return `${r.policy ?? '?'} ${r.rule ?? ''}`.trim();
    case 'tier-default':
      return r.tier ? `end of tier ${r.tier} (defaultAction Deny)` : `no applyOnForward policy allowed it at ${r.hostEndpoint ?? 'the host endpoint'}`;
    case 'profile':
      return `profile ${r.profile ?? ''}`;
    case 'no-profile':
      return `no policy allowed it and ${r.hostEndpoint ?? 'the host endpoint'} has no allowing profile`;
    case 'failsafe':
      return 'failsafe ports';
    case 'forward-default':
      return `no applyOnForward policy selects ${r.hostEndpoint ?? 'the host endpoint'} (forwarded traffic allowed)`;
    case 'host-local':
      return 'host to its own pods (always allowed)';
    case 'external':
      return 'external peer';
  }
}

export function whyOf(detail: PairDetail, only: ConnectionSet = detail.allowed, verdict: 'allow' | 'deny' = 'allow'): Why {
  const why: Partial<Record<LegKind, WhyItem[]>> = {};
  for (const leg of detail.legs) {
    const items: WhyItem[] = [];
    for (const d of leg.result.decisions) {
      if (d.verdict !== verdict) continue;
      const part = intersectSets(d.set, only);
      if (isEmptySet(part)) continue;
      items.push({
        by: describeReason(d.reason),
        connections: describeSet(part),
        ...(d.reason.tier ? { tier: d.reason.tier } : {}),
        ...(d.reason.action ? { action: d.reason.action } : {}),
        ...(leg.kind.startsWith('forward') || leg.kind.startsWith('host') ? { at: leg.at } : {}),
        ...(d.reason.file ? { file: d.reason.file, line: d.reason.line ?? 0 } : {}),
      });
    }
    if (items.length > 0) why[leg.kind] = [...(why[leg.kind] ?? []), ...items];
  }
  return why;
}

export type PeerFilter = (entity: Entity, member: string) => boolean;

/** `ns/pod`, `ns/*`, `hostendpoint/NAME` or a CIDR; undefined with a message when it names nothing. */
export function peerFilter(analysis: Analysis, pattern: string): { ok: true; filter: PeerFilter } | { ok: false; message: string } {
  const cidr = parseCidr(pattern, { allowBareIp: true });
  if (cidr.ok) {
    const name = formatCidr(cidr.cidr);
    return { ok: true, filter: (e) => e.kind === 'cidr' && e.title === name };
  }
  if (pattern.endsWith('/*')) {
    const ns = pattern.slice(0, -2);
    if (!analysis.universe.entities.some((e) => e.kind === 'pods' && e.namespace === ns)) return { ok: false, message: `no pods in namespace ${ns}` };
    return { ok: true, filter: (e) => e.kind === 'pods' && e.namespace === ns };
  }
  if (!analysis.universe.byPeer.has(pattern)) return { ok: false, message: `${pattern} is not a peer (ns/pod, ns/*, hostendpoint/NAME or a CIDR)` };
  return { ok: true, filter: (_e, m) => m === pattern };
}

/** CIDRs among `patterns`, to add as peers before analysing. */
export function cidrPeers(patterns: readonly (string | undefined)[]): string[] {
  return patterns.flatMap((p) => {
    if (p === undefined) return [];
    const r = parseCidr(p, { allowBareIp: true });
    return r.ok ? [formatCidr(r.cidr)] : [];
  });
}

export interface ListOptions {
  readonly from?: PeerFilter;
  readonly to?: PeerFilter;
}

export function listConnections(analysis: Analysis, opts: ListOptions = {}): ConnectionEntry[] {
  const out: ConnectionEntry[] = [];
  const entities = analysis.universe.entities;
  for (const src of entities) {
    const froms = src.members.filter((m) => !opts.from || opts.from(src, m));
    if (froms.length === 0) continue;
    for (const dst of entities) {
      if (src.kind === 'cidr' && dst.kind === 'cidr') continue;
      const tos = dst.members.filter((m) => !opts.to || opts.to(dst, m));
      if (tos.length === 0) continue;
      if (src === dst && src.members.length === 1) continue;
      const allowed = analysis.allowed(src, dst);
      if (isEmptySet(allowed)) continue;
      const summary = summarize(allowed);
      const why = whyOf(analysis.detail(src, dst));
      for (const f of froms) for (const t of tos) if (f !== t) out.push({ from: f, to: t, allowed: summary, why });
    }
  }
  return out.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.to < b.to ? -1 : a.to > b.to ? 1 : 0));
}
