import { describe, expect, it } from 'vitest';
import { advanceDrift, EMPTY_MEMORY, forgiveFights, healable, type DriftMemory } from '../../agent/drift/episode.js';
import { nextAlert } from '../../agent/drift/alert-schedule.js';
import { driftAlert, driftStatus } from '../../agent/drift/describe.js';
import type { DriftEntry } from '../../agent/drift/types.js';
import type { ResourceKey } from '../../agent/domain/resource.js';

const key = (name: string) => `GlobalNetworkPolicy//${name}` as ResourceKey;
const entry = (name: string, manager = 'kubectl-edit', change: DriftEntry['change'] = 'modified'): DriftEntry => ({ key: key(name), kindId: 'GlobalNetworkPolicy', change, manager, appliedHash: 'h' });
const guard = { maxHeals: 2, windowMs: 60_000 };
const at = (s: number) => new Date(Date.UTC(2026, 11, 2, 6, 0, s));

function run(steps: { found: DriftEntry[]; s: number; revision?: string; checked?: ResourceKey[] }[], start: DriftMemory = EMPTY_MEMORY) {
  let memory = start;
  const transitions: string[] = [];
  let last;
  for (const st of steps) {
    last = advanceDrift(memory, { revision: st.revision ?? 'r1', checked: st.checked ?? 'all', found: st.found, now: at(st.s), guard });
    memory = last.memory;
    transitions.push(last.transition);
  }
  return { memory, transitions, last };
}

describe('advanceDrift', () => {
  it.each([
    ['nothing drifts', [{ found: [], s: 0 }], ['none']],
    ['an edit starts an episode, the heal ends it', [{ found: [entry('a')], s: 0 }, { found: [], s: 2 }], ['started', 'ended']],
    ['a second resource joins the episode', [{ found: [entry('a')], s: 0 }, { found: [entry('a'), entry('b')], s: 1 }, { found: [], s: 3 }], ['started', 'changed', 'ended']],
    ['the same drift seen again changes nothing', [{ found: [entry('a')], s: 0 }, { found: [entry('a')], s: 1 }], ['started', 'none']],
    ['an event check keeps what it did not look at', [{ found: [entry('a')], s: 0 }, { found: [], s: 1, checked: [key('b')] }], ['started', 'none']],
  ])('%s', (_what, steps, transitions) => {
    expect(run(steps).transitions).toEqual(transitions);
  });

  it('the fight guard: after maxHeals repairs in the window the next drift is not healed, naming the manager', () => {
    const steps = [0, 2, 4].flatMap((s) => [{ found: [entry('a', 'other-controller')], s }, { found: [], s: s + 1 }]).slice(0, -1);
    const { memory, last } = run(steps);
    expect(last?.fightingStarted.map((e) => e.key)).toEqual([key('a')]);
    expect(memory.fighting).toEqual({ [key('a')]: 'other-controller' });
    expect(healable(memory)).toEqual([]);
    expect(driftStatus(memory)).toEqual({ state: 'failure', description: 'drift: fighting with other-controller over GlobalNetworkPolicy/a' });
  });

  it('a drift still there when our heal finished is a new strike and a new heal, not the same drift', () => {
    let memory = run([{ found: [entry('a')], s: 0 }]).memory;
    const again = advanceDrift(memory, { revision: 'r1', checked: [key('a')], found: [entry('a', 'rogue')], now: at(2), guard, renewed: new Set([key('a')]) });
    expect(again.appeared.map((e) => e.key)).toEqual([key('a')]);
    expect(again.memory.strikes[key('a')]).toHaveLength(2);
    memory = again.memory;
    expect(advanceDrift(memory, { revision: 'r1', checked: [key('a')], found: [entry('a', 'rogue')], now: at(3), guard }).appeared).toEqual([]);
  });

  it('strikes outside the window do not count', () => {
    const steps = [0, 100, 200, 300].flatMap((s) => [{ found: [entry('a')], s }, { found: [], s: s + 1 }]);
    expect(run(steps).memory.fighting).toEqual({});
  });

  it('a new applied revision or a heal request resumes healing', () => {
    const fought: DriftMemory = { ...EMPTY_MEMORY, revision: 'r1', entries: { [key('a')]: entry('a') }, strikes: { [key('a')]: [1, 2, 3] }, fighting: { [key('a')]: 'x' } };
    const next = run([{ found: [entry('a')], s: 0, revision: 'r2' }], fought);
    expect(next.memory.fighting).toEqual({});
    // Drift that outlives a new applied revision is measured (and healed) against that one.
    expect(next.last?.appeared.map((e) => e.key)).toEqual([key('a')]);
    expect(forgiveFights(fought, [key('a')]).fighting).toEqual({});
    expect(forgiveFights(fought, [key('b')]).fighting).toEqual({ [key('a')]: 'x' });
    expect(healable(forgiveFights(fought))).toHaveLength(1);
  });
});

describe('driftStatus', () => {
  it.each([
    [[], { state: 'success', description: 'no drift' }],
    [[entry('allow-dns')], { state: 'failure', description: 'drift: GlobalNetworkPolicy/allow-dns modified by kubectl-edit' }],
    [[entry('b', 'calicoctl'), entry('a'), entry('c', 'x', 'deleted')], { state: 'failure', description: 'drift: GlobalNetworkPolicy/a modified by kubectl-edit, +2 more' }],
    [[{ ...entry('web'), key: 'NetworkPolicy/test1/web' as ResourceKey, change: 'disowned' as const, manager: 'kubectl-annotate' }], { state: 'failure', description: 'drift: NetworkPolicy/test1/web disowned by kubectl-annotate' }],
  ])('%j', (found, expected) => {
    expect(driftStatus(run([{ found, s: 0 }]).memory)).toEqual(expected);
  });
});

describe('nextAlert', () => {
  const interval = 10_000;
  it('one alert per episode, repeats at most every interval, fighting at once, resolved at the end', () => {
    let memory = {};
    const sent: string[] = [];
    let drift = EMPTY_MEMORY;
    const step = (found: DriftEntry[], s: number) => {
      const advance = advanceDrift(drift, { revision: 'r1', checked: 'all', found, now: at(s), guard });
      drift = advance.memory;
      const r = nextAlert(memory, { advance, nowMs: at(s).getTime(), intervalMs: interval });
      memory = r.memory;
      if (r.send) sent.push(`${s}:${r.send}`);
    };
    step([entry('a')], 0);
    step([entry('a'), entry('b')], 1);
    step([entry('a'), entry('b')], 5);
    step([entry('a'), entry('b')], 11);
    step([entry('a'), entry('b')], 12);
    step([], 13);
    step([], 30);
    expect(sent).toEqual(['0:firing', '11:repeat', '13:resolved']);
  });

  it('the alert lists every resource with its manager', () => {
    const { memory } = run([{ found: [entry('a'), entry('b', 'calicoctl', 'deleted')], s: 0 }]);
    const alert = driftAlert({ state: 'firing', cluster: 'prod', memory, episode: { id: 'e1', revision: 'r1abcdef' } });
    expect(alert.items.map((i) => `${i.resource} ${i.change} ${i.manager ?? ''}`)).toEqual(['GlobalNetworkPolicy/a modified kubectl-edit', 'GlobalNetworkPolicy/b deleted calicoctl']);
    expect(alert.text).toContain('• GlobalNetworkPolicy/a modified by kubectl-edit');
    expect(alert.text).toContain('• GlobalNetworkPolicy/b deleted');
  });
});
