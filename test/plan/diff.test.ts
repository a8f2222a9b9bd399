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

describe('diffManifests of a 10,000-net NetworkSet changed at both ends', () => {
  it('shows exactly the two changed nets, every other line unchanged', () => {
    const nets = Array.from({ length: 10_000 }, (_, i) => `10.${Math.floor(i / 256) % 256}.${i % 256}.0/24`);
    const set = (list: string[]) => ({ apiVersion: 'projectcalico.org/v3', kind: 'NetworkSet', metadata: { name: 'big', namespace: 'ns' }, spec: { nets: list } });
    const lines = diffManifests(set(nets), set(['192.168.0.0/24', ...nets.slice(1, -1), '192.168.255.0/24']));
    expect(lines.filter((l) => l.op !== ' ')).toEqual([
      { op: '-', text: `    - ${nets[0] ?? ''}` },
      { op: '+', text: '    - 192.168.0.0/24' },
      { op: '-', text: `    - ${nets[9_999] ?? ''}` },
      { op: '+', text: '    - 192.168.255.0/24' },
    ]);
    expect(lines.filter((l) => l.op === ' ')).toHaveLength(lines.length - 4);
  });
});
