import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../agent/report/audit-log.js';
import { captureLogger } from '../source/capture-logger.js';
import { connectTestRedis, type TestRedis } from './redis-helper.js';

let r: TestRedis;
beforeAll(async () => {
  r = await connectTestRedis();
});
afterAll(async () => r.cleanup());

const clock = { now: () => new Date('2026-11-24T12:00:00.000Z') };
const base = { revision: 'a'.repeat(40), author: 'Ann <ann@example.test>', jobId: 'sync-prod-aaaa-1234', result: 'ok' as const };

describe('AuditLog', () => {
  it('appends to a capped stream and reads newest first, with filters', async () => {
    const log = new AuditLog({ redis: r.redis, prefix: r.prefixFor('a'), clock });
    const ids = await log.append([
      { ...base, action: 'create', resource: 'GlobalNetworkPolicy//allow-ssh', afterHash: 'h1' },
      { ...base, action: 'create', resource: 'NetworkPolicy/test1/deny', afterHash: 'h2' },
    ]);
    await log.append([{ ...base, action: 'update', resource: 'GlobalNetworkPolicy//allow-ssh', beforeHash: 'h1', afterHash: 'h3' }]);
    await log.append([{ ...base, action: 'delete', resource: 'NetworkPolicy/test1/deny', beforeHash: 'h2', result: 'failed', message: 'forbidden' }]);

    const all = await log.read();
    expect(all.map((e) => `${e.action} ${e.resource}`)).toEqual([
      'delete NetworkPolicy/test1/deny',
      'update GlobalNetworkPolicy//allow-ssh',
      'create NetworkPolicy/test1/deny',
      'create GlobalNetworkPolicy//allow-ssh',
    ]);
    expect(all[0]).toMatchObject({ result: 'failed', message: 'forbidden', beforeHash: 'h2', time: '2026-11-24T12:00:00.000Z', jobId: base.jobId, author: base.author });
    expect(all[0]).not.toHaveProperty('afterHash');
    expect(all[3]?.id).toBe(ids[0]);

    const ssh = await log.read({ resource: 'GlobalNetworkPolicy//allow-ssh' });
    expect(ssh.map((e) => e.action)).toEqual(['update', 'create']);
    expect((await log.read({ limit: 1 })).map((e) => e.action)).toEqual(['delete']);
    expect((await log.read({ sinceId: ids[1] })).map((e) => e.action)).toEqual(['delete', 'update']);
    expect((await log.read({ beforeId: all[1]?.id })).map((e) => e.action)).toEqual(['create', 'create']);
  });

  it('finds a resource past the first page and keeps the stream capped', async () => {
    const log = new AuditLog({ redis: r.redis, prefix: r.prefixFor('b'), clock, maxLen: 1000 });
    await log.append([{ ...base, action: 'rollback', resource: 'Tier//security' }]);
    await log.append(Array.from({ length: 3000 }, (_, i) => ({ ...base, action: 'heal' as const, resource: `NetworkSet/ns/set-${i}` })));
    // MAXLEN ~ trims in whole macro nodes: about 1000, never the full 3001.
    expect(await r.redis.xlen(log.key)).toBeLessThan(1200);
    const log2 = new AuditLog({ redis: r.redis, prefix: r.prefixFor('c'), clock });
    await log2.append([{ ...base, action: 'rollback', resource: 'Tier//security' }]);
    await log2.append(Array.from({ length: 1200 }, (_, i) => ({ ...base, action: 'heal' as const, resource: `NetworkSet/ns/set-${i}` })));
    expect((await log2.read({ resource: 'Tier//security' })).map((e) => e.action)).toEqual(['rollback']);
  });

  it('carries cluster, subject, field manager and rolled-back commits, filters by sha and time, and logs each entry once', async () => {
    const logged: string[] = [];
    const logger = captureLogger(logged);
    const log = new AuditLog({ redis: r.redis, prefix: r.prefixFor('d'), clock, cluster: 'prod', logger });
    const other = 'b'.repeat(40);
    await log.append([
      { ...base, action: 'heal', resource: 'NetworkPolicy/test1/deny', beforeHash: 'h9', afterHash: 'h2', fieldManager: 'kubectl-edit' },
      { ...base, revision: other, subject: 'Revert "open 8080"', action: 'rollback', resource: 'GlobalNetworkPolicy//web', afterHash: 'h5', rollbackOf: ['c'.repeat(40), 'd'.repeat(40)] },
    ]);
    const all = await log.read();
    expect(all[0]).toMatchObject({ cluster: 'prod', action: 'rollback', subject: 'Revert "open 8080"', rollbackOf: ['c'.repeat(40), 'd'.repeat(40)] });
    expect(all[1]).toMatchObject({ cluster: 'prod', action: 'heal', fieldManager: 'kubectl-edit', beforeHash: 'h9', afterHash: 'h2' });
    expect(all[1]).not.toHaveProperty('rollbackOf');

    expect((await log.read({ revision: 'BBBBBB' })).map((e) => e.action)).toEqual(['rollback']);
    expect((await log.read({ revision: 'a'.repeat(40) })).map((e) => e.action)).toEqual(['heal']);
    expect(await log.read({ since: new Date(Date.now() + 60_000) })).toEqual([]);
    expect(await log.read({ since: new Date(Date.now() - 60_000) })).toHaveLength(2);

    const lines = logged.map((l) => JSON.parse(l.slice('info '.length, l.lastIndexOf('}') + 1)) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ audit: true, cluster: 'prod', action: 'rollback', resource: 'GlobalNetworkPolicy//web', revision: other, auditId: all[0]?.id });
  });
});
