import { describe, expect, it } from 'vitest';
import { differences, verify, type LiveWatchPort } from '../../agent/executor/verify.js';
import type { PlanStep, ResourceKey } from '../../agent/domain/index.js';
import { step } from './steps.js';

class FakeLive implements LiveWatchPort {
  readonly objects = new Map<string, { hash: string }>();
  private readonly listeners = new Set<() => void>();
  get(key: ResourceKey) {
    return this.objects.get(key);
  }
  onChange(cb: () => void) {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }
  set(key: string, hash: string | undefined) {
    if (hash === undefined) this.objects.delete(key);
    else this.objects.set(key, { hash });
    for (const l of this.listeners) l();
  }
  get listening() {
    return this.listeners.size;
  }
}

const create = step('create', 'GlobalNetworkPolicy', 'a');
const update = step('update', 'NetworkPolicy', 'b', 'n');
const del = step('delete', 'HostEndpoint', 'h');

describe('differences', () => {
  it.each<[string, Record<string, string>, PlanStep[], string[]]>([
    ['all as intended', { [create.key]: create.hash, [update.key]: update.hash }, [create, update, del], []],
    ['created object missing', {}, [create], ['GlobalNetworkPolicy//a: absent']],
    ['old spec still live', { [update.key]: 'old' }, [update], [`NetworkPolicy/n/b: live spec hash old, expected ${update.hash}`]],
    ['deleted object still there', { [del.key]: 'x' }, [del], ['HostEndpoint//h: still present']],
  ])('%s', (_name, live, steps, expected) => {
    const view = { get: (k: ResourceKey) => (live[k] ? { hash: live[k] } : undefined) };
    expect(differences(steps, view).map((d) => `${d.key}: ${d.message}`)).toEqual(expected);
  });
});

describe('verify', () => {
  it('resolves as soon as the live view catches up, and unsubscribes', async () => {
    const live = new FakeLive();
    live.set(del.key, 'x');
    const pending = verify({ steps: [create, del], live, timeoutMs: 5_000 });
    setTimeout(() => live.set(create.key, create.hash), 10);
    setTimeout(() => live.set(del.key, undefined), 20);
    await expect(pending).resolves.toEqual({ ok: true, differing: [] });
    expect(live.listening).toBe(0);
  });

  it('on timeout says which resources differ', async () => {
    const live = new FakeLive();
    live.set(create.key, create.hash);
    const result = await verify({ steps: [create, update], live, timeoutMs: 50 });
    expect(result.ok).toBe(false);
    expect(result.differing).toEqual([{ key: update.key, message: 'absent' }]);
    expect(live.listening).toBe(0);
  });
});
