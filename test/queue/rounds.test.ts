import { describe, expect, it } from 'vitest';
import type { JobState } from '../../agent/domain/job.js';
import { nextRound, runsAgain } from '../../agent/queue/rounds.js';

const policy = { baseMs: 1_000, maxMs: 4_000 };
const failed: JobState = { id: 'j', state: 'settled', result: { kind: 'failed', error: { name: 'ExecutorError', code: 'pod', message: 'pods create: 500', disposition: 'transient' }, results: [] } };
const applied: JobState = { id: 'j', state: 'settled', result: { kind: 'applied', results: [], skipped: [] } };
const superseded: JobState = { id: 'j', state: 'settled', result: { kind: 'superseded', latest: 'c' } };

describe('nextRound', () => {
  it.each<[string, JobState, number, number, { number: number; after?: string }, number]>([
    ['after an apply (drift since): at once, round 1', applied, 1, 0, { number: 1 }, 0],
    ['after a skip (a flip-flop back): at once', superseded, 1, 0, { number: 1 }, 0],
    ['after a failed run: round 2 after the base pause', failed, 1, 0, { number: 2, after: 'pods create: 500' }, 1_000],
    ['the pause doubles each round', failed, 2, 0, { number: 3, after: 'pods create: 500' }, 2_000],
    ['and is capped', failed, 6, 0, { number: 7, after: 'pods create: 500' }, 4_000],
    ['time already waited counts', failed, 1, 600, { number: 2, after: 'pods create: 500' }, 400],
    ['a job BullMQ failed (stalled too often) is a failure too', { id: 'j', state: 'failed', reason: 'job stalled more than allowable limit' }, 1, 5_000, { number: 2, after: 'job stalled more than allowable limit' }, 0],
  ])('%s', (_what, previous, previousRound, elapsed, round, delayMs) => {
    expect(nextRound({ previous, previousRound, finishedAt: 10_000, now: 10_000 + elapsed, policy })).toEqual({ round, delayMs });
  });
});

describe('runsAgain', () => {
  const stalled: JobState = { id: 'j', state: 'settled', result: { kind: 'failed', error: { name: 'ExecutorError', code: 'forbidden', message: 'GlobalNetworkPolicy//a: forbidden', disposition: 'stalled' }, results: [] } };
  it.each<[string, JobState, boolean]>([
    ['a transient failure whose retries ran out: a new round', failed, true],
    ['a job BullMQ failed: a new round', { id: 'j', state: 'failed', reason: 'job stalled more than allowable limit' }, true],
    ['an applied plan needed again (drift, a flip-flop): again', applied, true],
    ['a superseded run: again', superseded, true],
    ['a stalled failure (forbidden): its failure stays the answer', stalled, false],
  ])('%s', (_what, previous, again) => {
    expect(runsAgain(previous)).toBe(again);
  });
});
