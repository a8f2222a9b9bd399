import { describe, it, expect } from 'vitest';
import { formatSelector, parseSelector } from '../../../agent/desired/selector/index.js';
import type { SelectorContext } from '../../../agent/desired/selector/index.js';

function canonical(text: string, context: SelectorContext = 'endpoint'): string {
  const r = parseSelector(text, { context });
  if (!r.ok) throw new Error(`expected ${JSON.stringify(text)} to parse, got: ${r.message}`);
  return formatSelector(r.ast);
}

describe('parseSelector: valid selectors and their canonical text', () => {
  it.each([
    ['', 'all()'],
    ['   ', 'all()'],
    ['\t', 'all()'],
    ['all()', 'all()'],
    [' all( ) ', 'all()'],
    ['( all() )', 'all()'],
    ['a == "b"', 'a == "b"'],
    ["a == 'b'", 'a == "b"'],
    ['a=="b"', 'a == "b"'],
    ["a!='b'", 'a != "b"'],
    ['a == ""', 'a == ""'],
    [`a == '"'`, `a == '"'`],
    [`a == "'"`, `a == "'"`],
    ['a == "x y && z"', 'a == "x y && z"'],
    ['app.kubernetes.io/name == "web"', 'app.kubernetes.io/name == "web"'],
    ['projectcalico.org/namespace == "test1"', 'projectcalico.org/namespace == "test1"'],
    ['-weird_label.0/x == "v"', '-weird_label.0/x == "v"'],
    ['9lives == "cat"', '9lives == "cat"'],
    ['has(role)', 'has(role)'],
    ['has( role )', 'has(role)'],
    ['!has(role)', '!has(role)'],
    ['!!has(role)', 'has(role)'],
    ['!!!has(role)', '!has(role)'],
    ['! ! has(role)', 'has(role)'],
    ['a contains "x"', 'a contains "x"'],
    ["a contains'x'", 'a contains "x"'],
    ['a starts with "x"', 'a starts with "x"'],
    ['a startswith "x"', 'a starts with "x"'],
    ['a starts  with "x"', 'a starts with "x"'],
    ['a ends with "x"', 'a ends with "x"'],
    ['a endswith "x"', 'a ends with "x"'],
    ['a in {"x"}', 'a in {"x"}'],
    ['a in{"x"}', 'a in {"x"}'],
    ['a in {}', 'a in {}'],
    ['a in {"x",}', 'a in {"x"}'],
    ['a in {"z", "a", "z", "m"}', 'a in {"a", "m", "z"}'],
    ['a not in {"x", "y"}', 'a not in {"x", "y"}'],
    ['a notin {"x"}', 'a not in {"x"}'],
    [`a in {"'", '"'}`, `a in {'"', "'"}`],
    ['in == "x"', 'in == "x"'],
    ['has == "x"', 'has == "x"'],
    ['all == "x"', 'all == "x"'],
    ['contains contains "x"', 'contains contains "x"'],
    ['a == "b" && c == "d"', '(a == "b" && c == "d")'],
    ['a == "b" || c == "d"', '(a == "b" || c == "d")'],
    ['a == "b" && c == "d" && e == "f"', '(a == "b" && c == "d" && e == "f")'],
    ['a == "b" || c == "d" && e == "f"', '(a == "b" || (c == "d" && e == "f"))'],
    ['(a == "b" || c == "d") && e == "f"', '((a == "b" || c == "d") && e == "f")'],
    ['(a == "b" && c == "d") && e == "f"', '((a == "b" && c == "d") && e == "f")'],
    ['! (has( b)||! has(a ))', '!(has(b) || !has(a))'],
    ['! (a == "b"&&! c != "d")', '!(a == "b" && !c != "d")'],
    ['!a == "b"', '!a == "b"'],
    ['((((has(a)))))', 'has(a)'],
    ['role == "db" && projectcalico.org/orchestrator == "k8s"', '(role == "db" && projectcalico.org/orchestrator == "k8s")'],
    ['a == "ünïcödé ✓"', 'a == "ünïcödé ✓"'],
  ])('%j -> %s', (input, expected) => {
    expect(canonical(input)).toBe(expected);
  });
});

