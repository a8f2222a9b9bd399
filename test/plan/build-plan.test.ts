import { describe, expect, it } from 'vitest';
import { buildPlan, type BuildPlanInput } from '../../agent/plan/build-plan.js';
import { OWNER_ANNOTATION, REVISION_ANNOTATION, SOURCE_ANNOTATION, SPEC_HASH_ANNOTATION } from '../../agent/domain/ownership.js';
import type { DesiredState, LiveView } from '../../agent/domain/state.js';
import { desired, desiredState, live, liveView, OWNED } from './helpers.js';

const allow = { selector: 'all()', ingress: [{ action: 'Allow' }] };
const deny = { selector: 'all()', ingress: [{ action: 'Deny' }] };

function plan(d: DesiredState, l: LiveView, extra: Partial<BuildPlanInput> = {}) {
  return buildPlan({ desired: d, live: l, revision: 'abc123', instance: 'calico-gitops', adopt: false, deleteBudgetPercent: 25, ...extra });
}

describe('buildPlan decisions', () => {
  const gnp = (spec: typeof allow) => desired('GlobalNetworkPolicy', 'p', spec);
  it.each([
    ['missing live → create', [gnp(allow)], [], { create: 1, update: 0, delete: 0, unchanged: 0, skipped: [] }],
    ['owned, same hash → unchanged', [gnp(allow)], [live('GlobalNetworkPolicy', 'p', allow, OWNED)], { create: 0, update: 0, delete: 0, unchanged: 1, skipped: [] }],
    ['owned, changed → update', [gnp(allow)], [live('GlobalNetworkPolicy', 'p', deny, OWNED)], { create: 0, update: 1, delete: 0, unchanged: 0, skipped: [] }],
    ['unowned, same key → not-owned conflict', [gnp(allow)], [live('GlobalNetworkPolicy', 'p', deny)], { create: 0, update: 0, delete: 0, unchanged: 0, skipped: ['not-owned'] }],
    ['unowned and equal → still a conflict (no adoption)', [gnp(allow)], [live('GlobalNetworkPolicy', 'p', allow)], { create: 0, update: 0, delete: 0, unchanged: 0, skipped: ['not-owned'] }],
    ['other instance → not-owned', [gnp(allow)], [live('GlobalNetworkPolicy', 'p', deny, { owner: 'other' })], { create: 0, update: 0, delete: 0, unchanged: 0, skipped: ['not-owned'] }],
    ['owned, not desired → delete (within budget of 4 owned)', [gnp(allow), desired('GlobalNetworkPolicy', 'b', allow), desired('GlobalNetworkPolicy', 'c', allow)],
      [live('GlobalNetworkPolicy', 'p', allow, OWNED), live('GlobalNetworkPolicy', 'b', allow, OWNED), live('GlobalNetworkPolicy', 'c', allow, OWNED), live('GlobalNetworkPolicy', 'gone', allow, OWNED)],
      { create: 0, update: 0, delete: 1, unchanged: 3, skipped: [] }],
    ['unowned, not desired → left alone, not reported', [], [live('GlobalNetworkPolicy', 'x', allow), live('GlobalNetworkPolicy', 'y', allow, { owner: 'other' })], { create: 0, update: 0, delete: 0, unchanged: 0, skipped: [] }],
  ])('%s', (_name, d, l, want) => {
    const p = plan(desiredState(...d), liveView(l));
    expect({
      create: p.steps.filter((s) => s.action === 'create').length,
      update: p.steps.filter((s) => s.action === 'update').length,
      delete: p.steps.filter((s) => s.action === 'delete').length,
      unchanged: p.unchanged,
      skipped: p.skipped.map((s) => s.reason),
    }).toEqual(want);
    expect(p.held).toBeUndefined();
  });

  it('adopts an unowned object when adopt is on, but never another instance\'s', () => {
    const d = desiredState(desired('GlobalNetworkPolicy', 'a', allow), desired('GlobalNetworkPolicy', 'b', allow));
    const l = liveView([live('GlobalNetworkPolicy', 'a', allow), live('GlobalNetworkPolicy', 'b', allow, { owner: 'other' })]);
    const p = plan(d, l, { adopt: true });
    expect(p.steps.map((s) => [s.action, s.key])).toEqual([['update', 'GlobalNetworkPolicy//a']]);
    expect(p.steps[0]?.manifest.metadata.annotations?.[OWNER_ANNOTATION]).toBe('calico-gitops');
    expect(p.skipped.map((s) => [s.key, s.reason])).toEqual([['GlobalNetworkPolicy//b', 'not-owned']]);
    expect(p.skipped[0]?.message).toContain('"other"');
  });

  it('tells how to adopt in the conflict message', () => {
    const p = plan(desiredState(desired('NetworkSet', 'n', { nets: ['10.0.0.0/8'] }, 'test1')), liveView([live('NetworkSet', 'n', { nets: [] }, { namespace: 'test1' })]));
    expect(p.skipped[0]).toMatchObject({ key: 'NetworkSet/test1/n', wanted: 'update', reason: 'not-owned' });
    expect(p.skipped[0]?.message).toMatch(/not managed by calico-gitops.*--adopt/);
  });

  it('writes bookkeeping annotations on creates and updates, keeping the user\'s own', () => {
    const d = desired('GlobalNetworkPolicy', 'p', allow);
    const withUser = { ...d, manifest: { ...d.manifest, metadata: { ...d.manifest.metadata, annotations: { team: 'net' } } } };
    const p = plan(desiredState(withUser), liveView([]));
    expect(p.steps[0]?.manifest.metadata.annotations).toEqual({
      team: 'net',
      [OWNER_ANNOTATION]: 'calico-gitops',
      [REVISION_ANNOTATION]: 'abc123',
      [SOURCE_ANNOTATION]: 'p.yaml',
      [SPEC_HASH_ANNOTATION]: d.hash,
    });
    // The input is untouched.
    expect(withUser.manifest.metadata.annotations).toEqual({ team: 'net' });
  });

  it('uses the instance name for ownership', () => {
    const l = liveView([live('GlobalNetworkPolicy', 'p', deny, { owner: 'blue' })]);
    const p = plan(desiredState(desired('GlobalNetworkPolicy', 'p', allow)), l, { instance: 'blue' });
    expect(p.steps.map((s) => s.action)).toEqual(['update']);
    expect(p.steps[0]?.before?.spec).toEqual(deny);
  });
});

