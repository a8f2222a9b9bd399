// Per-resource diff for display: a line diff of the canonical YAML of before and after.
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

/** Longest-common-subsequence line diff; common head and tail are trimmed first (manifests are small). */
export function diffLines(a: readonly string[], b: readonly string[]): DiffLine[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start += 1;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA -= 1;
    endB -= 1;
  }
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const out: DiffLine[] = a.slice(0, start).map((text) => ({ op: ' ', text }));
  out.push(...lcsDiff(midA, midB));
  for (const text of a.slice(endA)) out.push({ op: ' ', text });
  return out;
}

function lcsDiff(a: readonly string[], b: readonly string[]): DiffLine[] {
  const n = a.length;
  const m = b.length;
  // lengths[i][j] = LCS length of a[i..] and b[j..], flattened.
  const lengths = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i -= 1) {
    for (let j = m - 1; j >= 0; j -= 1) {
      lengths[i * (m + 1) + j] =
        a[i] === b[j]
          ? (lengths[(i + 1) * (m + 1) + j + 1] ?? 0) + 1
          : Math.max(lengths[(i + 1) * (m + 1) + j] ?? 0, lengths[i * (m + 1) + j + 1] ?? 0);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ op: ' ', text: a[i] ?? '' });
      i += 1;
      j += 1;
    } else if ((lengths[(i + 1) * (m + 1) + j] ?? 0) >= (lengths[i * (m + 1) + j + 1] ?? 0)) {
      out.push({ op: '-', text: a[i] ?? '' });
      i += 1;
    } else {
      out.push({ op: '+', text: b[j] ?? '' });
      j += 1;
    }
  }
  for (; i < n; i += 1) out.push({ op: '-', text: a[i] ?? '' });
  for (; j < m; j += 1) out.push({ op: '+', text: b[j] ?? '' });
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
