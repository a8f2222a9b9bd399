// `npm run bench -- redis-sizing`: what one cluster keeps in Redis, measured with MEMORY USAGE on
// the real keys the agent writes (Redis on 127.0.0.1:6379, a random cluster name, removed after):
// the empty queue of a cluster (limits, latest revision), one commit's statuses,
// one sync job per 1,000 policies (the plan travels in the job and stays while the job is kept),
// and one audit entry. docs/redis-sizing.md turns these into sizing rules.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { buildDesiredState } from '../../agent/desired/index.js';
import { parseCalicoVersion } from '../../agent/domain/calico-version.js';
import { systemClock } from '../../agent/domain/runtime.js';
import { buildPlan } from '../../agent/plan/build-plan.js';
import { queuePrefix } from '../../agent/queue/keys.js';
import { createSyncQueue } from '../../agent/queue/sync-queue.js';
import { AuditLog } from '../../agent/report/audit-log.js';
import { RedisStatusStore } from '../../agent/report/redis-status-store.js';
import { generatePolicies } from './generate-policies.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const AUDIT_ENTRIES = 1_000;
const POLICIES = 1_000;

interface Footprint {
  readonly keys: number;
  readonly bytes: number;
}

async function footprint(redis: Redis, prefix: string): Promise<Footprint> {
  let cursor = '0';
  let keys = 0;
  let bytes = 0;
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    for (const key of batch) {
      keys += 1;
      bytes += Number((await redis.memory('USAGE', key, 'SAMPLES', '0')) ?? 0);
    }
  } while (cursor !== '0');
  return { keys, bytes };
}

const delta = (after: Footprint, before: Footprint): Footprint => ({ keys: after.keys - before.keys, bytes: after.bytes - before.bytes });

export async function run(): Promise<Record<string, unknown>> {
  const cluster = `size${randomBytes(4).toString('hex')}`;
  const prefix = queuePrefix(cluster);
  const redis = new Redis(REDIS_URL);
  const queue = await createSyncQueue({ connection: REDIS_URL, cluster, logger: pino({ level: 'silent' }) });
  try {
    await queue.setLatestRevision('0'.repeat(40));
    const empty = await footprint(redis, prefix);

    const statuses = new RedisStatusStore({ redis, prefix, cluster, clock: systemClock });
    const sha = 'a'.repeat(40);
    for (const kind of ['validate', 'apply', 'drift']) {
      await statuses.post({ sha, context: `calico-gitops/${cluster}/${kind}`, state: 'success', description: 'applied 12, deleted 0' });
    }
    const withStatuses = await footprint(redis, prefix);

    const calicoVersion = parseCalicoVersion('v3.31.2');
    if (!calicoVersion) throw new Error('bad Calico version');
    const desired = buildDesiredState({ files: generatePolicies({ count: POLICIES }), calicoVersion });
    const live = { isSynced: () => true, get: () => undefined, list: () => [] };
    const plan = buildPlan({ desired: desired.state, live, revision: 'b'.repeat(40), instance: 'calico-gitops', adopt: false, deleteBudgetPercent: 25 });
    await queue.enqueueSync({ plan, revision: plan.revision, author: 'Bench <bench@example.test>' });
    const withJob = await footprint(redis, prefix);

    const audit = new AuditLog({ redis, prefix, clock: systemClock });
    const steps = plan.steps.slice(0, AUDIT_ENTRIES);
    await audit.append(
      steps.map((s) => ({
        revision: plan.revision,
        author: 'Bench <bench@example.test>',
        subject: 'open port 8443 for the api',
        action: 'create' as const,
        resource: s.key,
        afterHash: 'c'.repeat(16),
        jobId: `sync-${cluster}-${plan.revision}-${plan.id}`,
        result: 'ok' as const,
        cluster,
      })),
    );
    const withAudit = await footprint(redis, prefix);
    const job = delta(withJob, withStatuses);
    const auditBytes = delta(withAudit, withJob).bytes;
    return {
      cluster: { ...empty, what: 'empty queue: meta (global concurrency), latest revision' },
      statusesPerCommit: delta(withStatuses, empty),
      syncJobPer1000Policies: { ...job, planSteps: plan.steps.length },
      auditEntry: { bytes: Math.round(auditBytes / steps.length), entries: steps.length },
      redisVersion: ((await redis.info('server')).match(/redis_version:(\S+)/) ?? [])[1],
    };
  } finally {
    await queue.close();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
    redis.disconnect();
  }
}
