import { describe, expect, it } from 'vitest';
import type { CycleOutcome } from '../../agent/controller/cycle.js';
import { summarize } from '../../agent/controller/summarize.js';
import type { Plan, Snapshot } from '../../agent/domain/state.js';
import type { Issue } from '../../agent/domain/issue.js';

const snapshot: Snapshot = { revision: 'a1b2c3', author: 'Ana <ana@example.com>', message: 'policies', files: [] };
const plan = (over: Partial<Plan> = {}): Plan => ({ id: 'p1', revision: 'a1b2c3', steps: [], skipped: [], unchanged: 4, ...over });
const issue = (file: string, line: number, message: string): Issue => ({ severity: 'error', file, line, column: 3, path: 'spec.selector', message, code: 'selector' });
const step = (action: 'create' | 'update' | 'delete') =>
  ({ action, key: `GlobalNetworkPolicy//${action}`, kindId: 'GlobalNetworkPolicy', manifest: { apiVersion: 'v', kind: 'k', metadata: { name: 'n' }, spec: {} }, hash: 'h' }) as Plan['steps'][number];

const result = (action: 'create' | 'update' | 'delete') => ({ key: `GlobalNetworkPolicy//${action}` as never, action, outcome: 'ok' as const, message: '' });

describe('summarize', () => {
  it.each<[string, CycleOutcome, { statuses: unknown[]; retry?: unknown; level: string }]>([
    [
      'an invalid revision fails validate with the first file:line and a count',
      { kind: 'invalid', snapshot, resources: 0, errors: [issue('policies/a.yaml', 12, 'bad selector'), issue('policies/b.yaml', 3, 'unknown kind')] },
      { statuses: [{ kind: 'validate', state: 'failure', description: 'invalid: policies/a.yaml:12 bad selector (+1 more)' }], level: 'warn' },
    ],
    [
      'a whole-file problem names the file without a line',
      { kind: 'invalid', snapshot, resources: 0, errors: [issue('policies/b.yaml', 0, 'symbolic link: policy files must be regular files')] },
      { statuses: [{ kind: 'validate', state: 'failure', description: 'invalid: policies/b.yaml symbolic link: policy files must be regular files' }], level: 'warn' },
    ],
    [
      'a whole-repository problem prints no file and no line (its message names the repository)',
      { kind: 'invalid', snapshot, resources: 0, errors: [issue('', 0, 'repository https://git.example/p.git: policy files total more than the limit')] },
      { statuses: [{ kind: 'validate', state: 'failure', description: 'invalid: repository https://git.example/p.git: policy files total more than the limit' }], level: 'warn' },
    ],
    [
      'warnings of a valid revision reach its validate status',
      { kind: 'in-sync', snapshot, plan: plan(), resources: 4, warnings: [{ ...issue('policies/a.yaml', 7, 'egress rules have no effect'), severity: 'warning' }, { ...issue('policies/c.yaml', 2, 'x'), severity: 'warning' }] },
      {
        statuses: [
          { kind: 'validate', state: 'success', description: 'valid: 4 resources; 2 warnings: policies/a.yaml:7 egress rules have no effect (+1 more)' },
          { kind: 'apply', state: 'success', description: 'in sync: 4 resources' },
        ],
        level: 'info',
      },
    ],
    [
      'an in-sync revision succeeds on both contexts',
      { kind: 'in-sync', snapshot, plan: plan(), resources: 4 },
      {
        statuses: [
          { kind: 'validate', state: 'success', description: 'valid: 4 resources' },
          { kind: 'apply', state: 'success', description: 'in sync: 4 resources' },
        ],
        level: 'info',
      },
    ],
    [
      'an in-sync plan with a conflict fails apply and names the object',
      {
        kind: 'in-sync',
        snapshot,
        resources: 4,
        plan: plan({ skipped: [{ key: 'GlobalNetworkPolicy//web' as never, kindId: 'GlobalNetworkPolicy', wanted: 'update', reason: 'not-owned', message: 'GlobalNetworkPolicy web already exists in the cluster and is not managed by calico-gitops' }] }),
      },
      {
        statuses: [
          { kind: 'validate', state: 'success', description: 'valid: 4 resources' },
          { kind: 'apply', state: 'failure', description: '1 conflict: GlobalNetworkPolicy web already exists in the cluster and is not managed by calico-gitops' },
        ],
        level: 'warn',
      },
    ],
    [
      'an enqueued plan leaves apply pending with the counts',
      { kind: 'enqueued', snapshot, plan: plan({ steps: [step('create'), step('create'), step('delete')] }), resources: 6, created: true, job: { id: 'j', state: 'queued' } },
      {
        statuses: [
          { kind: 'validate', state: 'success', description: 'valid: 6 resources' },
          { kind: 'apply', state: 'pending', description: 'applying: 2 to create, 0 to update, 1 to delete' },
        ],
        retry: { disposition: 'waiting', afterMs: 2_000 },
        level: 'info',
      },
    ],
    [
      'a plan whose job failed for good (stalled) shows the failure, not pending, on every later poll',
      { kind: 'enqueued', snapshot, plan: plan({ steps: [step('create')] }), resources: 1, created: false, job: { id: 'j', state: 'settled', result: { kind: 'failed', results: [], error: { name: 'ExecutorError', code: 'forbidden', message: 'GlobalNetworkPolicy a: denied', disposition: 'stalled' } } } },
      {
        statuses: [
          { kind: 'validate', state: 'success', description: 'valid: 1 resources' },
          { kind: 'apply', state: 'failure', description: 'forbidden: GlobalNetworkPolicy a: denied' },
        ],
        level: 'error',
      },
    ],
    [
      'a job that ran out of retries on a transient failure is an error',
      { kind: 'enqueued', snapshot, plan: plan({ steps: [step('create')] }), resources: 1, created: false, job: { id: 'j', state: 'settled', result: { kind: 'failed', results: [], error: { name: 'KubeError', code: 'unreachable', message: 'api down', disposition: 'transient' } } } },
      {
        statuses: [
          { kind: 'validate', state: 'success', description: 'valid: 1 resources' },
          { kind: 'apply', state: 'error', description: 'unreachable: api down' },
        ],
        level: 'warn',
      },
    ],
    [
      'a job that ended without a result (its workers kept dying) is an error naming why',
      { kind: 'enqueued', snapshot, plan: plan({ steps: [step('create')] }), resources: 1, created: false, job: { id: 'j', state: 'failed', reason: 'job stalled more than allowable limit' } },
      {
        statuses: [
          { kind: 'validate', state: 'success', description: 'valid: 1 resources' },
          { kind: 'apply', state: 'error', description: 'job failed: job stalled more than allowable limit' },
        ],
        level: 'error',
      },
    ],
    [
      'an in-sync revision whose job applied it says what the job did',
      { kind: 'in-sync', snapshot, plan: plan(), resources: 4, job: { id: 'j', state: 'settled', result: { kind: 'applied', skipped: [], results: [result('create'), result('update'), result('delete'), { ...result('create'), outcome: 'not-run' }] } } },
      {
        statuses: [
          { kind: 'validate', state: 'success', description: 'valid: 4 resources' },
          { kind: 'apply', state: 'success', description: 'applied 2, deleted 1' },
        ],
        level: 'info',
      },
    ],
    [
      'an in-sync revision whose job applied the rest and a conflict remains fails apply, naming both',
      {
        kind: 'in-sync',
        snapshot,
        resources: 4,
        job: { id: 'j', state: 'settled', result: { kind: 'applied', skipped: [], results: [result('create')] } },
        plan: plan({ skipped: [{ key: 'GlobalNetworkPolicy//web' as never, kindId: 'GlobalNetworkPolicy', wanted: 'update', reason: 'not-owned', message: 'GlobalNetworkPolicy web already exists' }] }),
      },
      {
        statuses: [
          { kind: 'validate', state: 'success', description: 'valid: 4 resources' },
          { kind: 'apply', state: 'failure', description: 'applied 1, deleted 0; 1 conflict: GlobalNetworkPolicy web already exists' },
        ],
        level: 'warn',
      },
    ],
    [
      'a drifted applied revision keeps the apply status its job gave it (drift has its own context) and is not retried',
      { kind: 'drifted', snapshot, plan: plan({ steps: [step('update')] }), resources: 4, job: { id: 'j', state: 'settled', result: { kind: 'applied', skipped: [], results: [result('create'), result('update')] } } },
      {
        statuses: [
          { kind: 'validate', state: 'success', description: 'valid: 4 resources' },
          { kind: 'apply', state: 'success', description: 'applied 2, deleted 0' },
        ],
        level: 'info',
      },
    ],
    [
      'a drifted revision found in sync without a job of ours says in sync, and keeps its warnings',
      { kind: 'drifted', snapshot, plan: plan({ steps: [step('delete')] }), resources: 4, warnings: [{ ...issue('policies/a.yaml', 7, 'egress rules have no effect'), severity: 'warning' }] },
      {
        statuses: [
          { kind: 'validate', state: 'success', description: 'valid: 4 resources; 1 warning: policies/a.yaml:7 egress rules have no effect' },
          { kind: 'apply', state: 'success', description: 'in sync: 4 resources' },
        ],
        level: 'info',
      },
    ],
    [
      'a job in flight keeps apply as it is and looks again soon',
      { kind: 'busy', snapshot, resources: 3 },
      { statuses: [{ kind: 'validate', state: 'success', description: 'valid: 3 resources' }], retry: { disposition: 'waiting', afterMs: 1_000 }, level: 'info' },
    ],
    [
      'a budget hold keeps apply pending (saying how to release it) and is not retried',
      { kind: 'held', snapshot, resources: 1, plan: plan({ held: { reason: 'delete-budget', message: 'deletes 9 of 10 owned objects' } }) },
      {
        statuses: [
          { kind: 'validate', state: 'success', description: 'valid: 1 resources' },
          { kind: 'apply', state: 'pending', description: 'held: deletes 9 of 10 owned objects' },
        ],
        level: 'warn',
      },
    ],
    [
      'an unsynced cache keeps apply pending and retries',
      { kind: 'failed', snapshot, stage: 'live', error: { name: 'CacheNotSyncedError', code: 'cache-unsynced', message: 'not synced', disposition: 'waiting' } },
      { statuses: [{ kind: 'apply', state: 'pending', description: 'live: not synced' }], retry: { disposition: 'waiting' }, level: 'warn' },
    ],
    [
      'an unreachable git host posts nothing (no commit to post on) and retries',
      { kind: 'failed', stage: 'source', error: { name: 'SourceError', code: 'unreachable', message: 'host down', disposition: 'transient' } },
      { statuses: [], retry: { disposition: 'transient' }, level: 'warn' },
    ],
  ])('%s', (_name, outcome, expected) => {
    const summary = summarize(outcome);
    expect(summary.statuses).toEqual(expected.statuses);
    expect(summary.level).toBe(expected.level);
    expect(summary.retry).toEqual(expected.retry);
  });
});

