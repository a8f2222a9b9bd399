import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../agent/domain/runtime.js';
import { isRedisConnectionError, redisErrorLogger } from '../../agent/queue/redis-error-log.js';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });
const named = (message: string, name: string) => Object.assign(new Error(message), { name });

describe('isRedisConnectionError', () => {
  it.each([
    ['refused', withCode('connect ECONNREFUSED 127.0.0.1:6379', 'ECONNREFUSED'), true],
    ['reset', withCode('read ECONNRESET', 'ECONNRESET'), true],
    ['closed', new Error('Connection is closed.'), true],
    ['offline queue off', new Error("Stream isn't writeable and enableOfflineQueue options is false"), true],
    ['max retries', named('Reached the max retries per request limit (which is 1).', 'MaxRetriesPerRequestError'), true],
    ['job vanished', new Error('Missing key for job sync-a-b. moveToDelayed'), false],
    ['wrong password', new Error('WRONGPASS invalid username-password pair or user is disabled.'), false],
  ])('%s', (_what, err, expected) => {
    expect(isRedisConnectionError(err)).toBe(expected);
  });
});

describe('redisErrorLogger', () => {
  function setup() {
    let now = 0;
    const clock: Clock = { now: () => new Date(now) };
    const lines: { level: number; msg: string }[] = [];
    const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) });
    const onError = redisErrorLogger({ log, where: 'redis.example:6380', what: 'queue', clock });
    return { onError, lines, advance: (ms: number) => void (now += ms) };
  }

  it('logs a reconnect storm once per 30 s, and a different problem at once', () => {
    const { onError, lines, advance } = setup();
    for (let i = 0; i < 40; i++) {
      onError(withCode('connect ECONNREFUSED 10.0.0.1:6380', 'ECONNREFUSED'));
      advance(1_000);
    }
    onError(new Error('Missing key for job j1. moveToFinished'));
    advance(15_000);
    onError(withCode('connect ECONNREFUSED 10.0.0.1:6380', 'ECONNREFUSED'));
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [50, 'queue: Redis at redis.example:6380 is unavailable (ECONNREFUSED); reconnecting, no job is lost'],
      [50, 'queue: Redis at redis.example:6380 is unavailable (ECONNREFUSED); reconnecting, no job is lost'],
      [50, 'queue: Redis at redis.example:6380 answered with an error: Missing key for job j1. moveToFinished'],
      [50, 'queue: Redis at redis.example:6380 is unavailable (ECONNREFUSED); reconnecting, no job is lost'],
    ]);
  });
});
