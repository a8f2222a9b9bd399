// Text for people: connections grouped by namespace and label class, and connectivity diffs as
// `+ test1/web → test2/db TCP 5432  allowed by GlobalNetworkPolicy/allow-db ingress[0]`.
import type { Analysis } from './analyze.js';
import { describeSet, isEmptySet } from './connection-set.js';
import type { PeerFilter, Why, WhyItem } from './connections.js';
import { whyOf } from './connections.js';
import type { ConnectivityChange, ConnectivityDiff } from './diff.js';
import type { Entity } from './entities.js';

const groupName = (e: Entity) => (e.kind === 'pods' ? `namespace ${e.namespace ?? ''}` : e.kind === 'host' ? 'host endpoints' : 'external addresses');

function listMembers(e: Entity, filter?: PeerFilter): string {
  const names = e.members.filter((m) => !filter || filter(e, m));
  if (e.kind !== 'pods') return '';
  const short = names.map((m) => m.slice(m.indexOf('/') + 1));
  return ` (${short.length} pod${short.length === 1 ? '' : 's'}: ${short.slice(0, 5).join(', ')}${short.length > 5 ? ', …' : ''})`;
}

/** The decisive reasons: rules first (they are what a person changes), defaults only if nothing else. */
export function shortWhy(why: Why): string {
  const items: WhyItem[] = Object.values(why).flat();
  const rules = items.filter((i) => i.action !== undefined || i.by.startsWith('end of tier'));
  const chosen = rules.length > 0 ? rules : items;
  return [...new Set(chosen.map((i) => i.by))].join(', ');
}

export function renderConnections(a: Analysis, opts: { from?: PeerFilter; to?: PeerFilter } = {}): string {
  const lines: string[] = [];
  let pairs = 0;
  let lastGroup = '';
  const entities = [...a.universe.entities].sort((x, y) => (groupName(x) < groupName(y) ? -1 : groupName(x) > groupName(y) ? 1 : x.title < y.title ? -1 : 1));
  for (const src of entities) {
    const froms = src.members.filter((m) => !opts.from || opts.from(src, m));
    if (froms.length === 0) continue;
    const rows: string[] = [];
    for (const dst of entities) {
      if (src.kind === 'cidr' && dst.kind === 'cidr') continue;
      const tos = dst.members.filter((m) => !opts.to || opts.to(dst, m));
      const count = froms.length * tos.length - (src === dst ? Math.min(froms.length, tos.length) : 0);
      if (count <= 0) continue;
      const allowed = a.allowed(src, dst);
      if (isEmptySet(allowed)) continue;
      pairs += count;
      rows.push(`    → ${dst.title}${listMembers(dst, opts.to)}  ${describeSet(allowed)}  (${shortWhy(whyOf(a.detail(src, dst)))})`);
    }
    if (rows.length === 0) continue;
    if (groupName(src) !== lastGroup) {
      lastGroup = groupName(src);
      lines.push(`${lastGroup}:`);
    }
    lines.push(`  ${src.title}${listMembers(src, opts.from)}`, ...rows);
  }
  lines.push(`${pairs} peer pair${pairs === 1 ? '' : 's'} with connections allowed`);
  return `${lines.join('\n')}\n`;
}

export function changeLines(c: ConnectivityChange): string[] {
  const out: string[] = [];
  if (!isEmptySet(c.opened)) out.push(`+ ${c.from} → ${c.to} ${describeSet(c.opened)}  allowed by ${shortWhy(c.openedWhy)}`);
  if (!isEmptySet(c.closed)) out.push(`- ${c.from} → ${c.to} ${describeSet(c.closed)}  denied by ${shortWhy(c.closedWhy)}`);
  return out;
}

export function renderDiff(d: ConnectivityDiff, opts: { limit?: number } = {}): string {
  const lines = d.changes.flatMap(changeLines);
  const limit = opts.limit ?? Number.POSITIVE_INFINITY;
  const shown = lines.slice(0, limit);
  if (lines.length > shown.length) shown.push(`… and ${lines.length - shown.length} more lines (--json for all)`);
  shown.push(impactSummary(d));
  return `${shown.join('\n')}\n`;
}

export function impactSummary(d: { opens: number; closes: number }): string {
  if (d.opens === 0 && d.closes === 0) return 'no change to connectivity';
  return `opens ${d.opens}, closes ${d.closes} connections`;
}
