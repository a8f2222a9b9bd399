// The audit trail: one Redis stream entry per applied, deleted, healed or rolled-back resource,
// capped with `XADD … MAXLEN ~`. Every entry is also logged as one structured line
// (`"audit": true`), so a log pipeline keeps the trail when Redis is lost.
// `calico-gitops history` reads it newest first.
import type { Cluster, Redis } from 'ioredis';
import type { Clock, Logger } from '../domain/runtime.js';
import { redisKeys, type KeyPrefix } from '../queue/keys.js';

export const AUDIT_ACTIONS = ['create', 'update', 'delete', 'heal', 'rollback'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  /** ISO time. */
  readonly time: string;
  /** Cluster name (`--cluster`). */
  readonly cluster?: string;
  readonly revision: string;
  readonly author: string;
  /** First line of the commit message. */
  readonly subject?: string;
  readonly action: AuditAction;
  /** Resource key `Kind/namespace/name`. */
  readonly resource: string;
  /** Spec hash before the change (update, delete, heal). */
  readonly beforeHash?: string;
  /** Spec hash after the change (create, update, heal). */
  readonly afterHash?: string;
  readonly jobId: string;
  readonly result: 'ok' | 'failed';
  readonly message?: string;
  /** Heals: the field manager that changed the object by hand. */
  readonly fieldManager?: string;
  /** Rollbacks: the commits the applied revision reverts (its `Calico-GitOps-Rollback-Of` trailer). */
  readonly rollbackOf?: readonly string[];
}

export interface AuditRecord extends AuditEntry {
  /** Stream id (`<ms>-<seq>`), usable as `sinceId` / `beforeId`. */
  readonly id: string;
}

export interface AuditLogOptions {
  readonly redis: Redis | Cluster;
  /** The cluster's key prefix; the stream is `<prefix>:audit`. */
  readonly prefix: KeyPrefix;
  readonly clock: Clock;
  /** Approximate cap on entries (default 100 000, `--audit-max-entries`). */
  readonly maxLen?: number;
  /** Receives one `"audit": true` line per appended entry. */
  readonly logger?: Logger;
  /** Stamped on entries that do not name their cluster. */
  readonly cluster?: string;
}

export interface AuditQuery {
  /** Only this resource key. */
  readonly resource?: string;
  /** Only entries of this revision (a full sha or a prefix of at least 4 characters). */
  readonly revision?: string;
  /** Only entries appended at or after this time. */
  readonly since?: Date;
  /** At most this many entries (default 50). */
  readonly limit?: number;
  /** Only entries newer than this id. */
  readonly sinceId?: string;
  /** Only entries older than this id (paging backwards). */
  readonly beforeId?: string;
}

const FIELDS = ['time', 'cluster', 'revision', 'author', 'subject', 'action', 'resource', 'beforeHash', 'afterHash', 'jobId', 'result', 'message', 'fieldManager'] as const;
const PAGE = 500;

export class AuditLog {
  readonly #o: AuditLogOptions;
  constructor(options: AuditLogOptions) {
    this.#o = options;
  }

