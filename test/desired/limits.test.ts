// Hostile input: each limit gives a clear error with a position, never a crash or a hang.
import { describe, expect, it } from 'vitest';
import { buildDesiredState, DEFAULT_LIMITS, type Limits } from '../../agent/desired/index.js';
import { DEFAULT_CALICO_VERSION, type SourceFile } from '../../agent/domain/index.js';

const VALID = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata:
  name: ok
spec:
  nets: [10.0.0.0/8]
`;

function run(files: SourceFile[], limits?: Partial<Limits>) {
  return buildDesiredState({ files, calicoVersion: DEFAULT_CALICO_VERSION, ...(limits ? { limits } : {}) });
}

/** "Billion laughs": each level is a list of ten aliases to the previous level. */
function aliasBomb(levels: number): string {
  const lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  for (let i = 1; i <= levels; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]`);
  return `${lines.join('\n')}\n`;
}

describe('limits', () => {
  // File and repository sizes are the source's rule: test/source/select-files.test.ts, test/cli/validate-read-dir.test.ts.
  it.each([
    ['3 levels (1,110 expanded references)', 3],
    ['9 levels (a billion)', 9],
  ])('stops an alias bomb of %s', (_name, levels) => {
    const result = run([{ path: 'bomb.yaml', content: aliasBomb(levels) }]);
    expect(result.errors).toHaveLength(1);
    const [error] = result.errors;
    expect(error?.code).toBe('limit');
    expect(error?.message).toMatch(/^YAML aliases expand to more than 1000 references/);
    // The third level is where the count passes 1000 (10 + 100 + 1000 references).
    expect(error?.line).toBe(4);
  });

  it('allows ordinary anchor reuse within the limit', () => {
    const rules = Array.from({ length: 200 }, () => '    - *allow-web').join('\n');
    const content = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: reuse
spec:
  ingress:
    - &allow-web
      action: Allow
      protocol: TCP
      destination:
        ports: [80]
${rules}
`;
    const result = run([{ path: 'a.yaml', content }]);
    expect(result.errors).toEqual([]);
    const spec = [...result.state.resources.values()][0]?.manifest.spec;
    expect(Array.isArray(spec?.['ingress']) && spec['ingress'].length).toBe(201);
  });

  it.each([
    ['flow sequences', `${'['.repeat(40)}${']'.repeat(40)}`],
    ['flow mappings', `${'{a: '.repeat(40)}1${'}'.repeat(40)}`],
    ['block mappings', Array.from({ length: 40 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n') + ' 1'],
  ])('reports nesting deeper than maxDepth in %s', (_name, content) => {
    const result = run([{ path: 'deep.yaml', content }]);
    expect(result.errors.map((e) => [e.code, e.message])).toEqual([['limit-depth', `YAML nesting is deeper than the limit of ${DEFAULT_LIMITS.maxDepth} levels`]]);
    expect(result.errors[0]?.line).toBeGreaterThan(0);
  });

  it('turns a stack overflow from absurd nesting into an issue, even with the depth limit lifted', () => {
    const content = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const result = run([{ path: 'deeper.yaml', content }], { maxDepth: 1_000_000, maxFileBytes: 1_000_000 });
    expect(result.errors.map((e) => e.code)).toEqual(['limit-depth']);
  });

  it('limits documents per file', () => {
    const content = [VALID, VALID.replace('ok', 'ok2'), VALID.replace('ok', 'ok3')].join('---\n');
    const result = run([{ path: 'many.yaml', content }], { maxDocumentsPerFile: 2 });
    expect(result.errors.map((e) => [e.line, e.message])).toEqual([[15, 'file holds more than 2 documents']]);
  });
});
