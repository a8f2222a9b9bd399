// Per-resource diff for display: a line diff of the canonical YAML of before and after.
import { diffArrays } from 'diff';
import yaml from 'js-yaml';
import type { Manifest } from '../domain/resource.js';
import { withoutBookkeeping } from './bookkeeping.js';

export type DiffOp = ' ' | '+' | '-';

export interface DiffLine {
  readonly op: DiffOp;
  readonly text: string;
}

/** Canonical YAML (sorted keys, no anchors, no line folding) so equal objects print equally. */
export function canonicalYaml(manifest: Manifest): string {
  return yaml.dump(manifest, { sortKeys: true, noRefs: true, lineWidth: -1 });
}

/**
 * Diff of two manifests without our bookkeeping annotations (they change on every revision and
 * would hide the real change). `before` absent: everything added; `after` absent: everything removed.
 */
export function diffManifests(before: Manifest | undefined, after: Manifest | undefined): DiffLine[] {
  const a = before ? splitLines(canonicalYaml(withoutBookkeeping(before))) : [];
  const b = after ? splitLines(canonicalYaml(withoutBookkeeping(after))) : [];
  return diffLines(a, b);
}

/**
 * Line diff (Myers, through the `diff` package): memory grows with the size of the change, not with
 * the product of the two lengths, so a 10,000-line NetworkSet changed at both ends stays cheap.
 */
export function diffLines(a: readonly string[], b: readonly string[]): DiffLine[] {
  const out: DiffLine[] = [];
  for (const change of diffArrays([...a], [...b])) {
    const op: DiffOp = change.added ? '+' : change.removed ? '-' : ' ';
    for (const text of change.value) out.push({ op, text });
  }
  return out;
}

/** Keeps changed lines and `context` unchanged lines around them; gaps become a `…` marker line. */
export function withContext(lines: readonly DiffLine[], context: number): (DiffLine | { readonly op: 'gap'; readonly skipped: number })[] {
  const keep = new Array<boolean>(lines.length).fill(false);
  lines.forEach((l, idx) => {
    if (l.op === ' ') return;
    for (let k = Math.max(0, idx - context); k <= Math.min(lines.length - 1, idx + context); k += 1) keep[k] = true;
  });
  const out: (DiffLine | { op: 'gap'; skipped: number })[] = [];
  let gap = 0;
  lines.forEach((l, idx) => {
    if (keep[idx]) {
      if (gap > 0) out.push({ op: 'gap', skipped: gap });
      gap = 0;
      out.push(l);
    } else gap += 1;
  });
  if (gap > 0) out.push({ op: 'gap', skipped: gap });
  return out;
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
