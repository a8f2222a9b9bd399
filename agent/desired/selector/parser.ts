// Recursive-descent parser for Calico selectors, following libcalico-go/lib/selector/parser:
//   or        := and ( "||" and )*
//   and       := operation ( "&&" operation )*
//   operation := "!"* ( has(l) | all() | global() | "(" or ")" | label op string | label (not) in set )
//   set       := "{" ( string ( "," string )* ","? )? "}"
// Calico collapses a run of "!" to one negation or none, and turns a parenthesized expression into
// its inner node; so do we, so `formatSelector` reproduces Calico's canonical text.
//
// More things Calico accepts that one might not expect: an empty set (`a in {}`), a trailing comma
// in a set (`a in {"x",}`), and an empty or blank selector (meaning all()). And one it rejects that
// is easy to trip on: its validator looks for the *text* `global(` in selectors other than a rule's
// namespaceSelector (strings.Contains), so even `a == "global(x)"` is refused there.
import type { SelectorContext, SelectorNode, SelectorResult, SetOperator, ValueOperator } from './ast.js';
import type { Token, TokenKind } from './tokenizer.js';
import { expectedOperator, tokenize } from './tokenizer.js';

export interface ParseSelectorOptions {
  /** Where the selector sits; only 'rule-namespace' admits `global()`, and only alone. */
  readonly context: SelectorContext;
  /**
   * Longest selector accepted, in characters. Calico has no cap up to v3.32; v3.33's CRD schema
   * caps most selector fields at MAX_SELECTOR_LENGTH. Absent: no cap.
   */
  readonly maxLength?: number;
}

/**
 * Parentheses nested deeper than this are refused: Go's growable stack parses any depth, ours
 * would overflow. No real selector comes near it.
 */
export const MAX_SELECTOR_NESTING = 1000;

const ALL: SelectorNode = { type: 'all' };
const ONLY_ALONE = "is only allowed alone in a rule's namespaceSelector";

class ParseError {
  constructor(
    readonly offset: number,
    readonly message: string,
  ) {}
}

export function parseSelector(text: string, opts: ParseSelectorOptions): SelectorResult {
  const tooLong = opts.maxLength === undefined ? undefined : lengthProblem(text, opts.maxLength);
  if (tooLong) return tooLong;
  const tokenized = tokenize(text);
  if (!tokenized.ok) return tokenized;
  const tokens = tokenized.tokens;
  let ast: SelectorNode;
  try {
    ast = tokens[0]?.kind === 'eof' ? ALL : new Parser(text, tokens).parseRoot();
  } catch (e) {
    if (e instanceof ParseError) return { ok: false, offset: e.offset, message: e.message };
    throw e;
  }
  return globalProblem(text, tokens, opts.context) ?? { ok: true, ast };
}

function lengthProblem(text: string, max: number): SelectorResult | undefined {
  if (text.length <= max) return undefined;
  // The limit is in characters (the CRD schema counts code points), not UTF-16 units.
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff) continue; // the low half of a surrogate pair
    if (count === max) {
      const total = [...text].length;
      return {
        ok: false,
        offset: i,
        message: `selector is ${total} characters long, more than the ${max} Calico allows (the excess starts at offset ${i})`,
      };
    }
    count++;
  }
  return undefined;
}

function globalProblem(text: string, tokens: readonly Token[], context: SelectorContext): SelectorResult | undefined {
  const at = text.indexOf('global(');
  if (at === -1) return undefined;
  const token = tokens.find((t) => t.kind === 'global');
  if (context === 'rule-namespace' && token) {
    if (tokens.length === 2) return undefined;
    return { ok: false, offset: token.start, message: `global() at offset ${token.start} ${ONLY_ALONE}, not combined with anything else` };
  }
  if (token) return { ok: false, offset: token.start, message: `global() at offset ${token.start} ${ONLY_ALONE}` };
  return {
    ok: false,
    offset: at,
    message: `the text "global(" at offset ${at} is refused by Calico here, even inside a quoted value: global() ${ONLY_ALONE}`,
  };
}

const VALUE_OPERATORS: Partial<Record<TokenKind, { type: ValueOperator; text: string }>> = {
  eq: { type: 'eq', text: '==' },
  neq: { type: 'neq', text: '!=' },
  contains: { type: 'contains', text: 'contains' },
  startsWith: { type: 'startsWith', text: 'starts with' },
  endsWith: { type: 'endsWith', text: 'ends with' },
};
const SET_OPERATORS: Partial<Record<TokenKind, { type: SetOperator; text: string }>> = {
  in: { type: 'in', text: 'in' },
  notIn: { type: 'notIn', text: 'not in' },
};
const OPERAND = 'a label, has(...), all(), "!" or "("';