  get key(): string {
    return redisKeys.audit(this.#o.prefix);
  }

  /** Appends entries in one round trip; `time` defaults to the clock. Returns the stream ids. */
  async append(entries: readonly (Omit<AuditEntry, 'time'> & { time?: string })[], options: { readonly once?: string } = {}): Promise<string[]> {
    if (options.once !== undefined) entries = await this.#unseen(entries, options.once);
    if (entries.length === 0) return [];
    const now = this.#o.clock.now().toISOString();
    const pipeline = this.#o.redis.pipeline();
    const cluster = this.#o.cluster === undefined ? {} : { cluster: this.#o.cluster };
    const full: AuditEntry[] = entries.map((entry) => ({ ...cluster, ...entry, time: entry.time ?? now }));
    for (const entry of full) {
      const fields: string[] = [];
      for (const f of FIELDS) {
        const v = entry[f];
        if (v !== undefined) fields.push(f, v);
      }
      if (entry.rollbackOf && entry.rollbackOf.length > 0) fields.push('rollbackOf', entry.rollbackOf.join(','));
      pipeline.xadd(this.key, 'MAXLEN', '~', String(this.#o.maxLen ?? 100_000), '*', ...fields);
    }
    const results = (await pipeline.exec()) ?? [];
    const ids = results.map(([err, id]) => {
      if (err) throw err;
      return String(id);
    });
    // Logged after the stream accepted them, so a line is never an entry Redis refused.
    full.forEach((entry, i) => this.#o.logger?.info({ audit: true, auditId: ids[i], ...entry }, `audit: ${entry.action} ${entry.resource} ${entry.result}`));
    return ids;
  }

  /** The entries not yet appended under `once` (remembered for a week, as long as the queue keeps jobs). */
  async #unseen<E extends Omit<AuditEntry, 'time'>>(entries: readonly E[], once: string): Promise<E[]> {
    if (entries.length === 0) return [];
    const key = redisKeys.audited(this.#o.prefix, once);
    const pipeline = this.#o.redis.pipeline();
    for (const e of entries) pipeline.sadd(key, `${e.action} ${e.resource} ${e.afterHash ?? e.beforeHash ?? ''} ${e.result}`);
    pipeline.expire(key, 7 * 24 * 3600);
    const added = ((await pipeline.exec()) ?? []).slice(0, entries.length).map(([err, n]) => {
      if (err) throw err;
      return n === 1;
    });
    return entries.filter((_, i) => added[i]);
  }

  /** Newest first. */
  async read(query: AuditQuery = {}): Promise<AuditRecord[]> {
    const limit = query.limit ?? 50;
    const out: AuditRecord[] = [];
    let end = query.beforeId ? `(${query.beforeId}` : '+';
    const start = query.sinceId ? `(${query.sinceId}` : query.since ? String(query.since.getTime()) : '-';
    const filtered = query.resource !== undefined || query.revision !== undefined;
    // Filters apply here, so read in pages until enough match.
    const page = filtered ? PAGE : limit;
    for (;;) {
      const batch = await this.#o.redis.xrevrange(this.key, end, start, 'COUNT', page);
      for (const [id, fields] of batch) {
        const record = toRecord(id, fields);
        if (record && matches(record, query)) out.push(record);
        if (out.length >= limit) return out;
      }
      const last = batch[batch.length - 1];
      if (batch.length < page || !last) return out;
      end = `(${last[0]}`;
    }
  }
}

function matches(record: AuditRecord, query: AuditQuery): boolean {
  if (query.resource !== undefined && record.resource !== query.resource) return false;
  if (query.revision !== undefined && !record.revision.startsWith(query.revision.toLowerCase())) return false;
  return true;
}

function toRecord(id: string, fields: string[]): AuditRecord | undefined {
  const m: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) m[fields[i] as string] = fields[i + 1] as string;
  const action = m['action'] as AuditAction | undefined;
  if (!action || !AUDIT_ACTIONS.includes(action) || m['resource'] === undefined) return undefined;
  const optional = (name: 'cluster' | 'subject' | 'beforeHash' | 'afterHash' | 'message' | 'fieldManager') =>
    m[name] === undefined ? {} : { [name]: m[name] };
  return {
    id,
    time: m['time'] ?? '',
    revision: m['revision'] ?? '',
    author: m['author'] ?? '',
    action,
    resource: m['resource'],
    jobId: m['jobId'] ?? '',
    result: m['result'] === 'failed' ? 'failed' : 'ok',
    ...optional('cluster'),
    ...optional('subject'),
    ...optional('beforeHash'),
    ...optional('afterHash'),
    ...optional('message'),
    ...optional('fieldManager'),
    ...(m['rollbackOf'] ? { rollbackOf: m['rollbackOf'].split(',').filter(Boolean) } : {}),
  };
}
