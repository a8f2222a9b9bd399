import { createHash } from 'node:crypto';
import { configure } from 'safe-stable-stringify';

const canonical = configure({ deterministic: true, circularValue: Error, bigint: false });

/** Canonical JSON: sorted keys, no whitespace; the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  const text = canonical(value);
  if (text === undefined) throw new TypeError('value has no JSON form');
  return text;
}

/** Short sha256 hex digest of the canonical JSON of a value. */
export function contentHash(value: unknown, length = 16): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, length);
}
