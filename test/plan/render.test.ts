import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../agent/plan/build-plan.js';
import { renderPlan, summaryLine } from '../../agent/plan/render.js';
import { desired, desiredState, live, liveView, OWNED } from './helpers.js';

const allow = { selector: 'all()', ingress: [{ action: 'Allow' }] };
const deny = { selector: 'all()', ingress: [{ action: 'Deny' }] };

const plan = buildPlan({
  desired: desiredState(
    desired('GlobalNetworkPolicy', 'new-a', allow),
    desired('GlobalNetworkPolicy', 'new-b', allow),
    desired('NetworkPolicy', 'new-c', allow, 'test1'),
    desired('GlobalNetworkPolicy', 'changed', allow),
    desired('GlobalNetworkPolicy', 'same', allow),
    desired('GlobalNetworkPolicy', 'theirs', allow),
  ),
  live: liveView([
    live('GlobalNetworkPolicy', 'changed', deny, OWNED),
    live('GlobalNetworkPolicy', 'same', allow, OWNED),
    live('GlobalNetworkPolicy', 'theirs', deny),
  ]),
  revision: 'abc',
  instance: 'calico-gitops',
  adopt: false,
  deleteBudgetPercent: 25,
});

describe('renderPlan', () => {
  it('summarizes like the issue asks', () => {
    expect(summaryLine(plan)).toBe('3 to create, 1 to update, 0 to delete');
  });

  it('prints plain text without colours', () => {
    const text = renderPlan(plan, { color: false });
    expect(text).not.toContain('\u001b[');
    expect(text).toContain('+ create GlobalNetworkPolicy new-a');
    expect(text).toContain('~ update GlobalNetworkPolicy changed');
    expect(text).toMatch(/^ {4}- +- action: Deny$/m);
    expect(text).toMatch(/^ {4}\+ +- action: Allow$/m);
    expect(text).toMatch(/! skipped update GlobalNetworkPolicy theirs \(not-owned\): .*not managed by calico-gitops/);
    expect(text.trimEnd().split('\n').at(-1)).toBe('3 to create, 1 to update, 0 to delete (1 unchanged, 1 skipped)');
    // Bookkeeping annotations are written but not shown in diffs.
    expect(text).not.toContain('calico-gitops.io/');
  });

  it('colours additions green and removals red when asked', () => {
    const text = renderPlan(plan, { color: true });
    expect(text).toContain('\u001b[32m    +     - action: Allow\u001b[0m');
    expect(text).toContain('\u001b[31m    -     - action: Deny\u001b[0m');
  });

  it('can print one line per resource', () => {
    const text = renderPlan(plan, { color: false, diffs: false });
    expect(text).not.toContain('action:');
  });

  it('says why a plan is held', () => {
    const held = buildPlan({
      desired: desiredState(),
      live: liveView([], false),
      revision: 'abc',
      instance: 'calico-gitops',
      adopt: false,
      deleteBudgetPercent: 25,
    });
    expect(renderPlan(held, { color: false })).toContain('held (cache-unsynced): the live view of the cluster is not synced');
  });
});