describe('parseSelector: invalid selectors, with the offset of the problem', () => {
  it.each([
    ['app', 3, 'expected operator after label "app" at offset 3 (found end of selector)'],
    ['app ', 4, 'expected operator after label "app" at offset 4'],
    ['app web', 4, 'expected operator after label "app" at offset 4 (found "web")'],
    ['b == b', 5, 'expected a quoted string after "==" at offset 5 (found label "b")'],
    ['b contains b', 11, 'expected a quoted string after "contains" at offset 11'],
    ['b starts with b', 14, 'expected a quoted string after "starts with"'],
    ['b ends with b', 12, 'expected a quoted string after "ends with"'],
    ["'b1' == b", 0, 'expected a label, has(...), all(), "!" or "(" at offset 0 (found string "b1")'],
    ['!', 1, 'unexpected end of selector at offset 1'],
    ['foo == "bar" &', 13, 'expected "&&" at offset 13'],
    ['foo == "bar" |', 13, 'expected "||" at offset 13'],
    ['foo = "bar"', 4, 'expected "==" at offset 4'],
    ['foo != ||', 7, 'expected a quoted string after "!=" at offset 7 (found "||")'],
    ['foo in {"", ||', 12, 'expected a quoted string or "}" after "," at offset 12'],
    ['foo in ""', 7, 'expected "{" after "in" at offset 7 (found string "")'],
    ['foo not in "x"', 11, 'expected "{" after "not in" at offset 11'],
    ['foo in {,}', 8, 'expected a quoted string or "}" at offset 8 (found ",")'],
    ['foo in {"a" "b"}', 12, 'expected "," or "}" at offset 12 in the set opened at offset 7 (found string "b")'],
    ['foo in {"a"', 11, 'expected "," or "}" at offset 11 in the set opened at offset 7 (found end of selector)'],
    ['"FOO', 0, 'unterminated string starting at offset 0'],
    ['"FOO\'', 0, 'unterminated string starting at offset 0'],
    ["a == 'x", 5, 'unterminated string starting at offset 5'],
    ['a == "b" && c == "d', 17, 'unterminated string starting at offset 17'],
    ['(', 1, 'unexpected end of selector at offset 1'],
    ['(a == "foo"', 11, 'expected ")" at offset 11 to close "(" at offset 0 (found end of selector)'],
    ['(a == "foo" c', 12, 'expected ")" at offset 12 to close "(" at offset 0 (found label "c")'],
    [')', 0, 'expected a label, has(...), all(), "!" or "(" at offset 0 (found ")")'],
    ['()', 1, 'at offset 1 (found ")")'],
    ['has(a) )', 7, 'unexpected ")" at offset 7 with no matching "("'],
    ['%', 0, 'unexpected character "%" at offset 0'],
    ['a == "b" && %', 12, 'unexpected character "%" at offset 12'],
    ['a == "b" || %', 12, 'unexpected character "%" at offset 12'],
    ['a == "b" c == "d"', 9, 'expected "&&" or "||" at offset 9 (found label "c")'],
    ['has(foo) &&', 11, 'unexpected end of selector at offset 11'],
    ['has(foo) && && has(bar)', 12, 'found "&&"'],
    ['has()', 4, 'expected a label name inside has( at offset 4 (found ")")'],
    ['has(a', 5, 'expected ")" to close has( at offset 5 (found end of selector)'],
    ['has(a b)', 6, 'expected ")" to close has( at offset 6 (found "b")'],
    ['has (a)', 4, 'write has( without a space before the parenthesis'],
    ['all(x)', 4, 'expected ")" after all( at offset 4 (found "x")'],
    ['global(x)', 7, 'expected ")" after global( at offset 7'],
    ['a == "x"\n', 8, 'unexpected line break at offset 8'],
    ['a == "x" &&\nb == "y"', 11, 'spaces and tabs only'],
    ['a\r\n== "x"', 1, 'unexpected line break at offset 1'],
    ['a == "x" && é == "y"', 12, 'unexpected character "é" at offset 12'],
    ['a ∈ {"x"}', 2, 'expected operator after label "a" at offset 2 (found "∈")'],
    ['a inx {"x"}', 2, 'expected operator after label "a" at offset 2 (found "inx")'],
    ['a containsx "x"', 2, 'expected operator after label "a" at offset 2'],
    ['a not {"x"}', 2, 'expected operator after label "a" at offset 2 (found "not")'],
    ['a starts "x"', 2, 'expected operator after label "a" at offset 2'],
    ['a in {"x"} b', 11, 'expected "&&" or "||" at offset 11'],
    ['a == "x" !', 9, 'expected "&&" or "||" at offset 9 (found "!")'],
    ['a\u0000 == "x"', 1, 'found control character U+0000'],
    ['a not in x', 9, 'expected "{" after "not in" at offset 9 (found "x")'],
    ['a in x', 5, 'expected "{" after "in" at offset 5 (found label "x")'],
    ['a startswithb "x"', 2, 'expected operator after label "a" at offset 2 (found "startswithb")'],
  ])('%j fails at offset %i', (input, offset, message) => {
    const r = parseSelector(input, { context: 'endpoint' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.offset).toBe(offset);
    expect(r.message).toContain(message);
    // Every message names the offset it reports, so a reader of a plain log line can find it.
    expect(r.message).toContain(`offset ${offset}`);
  });
});

describe('parseSelector: limits', () => {
  it('with maxLength 1024 (Calico v3.33) accepts exactly 1024 characters and refuses 1025, pointing at the excess', () => {
    const fits = `a == "${'x'.repeat(1024 - 7)}"`;
    expect(fits.length).toBe(1024);
    expect(parseSelector(fits, { context: 'endpoint', maxLength: 1024 }).ok).toBe(true);
    const over = `a == "${'x'.repeat(1025 - 7)}"`;
    expect(parseSelector(over, { context: 'endpoint' }).ok).toBe(true);
    const r = parseSelector(over, { context: 'endpoint', maxLength: 1024 });
    expect(r).toMatchObject({ ok: false, offset: 1024 });
    if (!r.ok) expect(r.message).toContain('1025 characters long, more than the 1024 Calico allows');
  });

  it('counts characters, not UTF-16 units, against the 1024 limit', () => {
    const emoji = '😀'.repeat(1000); // 2000 UTF-16 units, 1000 characters
    expect(parseSelector(`a == "${emoji}"`, { context: 'endpoint', maxLength: 1024 }).ok).toBe(true);
  });

  it('refuses parentheses nested more than 1000 deep instead of overflowing the stack', () => {
    expect(parseSelector(`${'('.repeat(1000)}has(a)${')'.repeat(1000)}`, { context: 'endpoint' }).ok).toBe(true);
    const r = parseSelector(`${'('.repeat(100_000)}has(a)${')'.repeat(100_000)}`, { context: 'endpoint' });
    expect(r).toMatchObject({ ok: false, offset: 1000 });
    if (!r.ok) expect(r.message).toBe('parentheses nest more than 1000 deep at offset 1000');
  });

  it('accepts a 512-character label and refuses 513', () => {
    expect(parseSelector(`has(${'l'.repeat(512)})`, { context: 'endpoint' }).ok).toBe(true);
    const r = parseSelector(`x == "1" && ${'l'.repeat(513)} == "v"`, { context: 'endpoint' });
    expect(r).toMatchObject({ ok: false, offset: 12 });
    if (!r.ok) expect(r.message).toBe('label at offset 12 is longer than 512 characters');
  });

  it('handles deep nesting within the length limit without overflowing the stack', () => {
    const text = `${'('.repeat(500)}has(a)${')'.repeat(500)}`;
    expect(canonical(text)).toBe('has(a)');
    // Calico's String() would print 300 "!"; formatSelector folds negations in pairs.
    const neg = `${'!('.repeat(300)}has(a)${')'.repeat(300)}`;
    expect(canonical(neg)).toBe('has(a)');
    expect(canonical(`!(${neg})`)).toBe('!has(a)');
  });
});

describe('parseSelector: global() and the selector context', () => {
  it.each<[string, SelectorContext]>([
    ['global()', 'rule-namespace'],
    ['  global()  ', 'rule-namespace'],
    ['global( )', 'rule-namespace'],
    ['a == "b"', 'rule-namespace'],
    ['', 'rule-namespace'],
    ['all()', 'namespace'],
    ['has(x)', 'service-account'],
  ])('%j is allowed in a %s selector', (input, context) => {
    expect(parseSelector(input, { context }).ok).toBe(true);
  });

  it.each<[string, SelectorContext, number, string]>([
    ['global()', 'endpoint', 0, "global() at offset 0 is only allowed alone in a rule's namespaceSelector"],
    ['global()', 'namespace', 0, "global() at offset 0 is only allowed alone in a rule's namespaceSelector"],
    ['global()', 'service-account', 0, "global() at offset 0 is only allowed alone in a rule's namespaceSelector"],
    ['has(a) || global()', 'endpoint', 10, 'only allowed alone'],
    ['(global())', 'rule-namespace', 1, 'not combined with anything else'],
    ['!global()', 'rule-namespace', 1, 'not combined with anything else'],
    ['global() && has(a)', 'rule-namespace', 0, 'not combined with anything else'],
    ['has(a) || global()', 'rule-namespace', 10, 'not combined with anything else'],
    // Calico's validator looks for the text, not the token (strings.Contains(sel, "global(")).
    ['a == "global(x)"', 'endpoint', 6, 'even inside a quoted value'],
    ['a == "global(x)"', 'rule-namespace', 6, 'even inside a quoted value'],
  ])('%j is refused in a %s selector at offset %i', (input, context, offset, message) => {
    const r = parseSelector(input, { context });
    expect(r).toMatchObject({ ok: false, offset });
    if (!r.ok) {
      expect(r.message).toContain(message);
      expect(r.message).toContain(`at offset ${offset}`);
    }
  });

  it('reports a syntax error before a misplaced global()', () => {
    const r = parseSelector('global() && %', { context: 'endpoint' });
    expect(r).toMatchObject({ ok: false, offset: 12 });
  });
});

describe('parseSelector: the tree', () => {
  it('keeps set values as written (formatting sorts them) and flattens only chains of one operator', () => {
    const r = parseSelector('a in {"z", "a"} && (b == "1" || !c != "2") && has(d)', { context: 'endpoint' });
    expect(r).toEqual({
      ok: true,
      ast: {
        type: 'and',
        operands: [
          { type: 'in', label: 'a', values: ['z', 'a'] },
          {
            type: 'or',
            operands: [
              { type: 'eq', label: 'b', value: '1' },
              { type: 'not', operand: { type: 'neq', label: 'c', value: '2' } },
            ],
          },
          { type: 'has', label: 'd' },
        ],
      },
    });
  });
});
