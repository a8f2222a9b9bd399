// First, fast pass over one file: js-yaml `loadAll` with the cheapest listener that still
// enforces the limits on structure (depth, aliases, documents; sizes are the source's, see
// source/select-files.ts) and records each document's first line. Positions of inner nodes are
// located lazily (locator.ts), only for files that turn out to have problems.
import type { Issue, SourceFile } from '../../domain/index.js';
import type { Limits } from '../limits.js';
import { loadAll, YAMLException, type LoaderListener, type LoaderState } from './js-yaml.js';
import { POLICY_SCHEMA } from './yaml-schema.js';

export interface ParsedDocument {
  /** 0-based index among all documents of the file (empty ones included). */
  readonly index: number;
  /** 1-based line of the document's root node. */
  readonly line: number;
  readonly value: unknown;
}

export interface ParsedFile {
  readonly file: string;
  readonly content: string;
  readonly documents: readonly ParsedDocument[];
  /** Problems that stop the file from being validated: size, syntax, limits. */
  readonly issues: readonly Issue[];
}

class LimitExceeded extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

/**
 * True when the text may hold an anchor (`&name`). An anchor can only follow whitespace, a line
 * start or a flow indicator, and its name cannot start with a blank: `&&` in selectors does not
 * count. Without an anchor there can be no alias, so the alias-counting listener is skipped.
 * (A hand-written scan: the equivalent regular expression is several times slower.)
 */
export function mayHaveAnchor(content: string): boolean {
  for (let i = content.indexOf('&'); i !== -1; i = content.indexOf('&', i + 1)) {
    const before = i === 0 ? 10 : content.charCodeAt(i - 1);
    const after = content.charCodeAt(i + 1);
    const startsNode = before === 32 || before === 9 || before === 10 || before === 13 || before === 44 || before === 91 || before === 123;
    const named = !Number.isNaN(after) && after !== 38 && after !== 32 && after !== 9 && after !== 10 && after !== 13;
    if (startsNode && named) return true;
  }
  return false;
}

/**
 * 0-based first line of each document, from the text alone: `---` at the start of a line opens
 * a document (its root on the same line when something follows the marker), `...` closes one,
 * and the first line with content opens an implicit one. Blank, comment and directive lines are
 * not content. Documents without content get their marker's line.
 */
export function documentLines(content: string): number[] {
  const lines: number[] = [];
  let open = false;
  let pending = -1; // index into `lines` of an open document still waiting for its first node
  let lineNo = 0;
  for (let start = content.charCodeAt(0) === 0xfeff ? 1 : 0; start <= content.length; lineNo++) {
    let end = content.indexOf('\n', start);
    if (end === -1) end = content.length;
    const marker = content.startsWith('---', start) ? '---' : content.startsWith('...', start) ? '...' : '';
    const after = content.charCodeAt(start + 3);
    const isMarker = marker !== '' && (start + 3 >= end || after === 32 || after === 9 || after === 13);
    if (isMarker && marker === '---') {
      lines.push(lineNo);
      open = true;
      pending = hasContent(content, start + 3, end) ? -1 : lines.length - 1;
    } else if (isMarker) {
      open = false;
      pending = -1;
    } else if (hasContent(content, start, end) && content[start] !== '%') {
      if (!open) {
        lines.push(lineNo);
        open = true;
      } else if (pending !== -1) {
        lines[pending] = lineNo;
        pending = -1;
      }
    }
    start = end + 1;
  }
  return lines;
}

/** True when the line slice has something other than blanks and a comment. */
function hasContent(content: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const ch = content.charCodeAt(i);
    if (ch === 35 /* # */) return false;
    if (ch !== 32 && ch !== 9 && ch !== 13) return true;
  }
  return false;
}

export function parseFile(source: SourceFile, limits: Limits): ParsedFile {
  const file = source.path;
  const content = source.content;
  // The alias-counting listener (needed only when there are anchors) records each document's
  // first line as it goes; otherwise the lines come from a scan of the text, which is much
  // cheaper than a listener called for every node, and is checked against the parse.
  const anchors = mayHaveAnchor(content);
  const rootLines: number[] = [];
  let values: unknown[];
  try {
    const options = { schema: POLICY_SCHEMA, filename: file, maxDepth: limits.maxDepth };
    if (anchors) values = loadAll(content, null, { ...options, listener: aliasCountingListener(rootLines, limits) });
    else {
      values = loadAll(content, null, options);
      if (values.length > limits.maxDocumentsPerFile) {
        // Rare: parse again to learn where the limit was passed.
        loadAll(content, null, { ...options, listener: rootLineListener([], limits) });
      }
      // The scan splits lines at LF only; a file with bare CR line ends asks the parser.
      const bareCr = content.includes('\r') && /\r(?!\n)/.test(content);
      const scanned = bareCr ? [] : documentLines(content);
      if (scanned.length === values.length) rootLines.push(...scanned);
      // A file of comments only is one empty document to js-yaml.
      else if (!bareCr && scanned.length === 0 && values.length === 1 && values[0] === null) rootLines.push(0);
      else loadAll(content, null, { ...options, listener: rootLineListener(rootLines, limits) });
    }
  } catch (err) {
    return { file, content, documents: [], issues: [parseIssue(file, content, err, limits)] };
  }
  const documents: ParsedDocument[] = values.map((value, index) => ({ index, line: (rootLines[index] ?? 0) + 1, value }));
  return { file, content, documents, issues: [] };
}