describe('summarize: the impact status', () => {
  const impact = { ok: true as const, description: 'opens 3, closes 1 connections', intentsViolated: 0, url: 'https://agent.example/impact/a1b2c3' };
  it('follows the revision statuses, linking to its page', () => {
    const s = summarize({ kind: 'in-sync', snapshot, plan: plan(), resources: 4, impact });
    expect(s.statuses.map((x) => x.kind)).toEqual(['validate', 'apply', 'impact']);
    expect(s.statuses.at(-1)).toEqual({ kind: 'impact', state: 'success', description: 'opens 3, closes 1 connections', targetUrl: 'https://agent.example/impact/a1b2c3' });
  });
  it('is posted once for a drifted revision too', () => {
    const s = summarize({ kind: 'drifted', snapshot, plan: plan({ steps: [step('update')] }), resources: 4, impact });
    expect(s.statuses.filter((x) => x.kind === 'impact')).toHaveLength(1);
  });
  it('fails with the revision when an intent breaks, without a link when there is no public URL', () => {
    const s = summarize({ kind: 'invalid', snapshot, resources: 4, errors: [issue('.calico-gitops/intents.yaml', 5, 'intent "x" is violated')], impact: { ok: true, description: 'opens 1, closes 0 connections; 1 intent violated', intentsViolated: 1 } });
    expect(s.statuses.at(-1)).toEqual({ kind: 'impact', state: 'failure', description: 'opens 1, closes 0 connections; 1 intent violated' });
  });
  it('says when it could not be computed', () => {
    const s = summarize({ kind: 'in-sync', snapshot, plan: plan(), resources: 4, impact: { ok: false, message: 'pods is forbidden' } });
    expect(s.statuses.at(-1)).toEqual({ kind: 'impact', state: 'error', description: 'not computed: pods is forbidden' });
  });
  it('is not posted when the cycle did not get as far', () => {
    expect(summarize({ kind: 'busy', snapshot, resources: 4 }).statuses.map((x) => x.kind)).toEqual(['validate']);
  });
});
