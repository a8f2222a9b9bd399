import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { formatSelector, matchesLabels, parseSelector } from '../../../agent/desired/selector/index.js';
import type { SelectorNode } from '../../../agent/desired/selector/index.js';

const LABEL_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-'.split('');
const label = fc.string({ unit: fc.constantFrom(...LABEL_CHARS), minLength: 1, maxLength: 12 });
// Few distinct labels and values, so evaluation hits present, absent, equal and different.
const smallLabel = fc.constantFrom('app', 'tier', 'in', 'has', 'x.y/z', '9');
// A value holds any text but never both quote characters (Calico strings have no escapes), and
// never the text "global(" (Calico refuses it anywhere outside a rule's namespaceSelector).
const value = fc
  .oneof(fc.constantFrom('', 'web', 'db', 'a b', '"', "'", 'ü✓'), fc.string({ maxLength: 8 }))
  .filter((v) => !(v.includes('"') && v.includes("'")) && !v.includes('global('));

function node(labels: fc.Arbitrary<string>, values: fc.Arbitrary<string> = value): fc.Arbitrary<SelectorNode> {
  const { tree } = fc.letrec<{ tree: SelectorNode }>((tie) => ({
    tree: fc.oneof(
      { maxDepth: 4, depthIdentifier: 'sel' },
      fc.constant<SelectorNode>({ type: 'all' }),
      fc.record({ type: fc.constant('has' as const), label: labels }),
      fc.record({
        type: fc.constantFrom('eq', 'neq', 'contains', 'startsWith', 'endsWith'),
        label: labels,
        value: values,
      }),
      fc.record({ type: fc.constantFrom('in', 'notIn'), label: labels, values: fc.array(values, { maxLength: 4 }) }),
      fc.record({ type: fc.constant('not' as const), operand: tie('tree') }),
      fc.record({
        type: fc.constantFrom('and', 'or'),
        operands: fc.array(tie('tree'), { minLength: 2, maxLength: 3 }),
      }),
    ),
  }));
  return tree;
}

const labelSet = fc.dictionary(smallLabel, fc.constantFrom('', 'web', 'db', 'a b', '"', 'ü✓'), { maxKeys: 4 });

describe('selector properties', () => {
  it('format -> parse -> format is a fixed point', () => {
    fc.assert(
      fc.property(node(label), (ast) => {
        const text = formatSelector(ast);
        const r = parseSelector(text, { context: 'endpoint' });
        if (!r.ok) throw new Error(`${text}: ${r.message}`);
        expect(formatSelector(r.ast)).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });

  it('the parsed canonical text selects exactly what the tree selects', () => {
    fc.assert(
      fc.property(node(smallLabel), fc.array(labelSet, { minLength: 1, maxLength: 5 }), (ast, sets) => {
        const r = parseSelector(formatSelector(ast), { context: 'endpoint' });
        if (!r.ok) throw new Error(r.message);
        for (const labels of sets) expect(matchesLabels(r.ast, labels)).toBe(matchesLabels(ast, labels));
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws on arbitrary text, and an error offset lies within the text', () => {
    const alphabet = fc.constantFrom(...'ab =!&|(){},"\' \tinotcsaehwl\n%'.split(''));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: alphabet, maxLength: 40 })), (text) => {
        const r = parseSelector(text, { context: 'rule-namespace' });
        if (!r.ok) {
          expect(r.offset).toBeGreaterThanOrEqual(0);
          expect(r.offset).toBeLessThanOrEqual(text.length);
          expect(r.message).toContain(`offset ${r.offset}`);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('whitespace between tokens never changes the result', () => {
    // Values without operator text, so the rewrite below only touches the spaces between tokens.
    const plainValues = fc.constantFrom('', 'web', 'a-b', '"', "'", 'ü✓');
    fc.assert(
      fc.property(node(smallLabel, plainValues), fc.constantFrom(' ', '\t', '  '), (ast, space) => {
        const text = formatSelector(ast);
        // Widen every existing single space outside string values: operators are spaced already.
        const spaced = text.replace(/ (==|!=|&&|\|\||in \{|not in \{|contains|starts with|ends with) /g, `${space}$1${space}`);
        const r = parseSelector(`${space}${spaced}${space}`, { context: 'endpoint' });
        if (!r.ok) throw new Error(`${spaced}: ${r.message}`);
        expect(formatSelector(r.ast)).toBe(formatSelector((parseSelector(text, { context: 'endpoint' }) as { ast: SelectorNode }).ast));
      }),
      { numRuns: 500 },
    );
  });
});
