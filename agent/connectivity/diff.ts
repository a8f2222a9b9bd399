// What a change of policy does to traffic: the same workloads analysed under two policy sets,
// compared pair by pair. A pair is `added` when it could send nothing before, `removed` when it
// can send nothing after, `changed` otherwise; `opened`/`closed` are the connections gained/lost.
import { analyzeConnectivity, type Analysis, type AnalyzeInput } from './analyze.js';
import { buildModel } from './build-model.js';
import { equalSets, isEmptySet, subtractSets, summarize, type AllowedSummary, type ConnectionSet } from './connection-set.js';
import { whyOf, type PeerFilter, type Why } from './connections.js';
import { formatCidr } from '../desired/rules/k8s-cidr.js';
import type { Entity } from './entities.js';
import type { NetworkSetInfo } from './workloads.js';

export type ChangeKind = 'added' | 'removed' | 'changed';

export interface ConnectivityChange {
  readonly from: string;
  readonly to: string;
  readonly change: ChangeKind;
  readonly opened: ConnectionSet;
  readonly closed: ConnectionSet;
  readonly before: AllowedSummary;
  readonly after: AllowedSummary;
  /** Why the opened part is allowed now. */
  readonly openedWhy: Why;
  /** Why the closed part is denied now. */
  readonly closedWhy: Why;
}

export interface ConnectivityDiff {
  readonly changes: readonly ConnectivityChange[];
  /** Pairs that gain / lose anything. */
  readonly opens: number;
  readonly closes: number;
  readonly before: Analysis;
  readonly after: Analysis;
}

export interface DiffInput extends Omit<AnalyzeInput, 'policies'> {
  readonly before: AnalyzeInput['policies'];
  readonly after: AnalyzeInput['policies'];
  readonly from?: PeerFilter;
  readonly to?: PeerFilter;
}

export function diffConnectivity(input: DiffInput): ConnectivityDiff {
  const { before: beforePolicies, after: afterPolicies, from, to, ...common } = input;
  // Both sides get the CIDR peers of both, so an external peer means the same addresses on each.
  // A side's CIDR classes come from its policies' nets and its network sets (those it declares
  // winning over the workloads' of the same name): read from its compiled model (kept for its
  // analysis below), not from a whole probe analysis per side.
  const cidrs = [...(common.extraCidrs ?? [])];
  for (const policies of [beforePolicies, afterPolicies]) {
    const built = buildModel(policies, common.calicoVersion);
    for (const c of built.model.cidrs) cidrs.push(formatCidr(c));
    if (common.podsAndHostsOnly === true) continue;
    const declared = new Set(built.networkSets.map(networkSetId));
    for (const s of [...built.networkSets, ...common.workloads.networkSets.filter((w) => !declared.has(networkSetId(w)))]) cidrs.push(...s.nets);
  }
  const before = analyzeConnectivity({ ...common, policies: beforePolicies, extraCidrs: cidrs });
  const after = analyzeConnectivity({ ...common, policies: afterPolicies, extraCidrs: cidrs });
  const changes: ConnectivityChange[] = [];
  const partition = (e: Entity, filter: PeerFilter | undefined) => {
    const groups = new Map<Entity, string[]>();
    for (const m of e.members) {
      if (filter && !filter(e, m)) continue;
      const other = after.universe.byPeer.get(m);
      if (!other) continue;
      groups.set(other, [...(groups.get(other) ?? []), m]);
    }
    return groups;
  };
  const entities = before.universe.entities;
  const dstParts = new Map(entities.map((e) => [e, partition(e, to)]));
  for (const src of entities) {
    for (const [srcAfter, froms] of partition(src, from)) {
      for (const dst of entities) {
        if (src.kind === 'cidr' && dst.kind === 'cidr') continue;
        for (const [dstAfter, tos] of dstParts.get(dst) ?? []) {
          const was = before.allowed(src, dst);
          const now = after.allowed(srcAfter, dstAfter);
          if (equalSets(was, now)) continue;
          const opened = subtractSets(now, was);
          const closed = subtractSets(was, now);
          const detail = after.detail(srcAfter, dstAfter);
          const entry = {
            change: (isEmptySet(was) ? 'added' : isEmptySet(now) ? 'removed' : 'changed') as ChangeKind,
            opened,
            closed,
            before: summarize(was),
            after: summarize(now),
            openedWhy: isEmptySet(opened) ? {} : whyOf(detail, opened, 'allow'),
            closedWhy: isEmptySet(closed) ? {} : whyOf(detail, closed, 'deny'),
          };
          for (const f of froms) for (const t of tos) if (f !== t) changes.push({ from: f, to: t, ...entry });
        }
      }
    }
  }
  changes.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.to < b.to ? -1 : a.to > b.to ? 1 : 0));
  return {
    changes,
    opens: changes.filter((c) => !isEmptySet(c.opened)).length,
    closes: changes.filter((c) => !isEmptySet(c.closed)).length,
    before,
    after,
  };
}

function networkSetId(s: NetworkSetInfo): string {
  return `${s.namespace ?? ''}/${s.name}`;
}
