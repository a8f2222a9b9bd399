// The text scan that finds each document's first line must agree with the parser.
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../agent/desired/index.js';
import { documentLines, mayHaveAnchor, parseFile } from '../../agent/desired/parse/parse-file.js';

describe('documentLines', () => {
  it.each<[string, string, number[]]>([
    ['one document', 'a: 1\nb: 2\n', [0]],
    ['leading comments and blanks', '# c\n\n  # d\na: 1\n', [3]],
    ['explicit start', '---\na: 1\n', [1]],
    ['comment before the first marker', '# c\n---\n# d\na: 1\n---\nb: 1\n', [3, 5]],
    ['implicit then explicit', 'a: 1\n---\nb: 2\n', [0, 2]],
    ['content on the marker line', '--- {a: 1}\n--- !!str x\n', [0, 1]],
    ['empty documents', '---\n---\na: 1\n---\n', [0, 2, 3]],
    ['document end marker', 'a: 1\n...\n# next\nb: 1\n', [0, 3]],
    ['end then start', 'a: 1\n...\n---\nb: 1\n', [0, 3]],
    ['directive', '%YAML 1.2\n---\na: 1\n', [2]],
    ['block scalar with a "---" inside, indented', 'a: |\n  ---\n  x\n', [0]],
    ['CRLF line ends', 'a: 1\r\n---\r\nb: 2\r\n', [0, 2]],
  ])('%s', (_name, content, lines) => {
    expect(documentLines(content)).toEqual(lines);
    expect(yaml.loadAll(content)).toHaveLength(lines.length);
  });
});

describe('parseFile', () => {
  it('reads a file of comments as one empty document', () => {
    expect(parseFile({ path: 'c.yaml', content: '# nothing\n' }, DEFAULT_LIMITS)).toMatchObject({ documents: [{ index: 0, line: 1, value: null }], issues: [] });
  });

  it.each([
    ['without anchors (text scan)', 'a: 1\n---\n\n# x\nb: 2\n'],
    ['with anchors (listener)', 'a: &x 1\n---\n\n# x\nb: 2\n'],
    ['with bare CR line ends (listener)', 'a: 1\r---\r\r# x\rb: 2\r'],
  ])('gives document lines %s', (_name, content) => {
    expect(parseFile({ path: 'f.yaml', content }, DEFAULT_LIMITS).documents.map((d) => [d.index, d.line])).toEqual([
      [0, 1],
      [1, 5],
    ]);
  });
});

describe('mayHaveAnchor', () => {
  it.each<[string, boolean]>([
    ['a: &x 1', true],
    ['&x a: 1', true],
    ['- &item\n  a: 1', true],
    ['a: [&x 1]', true],
    ['a: {b: &x 1}', true],
    ['a: [1,&x 2]', true],
    ["selector: a == 'b' && c == 'd'", false],
    ['selector: has(a) &&has(b)', false],
    ['a: "x&y"', false],
    ['a: b&c', false],
    ['a: &', false],
    ['no ampersand', false],
  ])('%j -> %s', (text, expected) => {
    expect(mayHaveAnchor(text)).toBe(expected);
    // Never a false negative against what js-yaml would read as an anchor.
    if (!expected) expect(/(?:^|[\s,[{])&[^\s&]/m.test(text)).toBe(false);
  });
});
