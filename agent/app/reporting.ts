// Composes the reporting adapters from config: commit statuses (forge and/or Redis, deduplicated),
// the apply reporter the workers call, and the audit sink.
import { readFile } from 'node:fs/promises';
import type { Cluster, Redis } from 'ioredis';
import type { Config } from '../config/config.js';
import type { StatusPort } from '../controller/ports.js';
import type { Clock, Logger } from '../domain/runtime.js';
import { displayKey } from '../domain/resource.js';
import { describeConflicts } from '../plan/render.js';
import type { ApplyReport, ApplyReporter, AuditEntry as JobAuditEntry, AuditSink } from '../queue/ports.js';
import { AuditLog, type AuditAction } from '../report/audit-log.js';
import type { StatusReporter } from '../report/commit-status.js';
import { teeReporter } from '../report/status-port.js';
import type { FetchFn } from '../report/forge-http.js';
import { createForgeReporter } from '../report/forge-reporters.js';
import { recordAppliedRevision, type AgentMetrics } from '../report/metrics.js';
import { RedisStatusStore } from '../report/redis-status-store.js';
import { DedupStatusReporter, RedisStatusMemory } from '../report/status-dedup.js';
import { forgeRepoFrom, defaultForgeApi } from './forge-defaults.js';

export interface ReportingDeps {
  readonly config: Config;
  readonly redis: Redis | Cluster;
  readonly prefix: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly fetch: FetchFn;
}

/** Statuses always land in Redis (for `calico-gitops status`) and, with a forge, on the commit. */
export function createStatusReporter(deps: ReportingDeps): StatusReporter {
  const { config } = deps;
  const store = new RedisStatusStore({ redis: deps.redis, prefix: deps.prefix, cluster: config.cluster, clock: deps.clock });
  if (!config.forge) return store;
  const tokenFile = config.forgeTokenFile;
  const forge = createForgeReporter(config.forge, {
    apiUrl: config.forgeUrl ?? defaultForgeApi(config.forge),
    repo: config.forgeRepo ?? forgeRepoFrom(config.repo ?? ''),
    // Read on every post so a rotated token file takes effect without a restart.
    token: async () => (tokenFile ? (await readFile(tokenFile, 'utf8')).trim() : ''),
    fetch: deps.fetch,
  });
  const deduped = new DedupStatusReporter({
    reporter: forge,
    memory: new RedisStatusMemory({ redis: deps.redis, prefix: deps.prefix }),
    logger: deps.logger,
  });
  return teeReporter([store, deduped]);
}

/** What the workers report when a job is done: the apply (or drift, for heals) status and metrics. */
export function createApplyReporter(deps: { statuses: StatusPort; metrics?: AgentMetrics; logger: Logger }): ApplyReporter {
  return {
    applied: async (report) => {
      const failed = report.results.filter((r) => r.outcome !== 'ok');
      for (const r of report.results) deps.metrics?.stepOutcomes.inc({ action: r.action, outcome: r.outcome });
      const conflicts = report.skipped ?? [];
      if (failed.length === 0 && conflicts.length > 0) {
        // The rest was applied, but the commit does not hold in the cluster: say which and why.
        await postFor(deps.statuses, report, 'failure', `${describeApplied(report)}; ${describeConflicts(conflicts)}`);
      } else if (failed.length === 0) {
        if (report.kind !== 'uninstall' && deps.metrics) recordAppliedRevision(deps.metrics, report.revision);
        await postFor(deps.statuses, report, 'success', describeApplied(report));
      } else {
        const first = failed[0];
        const what = first ? `${displayKey(first.key)}: ${first.outcome} ${first.message}` : '';
        await postFor(deps.statuses, report, 'failure', `${failed.length} of ${report.results.length} failed: ${what}`);
      }
    },
    failed: async (report) => {
      await postFor(deps.statuses, report, report.error.disposition === 'stalled' ? 'failure' : 'error', `${report.error.code}: ${report.error.message}`);
    },
  };
}

async function postFor(statuses: StatusPort, report: ApplyReport, state: 'success' | 'failure' | 'error', description: string): Promise<void> {
  if (report.kind === 'uninstall') return;
  await statuses.post({ sha: report.revision, kind: report.kind === 'heal' ? 'drift' : 'apply', state, description });
}

/** `applied 3, deleted 1` (or `healed: …` for a self-heal). */
export function describeApplied(report: Pick<ApplyReport, 'kind' | 'results'>): string {
  const n = (a: string) => report.results.filter((r) => r.action === a && r.outcome === 'ok').length;
  const applied = n('create') + n('update');
  const text = `applied ${applied}, deleted ${n('delete')}`;
  return report.kind === 'heal' ? `healed: ${text}` : text;
}

/** Maps the workers' audit entries onto the Redis audit stream. */
export function auditSinkFor(log: AuditLog): AuditSink {
  return {
    record: async (entries: readonly JobAuditEntry[]) => {
      await log.append(
        entries.map((e) => {
          const action: AuditAction = e.kind === 'heal' ? 'heal' : e.action;
          return {
            time: e.time,
            revision: e.revision,
            author: e.author,
            action,
            resource: e.resource,
            ...(e.beforeHash === undefined ? {} : { beforeHash: e.beforeHash }),
            ...(e.afterHash === undefined ? {} : { afterHash: e.afterHash }),
            jobId: e.jobId,
            result: e.outcome === 'ok' ? ('ok' as const) : ('failed' as const),
            message: e.outcome === 'ok' ? e.message : `${e.outcome}: ${e.message}`,
          };
        }),
      );
    },
  };
}
