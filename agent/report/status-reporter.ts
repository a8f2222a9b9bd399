// Where commit statuses go: always the Redis store (for `calico-gitops status`) and, with a forge,
// the commit itself (deduplicated, so a status repeated every poll is sent once).
import { readFile } from 'node:fs/promises';
import type { Cluster, Redis } from 'ioredis';
import type { Forge } from '../config/options.js';
import type { Clock, Logger } from '../domain/runtime.js';
import type { KeyPrefix } from '../queue/keys.js';
import type { StatusReporter } from './commit-status.js';
import { defaultForgeApi, forgeRepoFrom } from './forge-defaults.js';
import type { FetchFn } from './forge-http.js';
import { createForgeReporter } from './forge-reporters.js';
import { RedisStatusStore } from './redis-status-store.js';
import { DedupStatusReporter, RedisStatusMemory } from './status-dedup.js';
import { teeReporter } from './status-port.js';

/** What reporting needs from the configuration. */
export interface StatusOptions {
  readonly cluster: string;
  readonly forge?: {
    readonly kind: Forge;
    /** API base; the forge's public one when absent. */
    readonly apiUrl?: string;
    /** `OWNER/NAME`; derived from the policy repository URL when absent. */
    readonly repo?: string;
    readonly repoUrl?: string;
    readonly tokenFile?: string;
  };
}

export function createStatusReporter(o: StatusOptions & { readonly redis: Redis | Cluster; readonly prefix: KeyPrefix; readonly clock: Clock; readonly logger: Logger; readonly fetch: FetchFn }): StatusReporter {
  const store = new RedisStatusStore({ redis: o.redis, prefix: o.prefix, cluster: o.cluster, clock: o.clock });
  if (!o.forge) return store;
  const { tokenFile } = o.forge;
  const forge = createForgeReporter(o.forge.kind, {
    apiUrl: o.forge.apiUrl ?? defaultForgeApi(o.forge.kind),
    repo: o.forge.repo ?? forgeRepoFrom(o.forge.repoUrl ?? ''),
    // Read on every post so a rotated token file takes effect without a restart.
    token: async () => (tokenFile ? (await readFile(tokenFile, 'utf8')).trim() : ''),
    fetch: o.fetch,
  });
  const deduped = new DedupStatusReporter({ reporter: forge, memory: new RedisStatusMemory({ redis: o.redis, prefix: o.prefix }), logger: o.logger });
  return teeReporter([store, deduped]);
}
