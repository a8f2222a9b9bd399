// The contract's view of a connectivity diff (`plan --json`, `connectivity --diff --json`) and the
// impact report the agent keeps per planned revision: the same JSON, with the revision, when it
// was computed and what its declared intents said. Pure: the caller gives the time.
import { describeSet, isEmptySet, summarize, type AllowedSummary } from './connection-set.js';
import type { Why } from './connections.js';
import type { ConnectivityDiff } from './diff.js';
import { impactSummary, shortWhy } from './render-text.js';
import type { Issue, Issues } from '../domain/issue.js';

export interface DiffChangeJson {
  readonly from: string;
  readonly to: string;
  readonly change: 'added' | 'removed' | 'changed';
  readonly before: AllowedSummary;
  readonly after: AllowedSummary;
  readonly opened: AllowedSummary;
  readonly closed: AllowedSummary;
  /** `TCP 5432`, for people (the page, logs); empty when nothing. */
  readonly openedText: string;
  readonly closedText: string;
  /** The decisive rules, short: `GlobalNetworkPolicy/allow-db ingress[0]`. */
  readonly openedBy: string;
  readonly closedBy: string;
  readonly why: { readonly opened: Why; readonly closed: Why };
}

export interface DiffJson {
  /** Pairs that gain / lose connections. */
  readonly opens: number;
  readonly closes: number;
  readonly changes: readonly DiffChangeJson[];
  /** Changes left out of `changes` (a report is capped); 0 when all are there. */
  readonly omitted: number;
}

export function diffJson(d: ConnectivityDiff, opts: { maxChanges?: number } = {}): DiffJson {
  const max = opts.maxChanges ?? Number.POSITIVE_INFINITY;
  const kept = d.changes.slice(0, max);
  return {
    opens: d.opens,
    closes: d.closes,
    changes: kept.map((c) => ({
      from: c.from,
      to: c.to,
      change: c.change,
      before: c.before,
      after: c.after,
      opened: summarize(c.opened),
      closed: summarize(c.closed),
      openedText: isEmptySet(c.opened) ? '' : describeSet(c.opened),
      closedText: isEmptySet(c.closed) ? '' : describeSet(c.closed),
      openedBy: shortWhy(c.openedWhy),
      closedBy: shortWhy(c.closedWhy),
      why: { opened: c.openedWhy, closed: c.closedWhy },
    })),
    omitted: d.changes.length - kept.length,
  };
}

export interface IntentFinding {
  readonly message: string;
  readonly file: string;
  readonly line: number;
}

export interface ImpactReport {
  readonly revision: string;
  readonly cluster: string;
  /** ISO time the diff was computed (against the cluster's policies and workloads then). */
  readonly computedAt: string;
  /** Undefined when the revision declares no intents. */
  readonly intents?: { readonly violated: readonly IntentFinding[]; readonly warnings: readonly IntentFinding[] };
  readonly diff: DiffJson;
}

/** Changes kept in a stored report: the page of a huge diff stays a page, Redis stays small. */
export const MAX_REPORT_CHANGES = 500;

export function impactReport(o: {
  revision: string;
  cluster: string;
  computedAt: Date;
  diff: ConnectivityDiff;
  intents?: Issues;
}): ImpactReport {
  const intents = o.intents ? intentsPart(o.intents) : undefined;
  return {
    revision: o.revision,
    cluster: o.cluster,
    computedAt: o.computedAt.toISOString(),
    ...(intents ? { intents } : {}),
    diff: diffJson(o.diff, { maxChanges: MAX_REPORT_CHANGES }),
  };
}

/** The report's intents part from an intents check. */
export function intentsPart(checked: Issues): NonNullable<ImpactReport['intents']> {
  const finding = (i: Issue): IntentFinding => ({ message: i.message, file: i.file, line: i.line });
  return { violated: checked.errors.map(finding), warnings: checked.warnings.map(finding) };
}

/** A stored report with the latest intents check (the diff stays the one first computed). */
export function withIntents(report: ImpactReport, checked?: Issues): ImpactReport {
  const { intents: _old, ...rest } = report;
  return checked ? { ...rest, intents: intentsPart(checked) } : rest;
}

/** The impact status line: `opens 3, closes 1 connections; 1 intent violated`. */
export function impactDescription(r: Pick<ImpactReport, 'diff' | 'intents'>): string {
  const violated = r.intents?.violated.length ?? 0;
  const base = impactSummary(r.diff);
  return violated === 0 ? base : `${base}; ${violated} intent${violated === 1 ? '' : 's'} violated`;
}
