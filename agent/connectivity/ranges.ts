// Sets of integers as sorted, disjoint, non-adjacent inclusive ranges `[lo0, hi0, lo1, hi1, ...]`.
// Ports, ICMP type/code keys and protocol numbers all fit one representation, so one set algebra
// serves every dimension of a connection set. Values are never mutated.

export type Ranges = readonly number[];

export const EMPTY_RANGES: Ranges = [];

export function range(lo: number, hi: number): Ranges {
  return lo > hi ? EMPTY_RANGES : [lo, hi];
}

export function isEmpty(a: Ranges): boolean {
  return a.length === 0;
}

export function equalRanges(a: Ranges, b: Ranges): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function union(a: Ranges, b: Ranges): Ranges {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const pairs: [number, number][] = [];
  for (let i = 0; i < a.length; i += 2) pairs.push([a[i]!, a[i + 1]!]);
  for (let i = 0; i < b.length; i += 2) pairs.push([b[i]!, b[i + 1]!]);
  pairs.sort((x, y) => x[0] - y[0]);
  const out: number[] = [];
  for (const [lo, hi] of pairs) {
    const last = out.length - 1;
    if (last > 0 && lo <= out[last]! + 1) {
      if (hi > out[last]!) out[last] = hi;
    } else out.push(lo, hi);
  }
  return out;
}

export function intersect(a: Ranges, b: Ranges): Ranges {
  if (a.length === 0 || b.length === 0) return EMPTY_RANGES;
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i]!, b[j]!);
    const hi = Math.min(a[i + 1]!, b[j + 1]!);
    if (lo <= hi) out.push(lo, hi);
    if (a[i + 1]! < b[j + 1]!) i += 2;
    else j += 2;
  }
  return out;
}

export function subtract(a: Ranges, b: Ranges): Ranges {
  if (a.length === 0 || b.length === 0) return a;
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < a.length; i += 2) {
    let lo = a[i]!;
    const hi = a[i + 1]!;
    while (j < b.length && b[j + 1]! < lo) j += 2;
    let k = j;
    while (k < b.length && b[k]! <= hi) {
      if (b[k]! > lo) out.push(lo, b[k]! - 1);
      lo = Math.max(lo, b[k + 1]! + 1);
      k += 2;
    }
    if (lo <= hi) out.push(lo, hi);
  }
  return out;
}

/** `80,443,8000-8080`. */
export function formatRanges(a: Ranges): string {
  const parts: string[] = [];
  for (let i = 0; i < a.length; i += 2) parts.push(a[i] === a[i + 1] ? `${a[i]}` : `${a[i]}-${a[i + 1]}`);
  return parts.join(',');
}

/** Inverse of formatRanges; accepts `80,443,1000-2000` (spaces ignored). Undefined when malformed. */
export function parseRanges(text: string): Ranges | undefined {
  let out: Ranges = EMPTY_RANGES;
  const trimmed = text.replace(/\s+/g, '');
  if (trimmed === '') return out;
  for (const part of trimmed.split(',')) {
    const m = /^(\d+)(?:[-:](\d+))?$/.exec(part);
    if (!m) return undefined;
    const lo = Number(m[1]);
    const hi = Number(m[2] ?? m[1]);
    if (lo > hi) return undefined;
    out = union(out, [lo, hi]);
  }
  return out;
}
