import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { forgeRepoFrom } from '../../agent/app/forge-defaults.js';
import { auditSinkFor, createApplyReporter, describeApplied } from '../../agent/app/reporting.js';
import type { StatusPort } from '../../agent/controller/ports.js';
import { resourceKey } from '../../agent/domain/resource.js';
import type { StepResult } from '../../agent/domain/state.js';
import { AuditLog } from '../../agent/report/audit-log.js';

const key = (name: string) => resourceKey('GlobalNetworkPolicy', undefined, name);
const result = (name: string, action: StepResult['action'], outcome: StepResult['outcome'] = 'ok'): StepResult => ({ key: key(name), action, outcome, message: outcome === 'ok' ? '' : 'denied' });

describe('forgeRepoFrom', () => {
  it.each([
    ['https://github.com/acme/policies.git', 'acme/policies'],
    ['https://gitlab.example.com/group/sub/policies', 'group/sub/policies'],
    ['git@github.com:acme/policies.git', 'acme/policies'],
    ['ssh://git@gitea.example.com/acme/policies.git', 'acme/policies'],
  ])('%s → %s', (url, repo) => expect(forgeRepoFrom(url)).toBe(repo));
});

describe('describeApplied', () => {
  it.each([
    [{ kind: 'sync' as const, results: [result('a', 'create'), result('b', 'update'), result('c', 'delete')] }, 'applied 2, deleted 1'],
    [{ kind: 'heal' as const, results: [result('a', 'update')] }, 'healed: applied 1, deleted 0'],
  ])('%j → %s', (report, text) => expect(describeApplied(report)).toBe(text));
});

describe('createApplyReporter', () => {
  const posted: unknown[] = [];
  const statuses: StatusPort = { post: async (s) => void posted.push(s) };
  const reporter = createApplyReporter({ statuses, logger: { debug() {}, info() {}, warn() {}, error() {}, child: () => { throw new Error('unused'); } } });
  const base = { revision: 'abc', planId: 'p', jobId: 'j' };

  it.each([
    ['all ok → apply success', { kind: 'sync' as const, results: [result('a', 'create')] }, { kind: 'apply', state: 'success', description: 'applied 1, deleted 0' }],
    [
      'one forbidden → apply failure naming it',
      { kind: 'sync' as const, results: [result('a', 'create'), result('b', 'create', 'forbidden')] },
      { kind: 'apply', state: 'failure', description: '1 of 2 failed: GlobalNetworkPolicy b: forbidden denied' },
    ],
    [
      'applied, but a conflict remains → apply failure naming it',
      {
        kind: 'sync' as const,
        results: [result('a', 'create')],
        skipped: [{ key: key('b'), kindId: 'GlobalNetworkPolicy' as const, wanted: 'update' as const, reason: 'not-owned' as const, message: 'GlobalNetworkPolicy b already exists' }],
      },
      { kind: 'apply', state: 'failure', description: 'applied 1, deleted 0; 1 conflict: GlobalNetworkPolicy b already exists' },
    ],
    ['a heal reports on the drift context', { kind: 'heal' as const, results: [result('a', 'update')] }, { kind: 'drift', state: 'success', description: 'healed: applied 1, deleted 0' }],
  ])('%s', async (_name, report, expected) => {
    posted.length = 0;
    await reporter.applied({ ...base, ...report });
    expect(posted).toEqual([{ sha: 'abc', ...expected }]);
  });

  it('a stalled failure is a failure, a transient one an error', async () => {
    posted.length = 0;
    await reporter.failed({ ...base, kind: 'sync', results: [], error: { name: 'ExecutorError', code: 'version-mismatch', message: 'cluster v3.31.2, image v3.31.1', disposition: 'stalled' } });
    await reporter.failed({ ...base, kind: 'sync', results: [], error: { name: 'KubeError', code: 'unreachable', message: 'api down', disposition: 'transient' } });
    expect(posted).toEqual([
      { sha: 'abc', kind: 'apply', state: 'failure', description: 'version-mismatch: cluster v3.31.2, image v3.31.1' },
      { sha: 'abc', kind: 'apply', state: 'error', description: 'unreachable: api down' },
    ]);
  });
});

describe('auditSinkFor', () => {
  const redis = new Redis();
  const prefix = `{cg-test-${randomBytes(4).toString('hex')}}`;
  afterAll(async () => {
    await redis.del(`${prefix}:audit`);
    redis.disconnect();
  });

  it('writes the workers entries to the audit stream, heals as heal', async () => {
    const log = new AuditLog({ redis, prefix, clock: { now: () => new Date('2026-11-24T10:00:00Z') } });
    const common = { time: '2026-11-24T10:00:00.000Z', revision: 'abc', author: 'Ana', jobId: 'j1', kindId: 'GlobalNetworkPolicy' as const, message: '' };
    await auditSinkFor(log).record([
      { ...common, kind: 'sync', action: 'create', resource: key('a'), afterHash: 'h1', outcome: 'ok' },
      { ...common, kind: 'sync', action: 'delete', resource: key('b'), beforeHash: 'h2', outcome: 'forbidden', message: 'denied' },
      { ...common, kind: 'heal', action: 'update', resource: key('c'), afterHash: 'h3', outcome: 'ok' },
    ]);
    const records = await log.read({ limit: 10 });
    expect(records.map((r) => [r.action, r.resource, r.result, r.beforeHash ?? r.afterHash, r.message ?? ''])).toEqual([
      ['heal', 'GlobalNetworkPolicy//c', 'ok', 'h3', ''],
      ['delete', 'GlobalNetworkPolicy//b', 'failed', 'h2', 'forbidden: denied'],
      ['create', 'GlobalNetworkPolicy//a', 'ok', 'h1', ''],
    ]);
  });
});
