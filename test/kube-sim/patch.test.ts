import { describe, expect, it } from 'vitest';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch.js';

describe('JSON merge patch (RFC 7386)', () => {
  it.each([
    [{ a: 1, b: { c: 2 } }, { b: { c: null, d: 3 } }, { a: 1, b: { d: 3 } }],
    [{ a: [1, 2] }, { a: [3] }, { a: [3] }],
    [{ a: 1 }, { a: null }, {}],
    [{}, { x: { y: 1 } }, { x: { y: 1 } }],
  ])('%j + %j = %j', (target, patch, expected) => {
    expect(mergePatch(target, patch)).toEqual(expected);
  });

  it('does not mutate its input', () => {
    const target = { a: { b: 1 } };
    mergePatch(target, { a: { b: 2 } });
    expect(target).toEqual({ a: { b: 1 } });
  });
});

describe('JSON patch (RFC 6902)', () => {
  it.each([
    [{ a: 1 }, [{ op: 'add', path: '/b', value: 2 }], { a: 1, b: 2 }],
    [{ a: [1, 3] }, [{ op: 'add', path: '/a/1', value: 2 }], { a: [1, 2, 3] }],
    [{ a: [1] }, [{ op: 'add', path: '/a/-', value: 2 }], { a: [1, 2] }],
    [{ a: 1 }, [{ op: 'replace', path: '/a', value: 5 }], { a: 5 }],
    [{ a: 1, b: 2 }, [{ op: 'remove', path: '/a' }], { b: 2 }],
    [{ a: { x: 1 } }, [{ op: 'move', from: '/a/x', path: '/b' }], { a: {}, b: 1 }],
    [{ a: 1 }, [{ op: 'copy', from: '/a', path: '/b' }], { a: 1, b: 1 }],
    [{ 'a/b': 1 }, [{ op: 'replace', path: '/a~1b', value: 2 }], { 'a/b': 2 }],
  ])('%j with %j = %j', (target, ops, expected) => {
    expect(jsonPatch(target, ops)).toEqual(expected);
  });

  it.each([
    [{ a: 1 }, [{ op: 'test', path: '/a', value: 2 }], 'testing value /a failed'],
    [{ a: 1 }, [{ op: 'remove', path: '/b' }], 'Unable to remove nonexistent key: b'],
    [{ a: 1 }, [{ op: 'replace', path: '/b', value: 1 }], 'replace operation does not apply'],
  ])('%j with %j fails: %s', (target, ops, message) => {
    expect(() => jsonPatch(target, ops)).toThrow(message);
  });
});

describe('strategic merge patch', () => {
  const pod = { spec: { containers: [{ name: 'a', image: 'a:1', env: [{ name: 'X', value: '1' }] }, { name: 'b', image: 'b:1' }] }, metadata: { finalizers: ['f1'] } };
  it.each([
    ['merges containers by name', { spec: { containers: [{ name: 'b', image: 'b:2' }] } }, { containers: [{ name: 'a', image: 'a:1', env: [{ name: 'X', value: '1' }] }, { name: 'b', image: 'b:2' }] }],
    ['deletes a container with $patch: delete', { spec: { containers: [{ name: 'a', $patch: 'delete' }] } }, { containers: [{ name: 'b', image: 'b:1' }] }],
    ['merges env by name inside a container', { spec: { containers: [{ name: 'a', env: [{ name: 'Y', value: '2' }] }] } }, { containers: [{ name: 'a', image: 'a:1', env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }] }, { name: 'b', image: 'b:1' }] }],
    ['orders by $setElementOrder', { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }] } }, { containers: [{ name: 'b', image: 'b:1' }, { name: 'a', image: 'a:1', env: [{ name: 'X', value: '1' }] }] }],
    ['replaces a list with $patch: replace', { spec: { containers: [{ name: 'c', image: 'c:1' }, { $patch: 'replace' }] } }, { containers: [{ name: 'c', image: 'c:1' }] }],
  ])('%s', (_what, patch, expectedSpec) => {
    expect((strategicMergePatch(pod, patch) as { spec: unknown }).spec).toEqual(expectedSpec);
  });

  it('merges finalizers as a set and deletes from primitive lists', () => {
    expect((strategicMergePatch(pod, { metadata: { finalizers: ['f2'] } }) as { metadata: unknown }).metadata).toEqual({ finalizers: ['f1', 'f2'] });
    expect((strategicMergePatch(pod, { metadata: { '$deleteFromPrimitiveList/finalizers': ['f1'] } }) as { metadata: unknown }).metadata).toEqual({ finalizers: [] });
  });

  it('replaces lists without a merge key (NetworkPolicy rules are atomic)', () => {
    const np = { spec: { ingress: [{ from: [{ podSelector: {} }] }, { ports: [{ port: 80 }] }] } };
    expect(strategicMergePatch(np, { spec: { ingress: [{ ports: [{ port: 443 }] }] } })).toEqual({ spec: { ingress: [{ ports: [{ port: 443 }] }] } });
  });
});
