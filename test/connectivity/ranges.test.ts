import { describe, expect, it } from 'vitest';
import { formatRanges, intersect, parseRanges, subtract, union } from '../../agent/connectivity/ranges.js';

const r = (t: string) => parseRanges(t)!;

describe('ranges', () => {
  it.each([
    ['80', '443', '80,443'],
    ['1-10', '11-20', '1-20'],
    ['1-10', '5-30', '1-30'],
    ['50', '1-100', '1-100'],
    ['', '7', '7'],
  ])('union %s + %s = %s', (a, b, want) => expect(formatRanges(union(r(a), r(b)))).toBe(want));

  it.each([
    ['1-100', '50-150', '50-100'],
    ['1-10,20-30', '5-25', '5-10,20-25'],
    ['1-10', '11-20', ''],
  ])('intersect %s & %s = %s', (a, b, want) => expect(formatRanges(intersect(r(a), r(b)))).toBe(want));

  it.each([
    ['1-65535', '443', '1-442,444-65535'],
    ['1-100', '1-100', ''],
    ['1-100', '200', '1-100'],
    ['1-10,20-30', '5-25', '1-4,26-30'],
    ['80-90', '85,87', '80-84,86,88-90'],
  ])('subtract %s - %s = %s', (a, b, want) => expect(formatRanges(subtract(r(a), r(b)))).toBe(want));

  it.each(['x', '5-1', '1--2'])('parseRanges refuses %s', (t) => expect(parseRanges(t)).toBeUndefined());
});
