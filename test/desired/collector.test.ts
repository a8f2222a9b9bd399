// The DocumentView contract rule functions rely on: lineOf and report, positions found lazily.
import { describe, expect, it } from 'vitest';
import { IssueCollector } from '../../agent/desired/collector.js';
import { DEFAULT_CALICO_VERSION, type JsonObject } from '../../agent/domain/index.js';

const content = `# header
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: p
spec:
  ingress:
    - action: Allow
      source:
        selector: "a == 'b' && c = 1"
`;

function view() {
  const collector = new IssueCollector(new Map([['p.yaml', content]]), 32);
  const value: JsonObject = { spec: { ingress: [{ action: 'Allow', source: { selector: "a == 'b' && c = 1" } }] } };
  return { collector, doc: collector.view({ file: 'p.yaml', document: 0, value, calicoVersion: DEFAULT_CALICO_VERSION }) };
}

describe('DocumentView', () => {
  it.each<[string, (string | number)[], 'key' | 'value' | undefined, { line: number; column: number }]>([
    ['a mapping value', ['metadata', 'name'], undefined, { line: 5, column: 9 }],
    ['a mapping key', ['metadata', 'name'], 'key', { line: 5, column: 3 }],
    ['a sequence item', ['spec', 'ingress', 0], undefined, { line: 8, column: 7 }],
    ['a nested scalar', ['spec', 'ingress', 0, 'source', 'selector'], undefined, { line: 10, column: 19 }],
    ['the nearest known ancestor of a missing node', ['spec', 'ingress', 0, 'destination', 'ports'], undefined, { line: 8, column: 7 }],
    ['the document root', [], undefined, { line: 2, column: 1 }],
  ])('lineOf finds %s', (_name, path, at, expected) => {
    expect(view().doc.lineOf(path, at ? { at } : undefined)).toEqual(expected);
  });

  it('report turns a path and an offset into file:line:column, severity error by default', () => {
    const { collector, doc } = view();
    doc.report({ path: ['spec', 'ingress', 0, 'source', 'selector'], message: 'bad', code: 'selector', offset: 14 });
    doc.report({ path: ['spec'], message: 'note', code: 'x', severity: 'warning', at: 'key' });
    expect(collector.resolve()).toEqual([
      { severity: 'error', file: 'p.yaml', line: 10, column: 34, path: 'spec.ingress[0].source.selector', message: 'bad', code: 'selector' },
      { severity: 'warning', file: 'p.yaml', line: 6, column: 1, path: 'spec', message: 'note', code: 'x' },
    ]);
  });
});
