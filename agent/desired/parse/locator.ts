// Lazy positions: a file with problems is parsed a second time with a listener that records
// every node (start and end offset, value, children); a path is then walked down that tree.
// Valid files never pay for this (a full node tree costs about 2x the bare parse).
import type { Path, Position } from '../document.js';
import { loadAll, type LoaderState } from './js-yaml.js';
import { POLICY_SCHEMA } from './yaml-schema.js';

interface Frame {
  /** Offset where the loader opened the node (may precede whitespace, comments, properties). */
  readonly open: number;
  end: number;
  result: unknown;
  readonly children: Frame[];
}

export type ScalarStyle = 'plain' | 'single' | 'double' | 'block' | 'none';

export interface Located extends Position {
  /** How the node is written, for string offsets and YAML 1.1 checks. */
  readonly style: ScalarStyle;
  /** True when the node starts and ends on the same line. */
  readonly oneLine: boolean;
  /** Raw text of a one-line scalar (quotes included), for offset mapping. */
  readonly raw: string;
}

export interface Locator {
  locate(document: number, path: Path, at: 'key' | 'value'): Located;
}

export function createLocator(content: string, options: { maxDepth: number }): Locator {
  let tree: { roots: Frame[]; lineStarts: number[]; input: string } | undefined;
  const build = () => {
    tree ??= buildTree(content, options.maxDepth);
    return tree;
  };
  return {
    locate(document, path, at) {
      const { roots, lineStarts, input } = build();
      const root = roots[document];
      if (!root) return { line: 1, column: 1, style: 'none', oneLine: false, raw: '' };
      let frame = collapse(root);
      let keyFrame: Frame | undefined;
      for (const seg of path) {
        const next = child(frame, seg);
        if (!next) {
          keyFrame = undefined;
          break;
        }
        keyFrame = next.key;
        frame = next.value;
      }
      const target = at === 'key' && keyFrame ? keyFrame : frame;
      return describe(input, lineStarts, target);
    },
  };
}

function buildTree(content: string, maxDepth: number): { roots: Frame[]; lineStarts: number[]; input: string } {
  // js-yaml drops a leading byte-order mark; offsets are into what it parsed.
  const input = content.charCodeAt(0) === 0xfeff ? content.slice(1) : content;
  const top: Frame = { open: 0, end: 0, result: undefined, children: [] };
  const stack: Frame[] = [top];
  const listener = (event: 'open' | 'close', state: LoaderState): void => {
    if (event === 'open') {
      stack.push({ open: state.position, end: state.position, result: undefined, children: [] });
      return;
    }
    const frame = stack.pop();
    if (!frame) return;
    frame.end = state.position;
    frame.result = state.result;
    stack[stack.length - 1]?.children.push(frame);
  };
  try {
    loadAll(input, null, { schema: POLICY_SCHEMA, maxDepth: maxDepth, listener });
  } catch {
    // Only files that parsed in the first pass get here; keep whatever was recorded.
  }
  return { roots: top.children, lineStarts: lineStartsOf(input), input };
}

/** A node read through a property or alias is reported twice, nested; use the inner one. */
function collapse(frame: Frame): Frame {
  let f = frame;
  while (f.children.length === 1) {
    const only = f.children[0];
    if (!only || !Object.is(only.result, f.result)) break;
    f = only;
  }
  return f;
}

function child(frame: Frame, seg: string | number): { key: Frame | undefined; value: Frame } | undefined {
  const value = frame.result;
  if (Array.isArray(value)) {
    if (typeof seg !== 'number') return undefined;
    const item = frame.children[seg];
    return item ? { key: undefined, value: collapse(item) } : undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const obj = value as Record<string, unknown>;
  // Children alternate key, value; resynchronise on anything unexpected (merge keys, retries).
  const kids = frame.children;
  // Rules speak of fields by their canonical name; calicoctl also reads `Order` as `order`, so a
  // key that differs only in case is the node when no exact one exists.
  let folded: { key: Frame; value: Frame } | undefined;
  const wanted = String(seg);
  for (let i = 0; i + 1 < kids.length; ) {
    const k = collapse(kids[i] as Frame);
    const v = collapse(kids[i + 1] as Frame);
    const name = k.result;
    if ((typeof name === 'string' || typeof name === 'number') && Object.is(obj[String(name)], v.result)) {
      if (String(name) === wanted) return { key: k, value: v };
      if (!folded && String(name).toLowerCase() === wanted.toLowerCase()) folded = { key: k, value: v };
      i += 2;
    } else i += 1;
  }
  return folded;
}

function describe(input: string, lineStarts: readonly number[], frame: Frame): Located {
  const start = skipTrivia(input, frame.open, Math.max(frame.end, frame.open));
  const { line, column } = positionOf(lineStarts, start);
  const ch = input[start];
  const style: ScalarStyle =
    typeof frame.result === 'object' && frame.result !== null
      ? 'none'
      : ch === "'"
        ? 'single'
        : ch === '"'
          ? 'double'
          : ch === '|' || ch === '>'
            ? 'block'
            : 'plain';
  const endLine = positionOf(lineStarts, Math.max(start, frame.end - 1)).line;
  const oneLine = endLine === line;
  return { line, column, style, oneLine, raw: oneLine && style !== 'none' ? input.slice(start, frame.end).trimEnd() : '' };
}

/** Skips whitespace, comments and node properties (`&anchor`, `!tag`) up to the node itself. */
function skipTrivia(input: string, from: number, end: number): number {
  let i = from;
  while (i < end) {
    const ch = input[i];
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n') i++;
    else if (ch === '#') {
      while (i < end && input[i] !== '\n') i++;
    } else if (ch === '&' || ch === '!') {
      while (i < end && !/\s/.test(input[i] ?? ' ')) i++;
    } else break;
  }
  return i >= end && end > from ? skipWhitespaceOnly(input, from, end) : i;
}

function skipWhitespaceOnly(input: string, from: number, end: number): number {
  let i = from;
  while (i < end && (input[i] === ' ' || input[i] === '\t')) i++;
  return i;
}

/** Line starts, with CRLF, CR and LF as line ends (as js-yaml counts them). */
function lineStartsOf(input: string): number[] {
  const starts = [0];
  for (let i = 0; i < input.length; i++) {
    const ch = input.charCodeAt(i);
    if (ch === 10 || (ch === 13 && input.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  return starts;
}

function positionOf(lineStarts: readonly number[], offset: number): Position {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((lineStarts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - (lineStarts[lo] ?? 0) + 1 };
}

/**
 * Column of character `offset` of a one-line scalar's value: quotes skipped, `''` in single
 * quotes counted as one character. Double-quoted strings with escapes fall back to the start.
 */
export function columnOfOffset(located: Located, offset: number): number {
  if (!located.oneLine || offset <= 0) return located.column;
  if (located.style === 'plain') return located.column + offset;
  if (located.style === 'double') return located.raw.includes('\\') ? located.column : located.column + 1 + offset;
  if (located.style === 'single') {
    let raw = 1;
    for (let decoded = 0; decoded < offset && raw < located.raw.length; decoded++) raw += located.raw.startsWith("''", raw) ? 2 : 1;
    return located.column + raw;
  }
  return located.column;
}
