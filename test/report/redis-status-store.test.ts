import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusContext } from '../../agent/report/commit-status.js';
import { redisKeys } from '../../agent/queue/keys.js';
import { RedisStatusStore } from '../../agent/report/redis-status-store.js';
import type { Clock } from '../../agent/domain/runtime.js';
import { connectTestRedis, type TestRedis } from './redis-helper.js';

let r: TestRedis;
beforeAll(async () => {
  r = await connectTestRedis();
});
afterAll(async () => r.cleanup());

/** A clock that moves one second per reading. */
function tickingClock(start = Date.UTC(2026, 10, 24, 12, 0, 0)): Clock {
  let t = start;
  return { now: () => new Date((t += 1000)) };
}

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

describe('RedisStatusStore', () => {
  it('keeps the latest status per commit and context, newest first', async () => {
    const store = new RedisStatusStore({ redis: r.redis, prefix: r.prefixFor('one'), cluster: 'prod', clock: tickingClock() });
    await store.post({ sha: A, context: statusContext('prod', 'validate'), state: 'success', description: 'valid' });
    await store.post({ sha: A, context: statusContext('prod', 'apply'), state: 'pending', description: 'applying' });
    await store.post({ sha: A, context: statusContext('prod', 'apply'), state: 'success', description: 'applied 2' });
    await store.post({ sha: B, context: statusContext('prod', 'validate'), state: 'failure', description: `invalid: ${'x'.repeat(300)}` });

    const all = await store.listStatuses();
    expect(all.map((s) => [s.sha[0], s.context.split('/')[2], s.state])).toEqual([
      ['b', 'validate', 'failure'],
      ['a', 'apply', 'success'],
      ['a', 'validate', 'success'],
    ]);
    expect(all[0]).toMatchObject({ cluster: 'prod', time: '2026-11-24T12:00:04.000Z' });
    expect([...(all[0]?.description ?? '')]).toHaveLength(140);

    expect((await store.listStatuses({ sha: A })).map((s) => s.description)).toEqual(['applied 2', 'valid']);
    expect(await store.listStatuses({ limit: 1 })).toHaveLength(1);
    expect(await store.listStatuses({ sha: 'c'.repeat(40) })).toEqual([]);
  });

  it('drops the oldest commits beyond the cap', async () => {
    const store = new RedisStatusStore({ redis: r.redis, prefix: r.prefixFor('cap'), cluster: 'prod', clock: tickingClock(), maxCommits: 2 });
    for (const c of ['1', '2', '3']) await store.post({ sha: c.repeat(40), context: 'calico-gitops/prod/apply', state: 'success', description: c });
    expect((await store.listStatuses()).map((s) => s.description)).toEqual(['3', '2']);
    expect(await r.redis.exists(redisKeys.statuses(r.prefixFor('cap'), '1'.repeat(40)))).toBe(0);
  });
});
