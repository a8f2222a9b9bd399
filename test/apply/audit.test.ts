// The pipeline's audit entries written to the real Redis audit stream and read back.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { auditEntries } from '../../agent/apply/audit.js';
import { resourceKey } from '../../agent/domain/resource.js';
import type { PlanStep, StepResult } from '../../agent/domain/state.js';
import { queuePrefix } from '../../agent/queue/keys.js';
import { AuditLog } from '../../agent/report/audit-log.js';

const key = (name: string) => resourceKey('GlobalNetworkPolicy', undefined, name);
const step = (name: string, action: PlanStep['action'], hash: string): PlanStep => ({ action, key: key(name), kindId: 'GlobalNetworkPolicy', manifest: { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name }, spec: {} }, hash });
const result = (name: string, action: StepResult['action'], outcome: StepResult['outcome'], message = ''): StepResult => ({ key: key(name), action, outcome, message });

describe('auditEntries', () => {
  const redis = new Redis();
  const prefix = queuePrefix(`cg-test-${randomBytes(4).toString('hex')}`);
  afterAll(async () => {
    await redis.del(`${prefix}:audit`);
    redis.disconnect();
  });

  it('one entry per attempted change, with its hash and outcome; steps not run are left out', async () => {
    const log = new AuditLog({ redis, prefix, clock: { now: () => new Date('2026-11-24T10:00:00Z') } });
    await log.append(
      auditEntries({
        steps: [step('a', 'create', 'h1'), step('b', 'delete', 'h2'), step('c', 'update', 'h3')],
        results: [result('a', 'create', 'ok'), result('b', 'delete', 'forbidden', 'denied'), result('c', 'update', 'not-run')],
        revision: 'abc',
        author: 'Ana',
        jobId: 'j1',
        time: '2026-11-24T10:00:00.000Z',
      }),
    );
    const records = await log.read({ limit: 10 });
    expect(records.map((r) => [r.action, r.resource, r.result, r.beforeHash ?? r.afterHash, r.message ?? '', r.author, r.jobId])).toEqual([
      ['delete', 'GlobalNetworkPolicy//b', 'failed', 'h2', 'forbidden: denied', 'Ana', 'j1'],
      ['create', 'GlobalNetworkPolicy//a', 'ok', 'h1', '', 'Ana', 'j1'],
    ]);
  });

  it('a rollback: every entry is action rollback, names the reverted commits and carries the hash before and after', () => {
    const update: PlanStep = { ...step('a', 'update', 'h-after'), beforeHash: 'h-before' };
    const remove: PlanStep = { ...step('b', 'delete', 'h-live'), beforeHash: 'h-live' };
    const entries = auditEntries({
      steps: [update, remove],
      results: [result('a', 'update', 'ok', 'updated'), result('b', 'delete', 'ok', 'deleted')],
      revision: 'r2',
      author: 'Ops',
      subject: 'Revert "open 8080"',
      jobId: 'j2',
      time: '2026-11-24T10:00:00.000Z',
      rollbackOf: ['abc1234'],
    });
    expect(entries.map((e) => [e.action, e.resource, e.beforeHash, e.afterHash, e.message, e.rollbackOf, e.subject])).toEqual([
      ['rollback', 'GlobalNetworkPolicy//a', 'h-before', 'h-after', 'update: updated', ['abc1234'], 'Revert "open 8080"'],
      ['rollback', 'GlobalNetworkPolicy//b', 'h-live', undefined, 'delete: deleted', ['abc1234'], 'Revert "open 8080"'],
    ]);
  });
});
