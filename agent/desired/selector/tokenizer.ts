// Selector tokenizer, a port of libcalico-go/lib/selector/tokenizer/tokenizer.go that keeps the
// offset of every token so errors can point at the exact character.
//
// What Calico's tokenizer does that surprised us (read in the Go source, the current version and
// the older regex-based one; they accept the same selectors except for the 512-character label
// cap, which only the current one has; its word-boundary checks change error messages only):
// - Only space and tab separate tokens. A newline or carriage return is an error, so a YAML
//   literal block scalar (`selector: |`) that leaves a trailing newline is rejected by Calico.
// - Word operators are recognised only right after a label, and `not in`, `starts with` and
//   `ends with` may be written without the space (`notin`, `startswith`, `endswith`).
// - `has(`, `all(` and `global(` must be written without a space before the parenthesis:
//   `has (a)` reads as the label `has` followed by `(`, which is an error.
// - A label may start with a digit, `.`, `/` or `-`, and `in`, `has` or `all` are ordinary label
//   names where a label is expected (`in == "x"` is valid).
// - The word-boundary check after `starts with` / `ends with` / `not in` runs after the spaces
//   that follow them, so `a starts with b` (value unquoted) fails as "no operator after a".
//   We report it as the missing quoted string it really is.
// - Strings end at the next matching quote; there are no escapes, so one value can never hold
//   both quote characters.
import { MAX_SELECTOR_LABEL_LENGTH } from './ast.js';

export type TokenKind =
  | 'label'
  | 'string'
  | 'lbrace'
  | 'rbrace'
  | 'comma'
  | 'eq'
  | 'neq'
  | 'in'
  | 'notIn'
  | 'contains'
  | 'startsWith'
  | 'endsWith'
  | 'not'
  | 'all'
  | 'global'
  | 'has'
  | 'lparen'
  | 'rparen'
  | 'and'
  | 'or'
  | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Offset of the first character of the token. */
  readonly start: number;
  /** Label name, string contents (without quotes) or the label inside `has(...)`. */
  readonly value: string;
}

export type TokenizeResult =
  | { readonly ok: true; readonly tokens: readonly Token[] }
  | { readonly ok: false; readonly offset: number; readonly message: string };

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;

export function isLabelChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) || // a-z
    (c >= 0x41 && c <= 0x5a) || // A-Z
    (c >= 0x30 && c <= 0x39) || // 0-9
    c === 0x5f || // _
    c === 0x2e || // .
    c === 0x2f || // /
    c === 0x2d // -
  );
}

/** True when the whole text is one label name Calico accepts (tokenizer.ValidLabel). */
export function isValidSelectorLabel(text: string): boolean {
  if (text.length === 0 || text.length > MAX_SELECTOR_LABEL_LENGTH) return false;
  for (let i = 0; i < text.length; i++) if (!isLabelChar(text.charCodeAt(i))) return false;
  return true;
}

const WORD_OPERATORS: readonly { kind: TokenKind; words: readonly string[] }[] = [
  { kind: 'contains', words: ['contains'] },
  { kind: 'startsWith', words: ['starts', 'with'] },
  { kind: 'endsWith', words: ['ends', 'with'] },
  { kind: 'notIn', words: ['not', 'in'] },
  { kind: 'in', words: ['in'] },
];

class TokenizeError {
  constructor(
    readonly offset: number,
    readonly message: string,
  ) {}
}

export function tokenize(text: string): TokenizeResult {
  try {
    return { ok: true, tokens: new Scanner(text).run() };
  } catch (e) {
    if (e instanceof TokenizeError) return { ok: false, offset: e.offset, message: e.message };
    throw e;
  }
}