class Parser {
  private i = 0;
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly tokens: readonly Token[],
  ) {}

  parseRoot(): SelectorNode {
    const node = this.parseOr();
    const t = this.peek();
    if (t.kind === 'eof') return node;
    if (t.kind === 'rparen') throw new ParseError(t.start, `unexpected ")" at offset ${t.start} with no matching "("`);
    throw new ParseError(t.start, `expected "&&" or "||" at offset ${t.start} (found ${this.describe(t)})`);
  }

  private parseOr(): SelectorNode {
    const first = this.parseAnd();
    if (this.peek().kind !== 'or') return first;
    const operands = [first];
    while (this.peek().kind === 'or') {
      this.i++;
      operands.push(this.parseAnd());
    }
    return { type: 'or', operands };
  }

  private parseAnd(): SelectorNode {
    const first = this.parseOperation();
    if (this.peek().kind !== 'and') return first;
    const operands = [first];
    while (this.peek().kind === 'and') {
      this.i++;
      operands.push(this.parseOperation());
    }
    return { type: 'and', operands };
  }

  private parseOperation(): SelectorNode {
    let negated = false;
    while (this.peek().kind === 'not') {
      negated = !negated;
      this.i++;
    }
    const node = this.parseOperand();
    return negated ? { type: 'not', operand: node } : node;
  }

  private parseOperand(): SelectorNode {
    const t = this.next();
    switch (t.kind) {
      case 'has':
        return { type: 'has', label: t.value };
      case 'all':
        return ALL;
      case 'global':
        return { type: 'global' };
      case 'label':
        return this.parseComparison(t);
      case 'lparen': {
        if (++this.depth > MAX_SELECTOR_NESTING) {
          throw new ParseError(t.start, `parentheses nest more than ${MAX_SELECTOR_NESTING} deep at offset ${t.start}`);
        }
        const inner = this.parseOr();
        this.depth--;
        const close = this.next();
        if (close.kind !== 'rparen') {
          throw new ParseError(
            close.start,
            `expected ")" at offset ${close.start} to close "(" at offset ${t.start} (found ${this.describe(close)})`,
          );
        }
        return inner;
      }
      case 'eof':
        throw new ParseError(t.start, `unexpected end of selector at offset ${t.start}: expected ${OPERAND}`);
      default:
        throw new ParseError(t.start, `expected ${OPERAND} at offset ${t.start} (found ${this.describe(t)})`);
    }
  }

  private parseComparison(label: Token): SelectorNode {
    const op = this.next();
    const valueOp = VALUE_OPERATORS[op.kind];
    if (valueOp) {
      const value = this.next();
      if (value.kind !== 'string') {
        throw new ParseError(
          value.start,
          `expected a quoted string after "${valueOp.text}" at offset ${value.start} (found ${this.describe(value)})`,
        );
      }
      return { type: valueOp.type, label: label.value, value: value.value };
    }
    const setOp = SET_OPERATORS[op.kind];
    if (setOp) return { type: setOp.type, label: label.value, values: this.parseSet(setOp.text) };
    throw new ParseError(op.start, expectedOperator(label.value, this.text, op.start));
  }

  private parseSet(opText: string): string[] {
    const open = this.next();
    if (open.kind !== 'lbrace') {
      throw new ParseError(open.start, `expected "{" after "${opText}" at offset ${open.start} (found ${this.describe(open)})`);
    }
    const values: string[] = [];
    for (;;) {
      const t = this.next();
      if (t.kind === 'rbrace') return values;
      if (t.kind !== 'string') {
        const wanted = values.length === 0 ? 'a quoted string or "}"' : 'a quoted string or "}" after ","';
        throw new ParseError(t.start, `expected ${wanted} at offset ${t.start} (found ${this.describe(t)})`);
      }
      values.push(t.value);
      const sep = this.next();
      if (sep.kind === 'rbrace') return values;
      if (sep.kind !== 'comma') {
        throw new ParseError(
          sep.start,
          `expected "," or "}" at offset ${sep.start} in the set opened at offset ${open.start} (found ${this.describe(sep)})`,
        );
      }
    }
  }

  private peek(): Token {
    // The tokenizer always ends with 'eof', and nothing reads past it.
    return this.tokens[this.i] ?? this.eof();
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  private eof(): Token {
    return { kind: 'eof', start: this.text.length, value: '' };
  }

  private describe(t: Token): string {
    if (t.kind === 'eof') return 'end of selector';
    if (t.kind === 'label') return `label "${t.value}"`;
    if (t.kind === 'string') return `string ${JSON.stringify(t.value)}`;
    if (t.kind === 'has') return `has(${t.value})`;
    // Only on the error path, so the linear search does not matter.
    const next = this.tokens[this.tokens.indexOf(t) + 1];
    const end = next && next.start > t.start ? next.start : this.text.length;
    return `"${this.text.slice(t.start, end).trim()}"`;
  }
}