describe('buildPlan safety', () => {
  it('plans nothing from an unsynced cache, even deletes and creates', () => {
    const p = plan(desiredState(desired('GlobalNetworkPolicy', 'new', allow)), liveView([live('GlobalNetworkPolicy', 'old', allow, OWNED)], false));
    expect(p.steps).toEqual([]);
    expect(p.held?.reason).toBe('cache-unsynced');
    expect(p.held?.message).toMatch(/not synced/);
  });

  const many = (n: number, owned = true) =>
    Array.from({ length: n }, (_, i) => live('GlobalNetworkPolicy', `p${String(i).padStart(2, '0')}`, allow, owned ? OWNED : {}));

  it.each([
    // [live owned, desired kept, extra input, held?]
    ['25% of 8 owned = 2 deletes allowed', 8, 6, {}, false],
    ['3 of 8 owned is over 25%', 8, 5, {}, true],
    ['trailer allowing 3 releases 3 deletes', 8, 5, { allowDeletes: 3 }, false],
    ['trailer allowing 2 does not release 3', 8, 5, { allowDeletes: 2 }, true],
    ['approval releases it', 8, 5, { approved: true }, false],
    ['a larger budget percent allows more', 8, 5, { deleteBudgetPercent: 50 }, false],
    ['mass delete of everything', 20, 0, {}, true],
    ['one delete from a small repository is allowed (the budget is at least 1)', 3, 2, {}, false],
    ['one delete of the only owned object is allowed', 1, 0, {}, false],
    ['two deletes of three owned are over budget', 3, 1, {}, true],
    ['deleting every owned object (two) is held whatever the budget', 2, 0, { deleteBudgetPercent: 100 }, true],
    ['deleting every owned object is held even with a 100% budget', 10, 0, { deleteBudgetPercent: 100 }, true],
    ['a 100% budget allows all but one', 10, 1, { deleteBudgetPercent: 100 }, false],
    ['deleting everything is released by approval', 2, 0, { approved: true }, false],
    ['mass delete released by the trailer', 20, 0, { allowDeletes: 20 }, false],
  ])('%s', (_name, ownedCount, kept, extra, held) => {
    const l = many(ownedCount);
    const d = desiredState(...l.slice(0, kept).map((r) => desired('GlobalNetworkPolicy', r.manifest.metadata.name, allow)));
    const p = plan(d, liveView(l), extra);
    expect(p.held?.reason).toBe(held ? 'delete-budget' : undefined);
    // Held plans keep their steps (to show and approve by id); nothing else changes.
    expect(p.steps.filter((s) => s.action === 'delete')).toHaveLength(ownedCount - kept);
    if (held) expect(p.held?.message).toContain(`Calico-GitOps-Allow-Delete: ${ownedCount - kept}`);
    if (held) expect(p.held?.message).toContain('calico-gitops approve');
    if (held) expect(p.held?.message).not.toMatch(/^(plan )?held/);
  });

  it('holds any HostEndpoint delete, whatever the share', () => {
    const l = [...many(19), live('HostEndpoint', 'node1-eth0', { node: 'node1', interfaceName: 'eth0' }, OWNED)];
    const d = desiredState(...many(19).map((r) => desired('GlobalNetworkPolicy', r.manifest.metadata.name, allow)));
    const p = plan(d, liveView(l));
    expect(p.held?.reason).toBe('delete-budget');
    expect(p.held?.message).toMatch(/HostEndpoint/);
    expect(plan(d, liveView(l), { allowDeletes: 1 }).held).toBeUndefined();
  });

  it('never deletes unowned objects, even when the repository is empty', () => {
    const p = plan(desiredState(), liveView(many(10, false)));
    expect(p.steps).toEqual([]);
    expect(p.held).toBeUndefined();
  });
});

