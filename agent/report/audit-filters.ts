// Pure: `history` flags → an AuditQuery, or every problem at once (a bad filter is an error, never
// an empty answer that looks like "nothing happened").
import { parseDuration } from '../config/duration.js';
import { KIND_IDS } from '../domain/kinds.js';
import type { AuditQuery } from './audit-log.js';

export interface HistoryFilterInput {
  readonly resource?: string;
  readonly sha?: string;
  readonly since?: string;
  readonly limit?: string;
}

export type HistoryFilterResult = { readonly ok: true; readonly query: AuditQuery } | { readonly ok: false; readonly errors: readonly string[] };

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const MAX_LIMIT = 100_000;

export function parseHistoryFilters(input: HistoryFilterInput, now: Date): HistoryFilterResult {
  const errors: string[] = [];
  const query: { -readonly [K in keyof AuditQuery]: AuditQuery[K] } = { limit: 50 };

  if (input.resource !== undefined) {
    const resource = parseResourceFilter(input.resource);
    if (typeof resource === 'string') query.resource = resource;
    else errors.push(resource.error);
  }
  if (input.sha !== undefined) {
    if (/^[0-9a-f]{4,40}$/i.test(input.sha)) query.revision = input.sha.toLowerCase();
    else errors.push(`--sha must be a commit sha of 4 to 40 hex digits (got ${JSON.stringify(input.sha)})`);
  }
  if (input.since !== undefined) {
    const since = parseSince(input.since, now);
    if (since) query.since = since;
    else errors.push(`--since must be a duration such as 30m or 2h, or an RFC 3339 time such as 2026-11-24T12:00:00Z (got ${JSON.stringify(input.since)})`);
  }
  if (input.limit !== undefined) {
    const n = Number(input.limit);
    if (/^\d+$/.test(input.limit) && n >= 1 && n <= MAX_LIMIT) query.limit = n;
    else errors.push(`--limit must be a whole number from 1 to ${MAX_LIMIT} (got ${JSON.stringify(input.limit)})`);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, query };
}

/** `KIND/NS/NAME` (NS empty for cluster-scoped kinds: `GlobalNetworkPolicy//allow-ssh`); the kind's case is forgiven. */
function parseResourceFilter(raw: string): string | { error: string } {
  const parts = raw.split('/');
  const usage = `--resource must be KIND/NAMESPACE/NAME, with an empty namespace for cluster-wide kinds (GlobalNetworkPolicy//allow-ssh); got ${JSON.stringify(raw)}`;
  if (parts.length !== 3) return { error: usage };
  const [kind = '', namespace = '', name = ''] = parts;
  if (name === '') return { error: usage };
  const kindId = KIND_IDS.find((k) => k.toLowerCase() === kind.toLowerCase());
  if (!kindId) return { error: `--resource: unknown kind ${JSON.stringify(kind)}; one of ${KIND_IDS.join(', ')}` };
  return `${kindId}/${namespace}/${name}`;
}

function parseSince(raw: string, now: Date): Date | undefined {
  const text = raw.trim();
  if (RFC3339.test(text)) {
    const t = new Date(text);
    return Number.isNaN(t.getTime()) ? undefined : t;
  }
  // A bare number is ambiguous here (seconds? a year?): ask for a unit.
  if (/^\d+$/.test(text)) return undefined;
  const ms = parseDuration(text);
  return ms === undefined || ms <= 0 ? undefined : new Date(now.getTime() - ms);
}
