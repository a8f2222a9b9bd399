import { describe, expect, it } from 'vitest';
import { resultsError, settle } from '../../agent/apply/settle.js';
import type { ApplyResult } from '../../agent/domain/job.js';
import type { StepResult } from '../../agent/domain/state.js';

const error = (disposition: 'stalled' | 'transient' | 'waiting') => ({ name: 'ExecutorError', code: 'x', message: 'boom', disposition });
const failed = (disposition: 'stalled' | 'transient' | 'waiting'): ApplyResult => ({ kind: 'failed', error: error(disposition), results: [] });

describe('settle', () => {
  it.each<[string, ApplyResult, boolean, 'result' | 'retry']>([
    ['applied is a result', { kind: 'applied', results: [], skipped: [] }, false, 'result'],
    ['superseded is a result', { kind: 'superseded', latest: 'b' }, false, 'result'],
    ['a stalled failure is final at once', failed('stalled'), false, 'result'],
    ['a transient failure retries', failed('transient'), false, 'retry'],
    ['a waiting failure retries', failed('waiting'), false, 'retry'],
    ['a transient failure on the last attempt is final', failed('transient'), true, 'result'],
  ])('%s', (_name, outcome, lastAttempt, expected) => {
    const { settled } = settle({ outcome, lastAttempt });
    expect(Object.keys(settled)).toEqual([expected]);
  });
});

const r = (name: string, outcome: StepResult['outcome']): StepResult => ({ key: `GlobalNetworkPolicy//${name}` as StepResult['key'], action: 'create', outcome, message: `said ${outcome}` });

describe('resultsError', () => {
  it.each<[string, StepResult[], { code: string; disposition: string; message: string }]>([
    ['forbidden is stalled and names the object once', [r('a', 'forbidden')], { code: 'forbidden', disposition: 'stalled', message: 'GlobalNetworkPolicy a: said forbidden' }],
    ['invalid wins over an earlier conflict', [r('a', 'conflict'), r('b', 'invalid')], { code: 'invalid', disposition: 'stalled', message: 'GlobalNetworkPolicy b: said invalid (and 1 more)' }],
    ['a conflict alone is transient', [r('a', 'conflict'), r('b', 'not-run')], { code: 'conflict', disposition: 'transient', message: 'GlobalNetworkPolicy a: said conflict' }],
  ])('%s', (_name, results, expected) => expect(resultsError(results)).toMatchObject(expected));
});