describe('buildPlan order and id', () => {
  const d = desiredState(
    desired('HostEndpoint', 'h', { node: 'n', interfaceName: 'eth0' }),
    desired('NetworkPolicy', 'b', allow, 'ns'),
    desired('KubernetesNetworkPolicy', 'a', { podSelector: {} }, 'ns'),
    desired('Tier', 't', { order: 100 }),
    desired('GlobalNetworkPolicy', 'g', allow),
    desired('NetworkSet', 's', { nets: [] }, 'ns'),
    desired('GlobalNetworkSet', 'gs', { nets: [] }),
  );
  const l = liveView([
    ...['Tier', 'HostEndpoint', 'GlobalNetworkPolicy'].map((k) => live(k as 'Tier', `old-${k.toLowerCase()}`, {}, OWNED)),
    ...Array.from({ length: 30 }, (_, i) => live('GlobalNetworkSet', `keep${i}`, {}, { owner: 'someone-else' })),
  ]);

  it('orders creates by apply rank and deletes after, in reverse', () => {
    const p = plan(d, l, { approved: true });
    expect(p.steps.map((s) => `${s.action} ${s.key}`)).toEqual([
      'create Tier//t',
      'create GlobalNetworkSet//gs',
      'create NetworkSet/ns/s',
      'create GlobalNetworkPolicy//g',
      'create KubernetesNetworkPolicy/ns/a',
      'create NetworkPolicy/ns/b',
      'create HostEndpoint//h',
      'delete HostEndpoint//old-hostendpoint',
      'delete GlobalNetworkPolicy//old-globalnetworkpolicy',
      'delete Tier//old-tier',
    ]);
  });

  it('has a stable id that follows revision and steps', () => {
    const a = plan(d, l, { approved: true });
    expect(plan(d, l, { approved: true }).id).toBe(a.id);
    // Approval and the hold do not change what the plan does, so not its id either.
    expect(plan(d, l).id).toBe(a.id);
    expect(plan(d, l, { revision: 'other' }).id).not.toBe(a.id);
    expect(plan(desiredState(), l).id).not.toBe(a.id);
    expect(a.id).toMatch(/^[0-9a-f]{16}$/);
  });
});
