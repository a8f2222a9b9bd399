// The audit trail: one Redis stream entry per applied, deleted, healed or rolled-back resource,
// capped with `XADD … MAXLEN ~`. `calico-gitops history` reads it newest first.
import type { Redis } from 'ioredis';
import type { Clock } from '../domain/runtime.js';

export const AUDIT_ACTIONS = ['create', 'update', 'delete', 'heal', 'rollback'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  /** ISO time. */
  readonly time: string;
  readonly revision: string;
  readonly author: string;
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
}

export interface AuditRecord extends AuditEntry {
  /** Stream id (`<ms>-<seq>`), usable as `sinceId` / `beforeId`. */
  readonly id: string;
}

export interface AuditLogOptions {
  readonly redis: Redis;
  /** Key prefix, e.g. `{calico-gitops:<cluster>}`; the stream is `<prefix>:audit`. */
  readonly prefix: string;
  readonly clock: Clock;
  /** Approximate cap on entries (default 100 000). */
  readonly maxLen?: number;
}

export interface AuditQuery {
  /** Only this resource key. */
  readonly resource?: string;
  /** At most this many entries (default 50). */
  readonly limit?: number;
  /** Only entries newer than this id. */
  readonly sinceId?: string;
  /** Only entries older than this id (paging backwards). */
  readonly beforeId?: string;
}

const FIELDS = ['time', 'revision', 'author', 'action', 'resource', 'beforeHash', 'afterHash', 'jobId', 'result', 'message'] as const;

export class AuditLog {
  readonly #o: AuditLogOptions;
  constructor(options: AuditLogOptions) {
    this.#o = options;
  }

  get key(): string {
    return `${this.#o.prefix}:audit`;
  }

  /** Appends entries in one round trip; `time` defaults to the clock. Returns the stream ids. */
  async append(entries: readonly (Omit<AuditEntry, 'time'> & { time?: string })[]): Promise<string[]> {
    if (entries.length === 0) return [];
    const now = this.#o.clock.now().toISOString();
    const pipeline = this.#o.redis.pipeline();
    for (const entry of entries) {
      const full: AuditEntry = { ...entry, time: entry.time ?? now };
      const fields: string[] = [];
      for (const f of FIELDS) {
        const v = full[f];
        if (v !== undefined) fields.push(f, v);
      }
      pipeline.xadd(this.key, 'MAXLEN', '~', String(this.#o.maxLen ?? 100_000), '*', ...fields);
    }
    const results = (await pipeline.exec()) ?? [];
    return results.map(([err, id]) => {
      if (err) throw err;
      return String(id);
    });
  }

  /** Newest first. */
  async read(query: AuditQuery = {}): Promise<AuditRecord[]> {
    const limit = query.limit ?? 50;
    const out: AuditRecord[] = [];
    let end = query.beforeId ? `(${query.beforeId}` : '+';
    const start = query.sinceId ? `(${query.sinceId}` : '-';
    // Filtering by resource happens here, so read in pages until enough match.
    const page = query.resource ? 500 : limit;
    for (;;) {
      const batch = await this.#o.redis.xrevrange(this.key, end, start, 'COUNT', page);
      for (const [id, fields] of batch) {
        const record = toRecord(id, fields);
        if (record && (!query.resource || record.resource === query.resource)) out.push(record);
        if (out.length >= limit) return out;
      }
      const last = batch[batch.length - 1];
      if (batch.length < page || !last) return out;
      end = `(${last[0]}`;
    }
  }
}

function toRecord(id: string, fields: string[]): AuditRecord | undefined {
  const m: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) m[fields[i] as string] = fields[i + 1] as string;
  const action = m['action'] as AuditAction | undefined;
  if (!action || !AUDIT_ACTIONS.includes(action) || m['resource'] === undefined) return undefined;
  return {
    id,
    time: m['time'] ?? '',
    revision: m['revision'] ?? '',
    author: m['author'] ?? '',
    action,
    resource: m['resource'],
    jobId: m['jobId'] ?? '',
    result: m['result'] === 'failed' ? 'failed' : 'ok',
    ...(m['beforeHash'] !== undefined ? { beforeHash: m['beforeHash'] } : {}),
    ...(m['afterHash'] !== undefined ? { afterHash: m['afterHash'] } : {}),
    ...(m['message'] !== undefined ? { message: m['message'] } : {}),
  };
}
