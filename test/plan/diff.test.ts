import { describe, expect, it } from 'vitest';
import { canonicalYaml, diffLines, diffManifests, withContext } from '../../agent/plan/diff.js';
import { OWNER_ANNOTATION, REVISION_ANNOTATION } from '../../agent/domain/ownership.js';
import { manifest } from './helpers.js';

describe('diffLines', () => {
  it.each([
    [[], [], ''],
    [['a'], ['a'], ' a'],
    [['a', 'b', 'c'], ['a', 'x', 'c'], ' a|-b|+x| c'],
    [['a'], [], '-a'],
    [[], ['a', 'b'], '+a|+b'],
    [['a', 'b', 'c', 'd'], ['a', 'c', 'd', 'e'], ' a|-b| c| d|+e'],
    [['x', 'a', 'b'], ['a', 'b', 'y'], '-x| a| b|+y'],
  ])('%j → %j', (a, b, want) => {
    expect(diffLines(a, b).map((l) => `${l.op}${l.text}`).join('|')).toBe(want);
  });
});

describe('diffManifests', () => {
  const before = manifest('GlobalNetworkPolicy', 'p', { selector: 'all()', order: 10 });
  const after = manifest('GlobalNetworkPolicy', 'p', { selector: 'all()', order: 20 });

  it('shows only the changed field of an update', () => {
    const changed = diffManifests(before, after).filter((l) => l.op !== ' ');
    expect(changed).toEqual([
      { op: '-', text: '  order: 10' },
      { op: '+', text: '  order: 20' },
    ]);
  });

  it('ignores bookkeeping annotations and key order', () => {
    const annotated = {
      ...after,
      metadata: { ...after.metadata, annotations: { [OWNER_ANNOTATION]: 'x', [REVISION_ANNOTATION]: 'y' } },
      spec: { order: 10, selector: 'all()' },
    };
    expect(diffManifests(before, annotated).every((l) => l.op === ' ')).toBe(true);
  });

  it('prints canonical YAML with sorted keys', () => {
    expect(canonicalYaml(after).split('\n').slice(0, 4)).toEqual(['apiVersion: projectcalico.org/v3', 'kind: GlobalNetworkPolicy', 'metadata:', '  name: p']);
  });

  it('a create is all additions', () => {
    expect(diffManifests(undefined, after).every((l) => l.op === '+')).toBe(true);
  });
});

describe('withContext', () => {
  it('keeps context lines around changes and marks gaps', () => {
    const lines = diffLines(['1', '2', '3', '4', '5', '6', '7', '8'], ['1', '2', '3', '4', '5', '6', '7', 'X']);
    const shown = withContext(lines, 1).map((l) => (l.op === 'gap' ? `…${l.skipped}` : `${l.op}${l.text}`));
    expect(shown).toEqual(['…6', ' 7', '-8', '+X']);
  });
});
