import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { load } from 'js-yaml';
import { matchesLabels, parseSelector } from '../../../agent/desired/selector/index.js';

interface EvaluationCase {
  selector: string;
  match: Record<string, string>[];
  noMatch: Record<string, string>[];
}

const cases = load(
  readFileSync(new URL('../../fixtures/desired/selectors/evaluation.yaml', import.meta.url), 'utf8'),
) as EvaluationCase[];

describe('matchesLabels (fixture test/fixtures/desired/selectors/evaluation.yaml)', () => {
  it('has cases', () => {
    expect(cases.length).toBeGreaterThan(15);
  });

  it.each(cases.map((c) => [c.selector, c] as const))('%j', (_name, c) => {
    const r = parseSelector(c.selector, { context: 'endpoint' });
    if (!r.ok) throw new Error(r.message);
    for (const labels of c.match) expect(matchesLabels(r.ast, labels), JSON.stringify(labels)).toBe(true);
    for (const labels of c.noMatch) expect(matchesLabels(r.ast, labels), JSON.stringify(labels)).toBe(false);
  });
});
