// Small readers for rule functions: type checks and unknown-field reports with a did-you-mean
// hint, phrased the way kubectl's strict decoding would fail (unknown field, wrong type).
import type { JsonObject, JsonValue } from '../../domain/index.js';
import { closest } from '../did-you-mean.js';
import type { DocumentView, Path } from '../document.js';

export function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `a mapping`, `a list`, `the string "x"` ... for "expected X, found Y" messages. */
export function describeValue(value: JsonValue | undefined): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  return `the ${typeof value} ${String(value)}`;
}

/**
 * Reports every key of `obj` that is not in `known`. `hints` maps a likely mistake to a sentence
 * that beats edit distance (a Calico field name in a Kubernetes object, `from` in an egress rule).
 */
export function checkKnownFields(
  doc: DocumentView,
  path: Path,
  obj: JsonObject,
  known: readonly string[],
  hints: Readonly<Record<string, string>> = {},
): void {
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue;
    const hint = Object.hasOwn(hints, key) ? hints[key] : undefined;
    const near = hint === undefined ? closest(key, known) : undefined;
    const suffix = hint !== undefined ? ` (${hint})` : near !== undefined ? ` (did you mean "${near}"?)` : '';
    doc.report({
      path: [...path, key],
      message: `unknown field "${key}"${suffix}; known fields here: ${known.join(', ')}`,
      code: 'unknown-field',
      at: 'key',
    });
  }
}

/** The mapping at `path`, or undefined after reporting a type error. Null and absent pass silently. */
export function objectAt(doc: DocumentView, path: Path, value: JsonValue | undefined, what: string): JsonObject | undefined {
  if (value === undefined || value === null) return undefined;
  if (isObject(value)) return value;
  doc.report({ path, message: `${what} must be a mapping, found ${describeValue(value)}`, code: 'type' });
  return undefined;
}

/** The list at `path`, or undefined after reporting a type error. Null and absent pass silently. */
export function listAt(doc: DocumentView, path: Path, value: JsonValue | undefined, what: string): readonly JsonValue[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value;
  doc.report({ path, message: `${what} must be a list, found ${describeValue(value)}`, code: 'type' });
  return undefined;
}

/** The string at `path`, or undefined after reporting a type error. Null and absent pass silently. */
export function stringAt(doc: DocumentView, path: Path, value: JsonValue | undefined, what: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  const quote = typeof value === 'number' || typeof value === 'boolean' ? ` (quote it: "${String(value)}")` : '';
  doc.report({ path, message: `${what} must be a string, found ${describeValue(value)}${quote}`, code: 'type' });
  return undefined;
}
