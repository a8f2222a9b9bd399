import { describe, expect, it } from 'vitest';
import { isPolicyFile, parseIgnoreFile } from '../../agent/source/ignore-rules.js';

const rules = parseIgnoreFile(['# comment', '', 'drafts/', '*.draft.yaml', '!keep.draft.yaml', '/top.yaml', 'docs/**/example.yaml', 'tmp?.yml'].join('\n'));

describe('isPolicyFile', () => {
  it.each([
    ['a.yaml', true],
    ['a.yml', true],
    ['A.YAML', true],
    ['a.json', false],
    ['README.md', false],
    ['.hidden.yaml', false],
    ['.github/workflows/ci.yaml', false],
    ['ns/.tmp/a.yaml', false],
    ['drafts/a.yaml', false],
    ['ns/drafts/a.yaml', false],
    ['drafts.yaml', true],
    ['x.draft.yaml', false],
    ['ns/x.draft.yaml', false],
    ['keep.draft.yaml', true],
    ['top.yaml', false],
    ['ns/top.yaml', true],
    ['docs/example.yaml', false],
    ['docs/a/b/example.yaml', false],
    ['docs/a/other.yaml', true],
    ['tmp1.yml', false],
    ['tmp12.yml', true],
  ])('%s → %s', (path, expected) => {
    expect(isPolicyFile(path, rules)).toBe(expected);
  });

  // Full gitignore syntax now (the `ignore` package): character classes and escaped `#`.
  it.each([
    ['[abc].yaml', 'a.yaml', false],
    ['[abc].yaml', 'd.yaml', true],
    ['\\#literal.yaml', '#literal.yaml', false],
    ['ns-[0-9]/', 'ns-1/a.yaml', false],
    ['ns-[0-9]/', 'ns-x/a.yaml', true],
  ])('rule %s: %s → %s', (rule, path, expected) => {
    expect(isPolicyFile(path, parseIgnoreFile(rule))).toBe(expected);
  });

  it('without rules keeps every visible YAML file', () => {
    expect(isPolicyFile('drafts/a.yaml')).toBe(true);
  });
});
