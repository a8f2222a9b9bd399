// A faster canonical JSON for normalized manifests: the same text as domain's canonicalJson
// (sorted keys, no whitespace, undefined properties omitted), but without sorting objects whose
// keys are already in order, which normalized manifests are. Tested to be byte-identical.
import { createHash } from 'node:crypto';

export function canonicalJsonFast(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    return typeof value === 'number' && !Number.isFinite(value) ? 'null' : (JSON.stringify(value) ?? 'null');
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      out += (i === 0 ? '' : ',') + (item === undefined || typeof item === 'function' ? 'null' : canonicalJsonFast(item));
    }
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  let keys = Object.keys(obj);
  for (let i = 1; i < keys.length; i++) {
    if ((keys[i - 1] as string) > (keys[i] as string)) {
      keys = [...keys].sort();
      break;
    }
  }
  let out = '{';
  let first = true;
  for (const key of keys) {
    const v = obj[key];
    if (v === undefined || typeof v === 'function') continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJsonFast(v)}`;
    first = false;
  }
  return `${out}}`;
}

/**
 * True when JSON.stringify already writes the canonical text: every object's keys are in sorted
 * order (integer-like keys, which JavaScript always enumerates first, can break that) and no
 * value needs dropping or replacing.
 */
function inCanonicalOrder(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return typeof value !== 'number' || Number.isFinite(value);
  if (Array.isArray(value)) {
    for (const item of value) if (item === undefined || !inCanonicalOrder(item)) return false;
    return true;
  }
  let previous: string | undefined;
  for (const key in value) {
    if (previous !== undefined && previous > key) return false;
    previous = key;
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined || typeof v === 'function' || !inCanonicalOrder(v)) return false;
  }
  return true;
}

/** Equals domain's contentHash(value) (sha256 hex, first 16 characters). */
export function contentHashFast(value: unknown): string {
  const text = inCanonicalOrder(value) ? JSON.stringify(value) : canonicalJsonFast(value);
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
