// Whatever the input, buildDesiredState returns problems as data: it never throws, every issue
// has a position inside the file, and the state is empty exactly when there are errors.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildDesiredState } from '../../agent/desired/index.js';
import { compareIssues, DEFAULT_CALICO_VERSION, type SourceFile } from '../../agent/domain/index.js';

const validDir = fileURLToPath(new URL('../fixtures/desired/valid/', import.meta.url));
const corpus = readdirSync(validDir)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => readFileSync(validDir + f, 'utf8'));

function checkInvariants(files: SourceFile[]): void {
  const result = buildDesiredState({ files, calicoVersion: DEFAULT_CALICO_VERSION });
  expect(result.state.resources.size === 0 || result.errors.length === 0).toBe(true);
  const all = [...result.errors, ...result.warnings];
  for (const issue of all) {
    const file = files.find((f) => f.path === issue.file);
    if (!file) continue; // repository-wide problems have no file
    const lines = file.content.split(/\r\n|\r|\n/).length;
    expect(issue.line).toBeGreaterThanOrEqual(0);
    expect(issue.line).toBeLessThanOrEqual(lines + 1);
    expect(issue.message.length).toBeGreaterThan(0);
  }
  expect([...result.errors].sort(compareIssues)).toEqual(result.errors);
}

/** A valid file with a few random edits: lines dropped, duplicated, characters replaced. */
const mutated = fc
  .tuple(
    fc.constantFrom(...corpus),
    fc.array(fc.tuple(fc.nat(), fc.constantFrom('drop', 'dup', 'char', 'indent')), { minLength: 1, maxLength: 4 }),
    fc.constantFrom(' ', ':', '-', '[', '{', '&a ', '*a', '"', "'", '#', '!!', '\t', 'yes', '0x1F', '~', '?'),
  )
  .map(([text, edits, insert]) => {
    const lines = text.split('\n');
    for (const [n, kind] of edits) {
      const i = n % lines.length;
      const line = lines[i] ?? '';
      if (kind === 'drop') lines.splice(i, 1);
      else if (kind === 'dup') lines.splice(i, 0, line);
      else if (kind === 'indent') lines[i] = ` ${line}`;
      else lines[i] = line.slice(0, n % (line.length + 1)) + insert + line.slice((n % (line.length + 1)) + 1);
    }
    return lines.join('\n');
  });

describe('robustness', () => {
  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (content) => {
        checkInvariants([{ path: 'random.yaml', content }]);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on mutated valid files, and positions stay inside them', () => {
    fc.assert(
      fc.property(mutated, (content) => {
        checkInvariants([{ path: 'mutated.yaml', content }]);
      }),
      { numRuns: 400 },
    );
  });

  it.each([
    ['__proto__ key', 'apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata: {name: x}\nspec:\n  __proto__: {nets: [1]}\n  constructor: 1\n'],
    ['keys of every YAML type', 'apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata: {name: x}\nspec:\n  ? [a, b]\n  : 1\n  1: 2\n  null: 3\n'],
    ['an unknown tag', 'apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata: {name: !Ref x}\n'],
    ['a tab indentation', 'apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata:\n\tname: x\n'],
    ['a byte-order mark', '\uFEFFapiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata: {name: Bad}\n'],
  ])('reports %s as a problem', (_name, content) => {
    const result = buildDesiredState({ files: [{ path: 'x.yaml', content }], calicoVersion: DEFAULT_CALICO_VERSION });
    expect(result.errors.length).toBeGreaterThan(0);
    for (const e of result.errors) expect(e.line).toBeGreaterThan(0);
  });
});