/** `"%"` for printable characters, a name for the invisible ones. */
export function describeChar(text: string, at: number): string {
  const c = text.codePointAt(at);
  if (c === undefined) return 'end of selector';
  if (c === LF || c === CR) return 'line break';
  if (c < 0x20 || c === 0x7f) return `control character U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
  return JSON.stringify(String.fromCodePoint(c));
}

class Scanner {
  private pos = 0;
  private readonly tokens: Token[] = [];

  constructor(private readonly text: string) {}

  run(): Token[] {
    const { text } = this;
    for (;;) {
      this.skipSpace();
      const start = this.pos;
      if (start >= text.length) {
        this.tokens.push({ kind: 'eof', start, value: '' });
        return this.tokens;
      }
      const c = text.charCodeAt(start);
      switch (c) {
        case 0x28: // (
          this.simple('lparen', 1);
          break;
        case 0x29: // )
          this.simple('rparen', 1);
          break;
        case 0x7b: // {
          this.simple('lbrace', 1);
          break;
        case 0x7d: // }
          this.simple('rbrace', 1);
          break;
        case 0x2c: // ,
          this.simple('comma', 1);
          break;
        case 0x22: // "
        case 0x27: // '
          this.quoted(c);
          break;
        case 0x3d: // =
          if (text.charCodeAt(start + 1) !== 0x3d) throw new TokenizeError(start, `expected "==" at offset ${start}`);
          this.simple('eq', 2);
          break;
        case 0x21: // !
          if (text.charCodeAt(start + 1) === 0x3d) this.simple('neq', 2);
          else this.simple('not', 1);
          break;
        case 0x26: // &
          if (text.charCodeAt(start + 1) !== 0x26) throw new TokenizeError(start, `expected "&&" at offset ${start}`);
          this.simple('and', 2);
          break;
        case 0x7c: // |
          if (text.charCodeAt(start + 1) !== 0x7c) throw new TokenizeError(start, `expected "||" at offset ${start}`);
          this.simple('or', 2);
          break;
        default:
          this.word();
      }
    }
  }

  private skipSpace(): void {
    const { text } = this;
    let p = this.pos;
    while (p < text.length) {
      const c = text.charCodeAt(p);
      if (c !== SPACE && c !== TAB) break;
      p++;
    }
    this.pos = p;
  }

  private simple(kind: TokenKind, length: number): void {
    this.tokens.push({ kind, start: this.pos, value: '' });
    this.pos += length;
  }

  private quoted(quote: number): void {
    const start = this.pos;
    const end = this.text.indexOf(quote === 0x22 ? '"' : "'", start + 1);
    if (end === -1) throw new TokenizeError(start, `unterminated string starting at offset ${start}`);
    this.tokens.push({ kind: 'string', start, value: this.text.slice(start + 1, end) });
    this.pos = end + 1;
  }

  private word(): void {
    const start = this.pos;
    const last = this.tokens[this.tokens.length - 1];
    if (last?.kind === 'label') {
      this.operatorAfterLabel(last);
      return;
    }
    if (this.startsWith('has(')) {
      this.pos += 4;
      this.skipSpace();
      const labelStart = this.pos;
      const label = this.cutLabel();
      if (label === '') {
        throw new TokenizeError(labelStart, `expected a label name inside has( at offset ${labelStart}${this.found(labelStart)}`);
      }
      this.skipSpace();
      if (this.text.charCodeAt(this.pos) !== 0x29) {
        throw new TokenizeError(this.pos, `expected ")" to close has( at offset ${this.pos}${this.found(this.pos)}`);
      }
      this.pos++;
      this.tokens.push({ kind: 'has', start, value: label });
      return;
    }
    if (this.startsWith('all(') || this.startsWith('global(')) {
      const name = this.text.charCodeAt(start) === 0x61 ? 'all' : 'global';
      this.pos += name.length + 1;
      this.skipSpace();
      if (this.text.charCodeAt(this.pos) !== 0x29) {
        throw new TokenizeError(this.pos, `expected ")" after ${name}( at offset ${this.pos}${this.found(this.pos)}`);
      }
      this.pos++;
      this.tokens.push({ kind: name, start, value: '' });
      return;
    }
    const label = this.cutLabel();
    if (label === '') throw new TokenizeError(start, this.unexpected(start));
    this.tokens.push({ kind: 'label', start, value: label });
  }

  private operatorAfterLabel(label: Token): void {
    const start = this.pos;
    for (const op of WORD_OPERATORS) {
      const end = this.cutWords(op.words);
      if (end === 'no') continue;
      if (end === 'yes') {
        this.tokens.push({ kind: op.kind, start, value: '' });
        return;
      }
      // Calico checks the word boundary after the spaces that follow a multi-word operator, so
      // `a starts with b` fails as "no operator"; saying what is really missing helps more.
      const wanted = op.kind === 'notIn' ? '"{"' : 'a quoted string';
      throw new TokenizeError(
        end.at,
        `expected ${wanted} after "${op.words.join(' ')}" at offset ${end.at} (found ${describeWord(this.text, end.at)})`,
      );
    }
    throw new TokenizeError(start, expectedOperator(label.value, this.text, start));
  }

  /**
   * Consumes words separated by optional spaces (Calico's cutMultiWordPrefixCheckBreak) when the
   * last one ends at a word boundary; leaves the position alone otherwise. Reports where an
   * unquoted word follows a complete multi-word operator after a space.
   */
  private cutWords(words: readonly string[]): 'yes' | 'no' | { at: number } {
    const saved = this.pos;
    let afterWord = saved;
    for (const word of words) {
      if (!this.startsWith(word)) {
        this.pos = saved;
        return 'no';
      }
      this.pos += word.length;
      afterWord = this.pos;
      // Calico skips spaces after each word of a multi-word operator, before the boundary check.
      if (words.length > 1) this.skipSpace();
    }
    if (this.pos < this.text.length && isLabelChar(this.text.charCodeAt(this.pos))) {
      const at = this.pos;
      this.pos = saved;
      return at > afterWord ? { at } : 'no';
    }
    return 'yes';
  }

  private cutLabel(): string {
    const { text } = this;
    const start = this.pos;
    let p = start;
    while (p < text.length && isLabelChar(text.charCodeAt(p))) p++;
    if (p - start > MAX_SELECTOR_LABEL_LENGTH) {
      throw new TokenizeError(start, `label at offset ${start} is longer than ${MAX_SELECTOR_LABEL_LENGTH} characters`);
    }
    this.pos = p;
    return text.slice(start, p);
  }

  private startsWith(word: string): boolean {
    return this.text.startsWith(word, this.pos);
  }

  private found(at: number): string {
    return at >= this.text.length ? ' (found end of selector)' : ` (found ${describeChar(this.text, at)})`;
  }

  private unexpected(at: number): string {
    const c = this.text.charCodeAt(at);
    if (c === LF || c === CR) return lineBreak(at);
    return `unexpected character ${describeChar(this.text, at)} at offset ${at}`;
  }
}

/** The message for a label that is not followed by an operator. */
export function expectedOperator(label: string, text: string, at: number): string {
  const c = text.charCodeAt(at);
  if (c === LF || c === CR) return lineBreak(at);
  if (at >= text.length) return `expected operator after label "${label}" at offset ${at} (found end of selector)`;
  const hint =
    text.charCodeAt(at) === 0x28 && (label === 'has' || label === 'all' || label === 'global')
      ? ` (write ${label}( without a space before the parenthesis)`
      : '';
  return `expected operator after label "${label}" at offset ${at} (found ${describeWord(text, at)})${hint}`;
}

function describeWord(text: string, at: number): string {
  let end = at;
  while (end < text.length && isLabelChar(text.charCodeAt(end))) end++;
  return end > at ? `"${text.slice(at, end)}"` : describeChar(text, at);
}

function lineBreak(at: number): string {
  return `unexpected line break at offset ${at}: Calico separates selector tokens with spaces and tabs only (write the selector on one line, or use a folded ">-" YAML scalar)`;
}
