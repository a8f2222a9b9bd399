// `calico-gitops status [--sha SHA] [--json]`: the commit statuses the agent recorded (always kept
// in Redis, also when a forge receives them), newest first.
// `calico-gitops approve <sha>`: release a plan held by the delete budget.
import type { Command } from 'commander';
import { describeEntry } from '../../drift/describe.js';
import type { DriftSnapshot } from '../../drift/monitor.js';
import { systemClock } from '../../domain/runtime.js';
import { queuePrefix, redisKeys } from '../../queue/keys.js';
import { RedisStatusStore } from '../../report/redis-status-store.js';
import { addConfigFlags, configFlags } from '../config-flags.js';
import { withRedis } from '../with-redis.js';

const APPROVAL_TTL_SECONDS = 7 * 86_400;

export function registerStatus(program: Command): void {
  addConfigFlags(
    program
      .command('status')
      .description('show the commit statuses recorded for the cluster, newest first')
      .option('--sha <sha>', 'only this commit')
      .option('--limit <n>', 'at most this many statuses', '20')
      .option('--json', 'print JSON'),
    ['redis', 'cluster'],
  ).action(async (options: Record<string, unknown>) => {
    process.exitCode = await withRedis(configFlags(options), async (redis, config) => {
      const store = new RedisStatusStore({ redis, prefix: queuePrefix(config.cluster), cluster: config.cluster, clock: systemClock });
      const sha = typeof options['sha'] === 'string' ? options['sha'] : undefined;
      const statuses = await store.listStatuses({ ...(sha ? { sha } : {}), limit: Number(options['limit']) || 20 });
      if (options['json']) {
        process.stdout.write(`${JSON.stringify(statuses, null, 2)}\n`);
        return 0;
      }
      if (statuses.length === 0) {
        process.stdout.write(`no statuses recorded for cluster ${config.cluster}${sha ? ` and commit ${sha}` : ''}\n`);
        return 0;
      }
      for (const s of statuses) {
        process.stdout.write(`${s.time}  ${s.sha.slice(0, 12)}  ${s.context.padEnd(36)} ${s.state.padEnd(8)} ${s.description}\n`);
      }
      // The leader's current drift, as it last checked (`calico-gitops drift` asks the cluster itself).
      const raw = await redis.get(redisKeys.driftState(queuePrefix(config.cluster)));
      const drift = raw ? (JSON.parse(raw) as DriftSnapshot) : undefined;
      if (drift && drift.entries.length > 0) {
        process.stdout.write(`current drift from applied revision ${(drift.revision ?? '').slice(0, 12)} (checked ${drift.checkedAt}):\n`);
        for (const e of drift.entries) {
          const fight = drift.fighting[e.key] ? `; fighting with ${drift.fighting[e.key]}, not healed` : '';
          process.stdout.write(`  ${describeEntry(e)}${e.time ? ` at ${e.time}` : ''}${fight}\n`);
        }
      }
      return 0;
    });
  });

  addConfigFlags(
    program
      .command('approve')
      .description('approve the plan of a commit that the delete budget holds')
      .argument('<sha>', 'full commit SHA'),
    ['redis', 'cluster'],
  ).action(async (sha: string, options: Record<string, unknown>) => {
    if (!/^[0-9a-f]{40}$/.test(sha)) {
      process.stderr.write('calico-gitops approve: give the full 40-character commit SHA\n');
      process.exitCode = 1;
      return;
    }
    process.exitCode = await withRedis(configFlags(options), async (redis, config) => {
      await redis.set(redisKeys.approval(queuePrefix(config.cluster), sha), new Date().toISOString(), 'EX', APPROVAL_TTL_SECONDS);
      process.stdout.write(`approved ${sha} on cluster ${config.cluster}; the next cycle applies its plan\n`);
      return 0;
    });
  });
}
