// `calico-gitops history [--resource KIND/NS/NAME] [--sha SHA] [--since 2h|RFC3339] [--limit N] [--json]`:
// the audit stream of the cluster, newest first. Exit 0 (also when nothing matches), 1 on a bad
// filter or an unreachable Redis.
import type { Command } from 'commander';
import { systemClock } from '../../domain/runtime.js';
import { queuePrefix } from '../../queue/keys.js';
import { parseHistoryFilters } from '../../report/audit-filters.js';
import { AuditLog } from '../../report/audit-log.js';
import { renderAuditTable } from '../../report/audit-render.js';
import { addConfigFlags, configFlags } from '../config-flags.js';
import { processStreams, withRedis, type CliStreams } from '../with-redis.js';

export function registerHistory(program: Command, io: CliStreams = processStreams): void {
  addConfigFlags(
    program
      .command('history')
      .description('show the audit trail of the cluster, newest first: who changed which resource, with which commit')
      .option('--resource <key>', 'only this resource, KIND/NAMESPACE/NAME (GlobalNetworkPolicy//allow-ssh)')
      .option('--sha <sha>', 'only changes made by this commit (full sha or a prefix)')
      .option('--since <time>', 'only changes since a duration ago (30m, 2h) or an RFC 3339 time')
      .option('--limit <n>', 'at most this many entries', '50')
      .option('--json', 'print JSON'),
    ['redis', 'cluster'],
  ).action(async (options: Record<string, unknown>) => {
    const text = (name: string) => (typeof options[name] === 'string' ? options[name] : undefined);
    const filters = parseHistoryFilters({ resource: text('resource'), sha: text('sha'), since: text('since'), limit: text('limit') }, systemClock.now());
    if (!filters.ok) {
      for (const e of filters.errors) io.stderr.write(`calico-gitops history: ${e}\n`);
      process.exitCode = 1;
      return;
    }
    process.exitCode = await withRedis(
      configFlags(options),
      async (redis, config) => {
        const audit = new AuditLog({ redis, prefix: queuePrefix(config.cluster), clock: systemClock });
        const records = await audit.read(filters.query);
        if (options['json']) {
          io.stdout.write(`${JSON.stringify(records, null, 2)}\n`);
          return 0;
        }
        if (records.length === 0) {
          io.stdout.write(`no audit entries for cluster ${config.cluster}${describeFilters(filters.query)}\n`);
          return 0;
        }
        io.stdout.write(renderAuditTable(records, { color: Boolean(io.stdout.isTTY) && (io.stdout.hasColors?.() ?? false) }));
        return 0;
      },
      io,
    );
  });
}

function describeFilters(q: { resource?: string; revision?: string; since?: Date }): string {
  const parts = [
    ...(q.resource ? [`resource ${q.resource}`] : []),
    ...(q.revision ? [`commit ${q.revision}`] : []),
    ...(q.since ? [`since ${q.since.toISOString()}`] : []),
  ];
  return parts.length > 0 ? ` matching ${parts.join(', ')}` : '';
}