function rootLineListener(rootLines: number[], limits: Limits): LoaderListener {
  return (event, state) => {
    if (event === 'open' && state.depth === 1) {
      if (rootLines.length >= limits.maxDocumentsPerFile) throw tooManyDocuments(state, limits);
      rootLines.push(state.line);
    }
  };
}

/**
 * Counts alias references after expansion: each collection remembers how many aliases it holds
 * (its own plus those inside the nodes its aliases point at), so an alias costs 1 plus what its
 * target holds. Linear in the number of nodes; the expansion itself never happens.
 */
function aliasCountingListener(rootLines: number[], limits: Limits): LoaderListener {
  const held = new WeakMap<object, number>();
  const stack: number[] = [];
  let total = 0;
  return (event, state) => {
    if (event === 'open') {
      if (state.depth === 1) {
        if (rootLines.length >= limits.maxDocumentsPerFile) throw tooManyDocuments(state, limits);
        rootLines.push(state.line);
        total = 0;
      }
      stack.push(0);
      return;
    }
    let count = stack.pop() ?? 0;
    const result = state.result;
    if (typeof result === 'object' && result !== null) {
      // An alias leaves `kind` unset; a collection sets it.
      if (state.kind === null) {
        count = 1 + (held.get(result) ?? 0);
        total += count;
        if (total > limits.maxAliases) {
          throw new LimitExceeded(
            `YAML aliases expand to more than ${limits.maxAliases} references (an alias bomb?); write the values out or use fewer nested anchors`,
            state.line,
            state.position - state.lineStart,
          );
        }
      } else held.set(result, count);
    }
    const top = stack.length - 1;
    if (top >= 0) stack[top] = (stack[top] ?? 0) + count;
  };
}

function tooManyDocuments(state: LoaderState, limits: Limits): LimitExceeded {
  return new LimitExceeded(`file holds more than ${limits.maxDocumentsPerFile} documents`, state.line, state.position - state.lineStart);
}

function parseIssue(file: string, content: string, err: unknown, limits: Limits): Issue {
  const base = { severity: 'error' as const, file, path: '' };
  if (err instanceof LimitExceeded) {
    return { ...base, line: err.line + 1, column: err.column + 1, code: 'limit', message: err.message };
  }
  if (err instanceof YAMLException) {
    const mark = err.mark as { line?: number; column?: number; position?: number } | undefined;
    const reason = err.reason || 'invalid YAML';
    // js-yaml reports a non-printable character at the end of the stream; point at it instead.
    const bad = NON_PRINTABLE.exec(content);
    if (/non-printable/.test(reason) && bad) {
      const at = positionIn(content, bad.index + (bad[0].length > 1 && !/[\uD800-\uDBFF]/.test(bad[0][0] ?? '') ? 1 : 0));
      const code = (bad[0].length > 1 ? bad[0].slice(-1) : bad[0]).charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
      return { ...base, ...at, code: 'yaml', message: `invalid YAML: the file contains a non-printable character (U+${code})` };
    }
    const depth = /nesting exceeded maxDepth/.test(reason);
    // Errors at the end of the stream get a mark past the last line; keep it inside the file.
    const at = mark?.position !== undefined && mark.position >= content.length ? positionIn(content, Math.max(0, content.length - 1)) : undefined;
    return {
      ...base,
      line: at?.line ?? (mark?.line ?? -1) + 1,
      column: at?.column ?? (mark?.column ?? -1) + 1,
      code: depth ? 'limit-depth' : 'yaml',
      message: depth ? `YAML nesting is deeper than the limit of ${limits.maxDepth} levels` : `invalid YAML: ${reason}`,
    };
  }
  if (err instanceof RangeError) {
    return { ...base, line: 0, column: 0, code: 'limit-depth', message: 'YAML nesting is too deep to parse' };
  }
  return { ...base, line: 0, column: 0, code: 'yaml', message: `invalid YAML: ${err instanceof Error ? err.message : String(err)}` };
}

// js-yaml's own test for characters YAML forbids.
// eslint-disable-next-line no-control-regex
const NON_PRINTABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/;

/** 1-based line and column of an offset, counting CRLF, CR and LF as line ends (as js-yaml does). */
function positionIn(content: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < content.length; i++) {
    const ch = content.charCodeAt(i);
    if (ch === 10 || (ch === 13 && content.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
