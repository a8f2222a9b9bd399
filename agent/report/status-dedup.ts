// Never post the same (sha, context, state, description) twice. The last posted status per
// (sha, context) is remembered in Redis (it survives restarts and is shared by replicas); when
// nothing is remembered, the forge's own list is asked first, as Flux's notifier does.
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from '../domain/runtime.js';
import { redisKeys, type KeyPrefix } from '../queue/keys.js';
import { normalizeStatus, type CommitStatus, type StatusReporter } from './commit-status.js';
import type { ForgeStatusReporter } from './forge-reporters.js';

export interface StatusMemory {
  /** Fingerprint last posted for (sha, context). */
  get(sha: string, context: string): Promise<string | undefined>;
  set(sha: string, context: string, fingerprint: string): Promise<void>;
}

export class MapStatusMemory implements StatusMemory {
  readonly #map = new Map<string, string>();
  async get(sha: string, context: string): Promise<string | undefined> {
    return this.#map.get(`${sha}\n${context}`);
  }
  async set(sha: string, context: string, fingerprint: string): Promise<void> {
    this.#map.set(`${sha}\n${context}`, fingerprint);
  }
}

export interface RedisStatusMemoryOptions {
  readonly redis: Redis | Cluster;
  /** The cluster's key prefix; keys are `<prefix>:posted:<sha>`. */
  readonly prefix: KeyPrefix;
  /** How long a commit's memory is kept (default 30 days). */
  readonly ttlSeconds?: number;
}

export class RedisStatusMemory implements StatusMemory {
  readonly #o: RedisStatusMemoryOptions;
  constructor(options: RedisStatusMemoryOptions) {
    this.#o = options;
  }
  async get(sha: string, context: string): Promise<string | undefined> {
    return (await this.#o.redis.hget(this.#key(sha), context)) ?? undefined;
  }
  async set(sha: string, context: string, fingerprint: string): Promise<void> {
    await this.#o.redis.multi().hset(this.#key(sha), context, fingerprint).expire(this.#key(sha), this.#o.ttlSeconds ?? 30 * 86_400).exec();
  }
  #key(sha: string): string {
    return redisKeys.posted(this.#o.prefix, sha);
  }
}

export function statusFingerprint(status: CommitStatus): string {
  const s = normalizeStatus(status);
  return `${s.state}\n${s.description}`;
}

export interface DedupStatusReporterOptions {
  readonly reporter: StatusReporter | ForgeStatusReporter;
  readonly memory: StatusMemory;
  readonly logger: Logger;
}

export class DedupStatusReporter implements StatusReporter {
  readonly #o: DedupStatusReporterOptions;
  /** Posts sent and posts skipped as duplicates (metrics, tests). */
  readonly counts = { posted: 0, skipped: 0 };

  constructor(options: DedupStatusReporterOptions) {
    this.#o = options;
  }

  async post(status: CommitStatus): Promise<void> {
    const s = normalizeStatus(status);
    const fingerprint = statusFingerprint(s);
    const remembered = await this.#o.memory.get(s.sha, s.context);
    if (remembered === fingerprint || (remembered === undefined && (await this.#forgeHasIt(s)))) {
      this.counts.skipped++;
      if (remembered === undefined) await this.#o.memory.set(s.sha, s.context, fingerprint);
      return;
    }
    await this.#o.reporter.post(s);
    this.counts.posted++;
    await this.#o.memory.set(s.sha, s.context, fingerprint);
  }

  async #forgeHasIt(s: CommitStatus): Promise<boolean> {
    const reporter = this.#o.reporter;
    if (!('latest' in reporter)) return false;
    try {
      const current = (await reporter.latest(s.sha)).get(s.context);
      return current !== undefined && current.state === reporter.forgeState(s) && current.description === s.description;
    } catch (err) {
      // Listing is an optimisation; posting again is harmless.
      this.#o.logger.debug({ err: err instanceof Error ? err.message : String(err) }, 'could not list commit statuses');
      return false;
    }
  }
}
