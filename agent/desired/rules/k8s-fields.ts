// Small readers for rule functions: type checks and unknown-field reports with a did-you-mean
// hint, phrased the way kubectl's strict decoding would fail (unknown field, wrong type).
import type { JsonObject, JsonValue } from '../../domain/index.js';
import { closest } from '../did-you-mean.js';
import type { DocumentView, Path } from '../document.js';
import { YAML11_BOOLEANS } from '../parse/yaml-schema.js';

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
    const near = hint === undefined ? nearestField(key, known) : undefined;
    const suffix = hint !== undefined ? ` (${hint})` : near !== undefined ? ` (did you mean "${near}"?)` : '';
    doc.report({
      path: [...path, key],
      message: `unknown field "${key}"${suffix}; known fields here: ${known.join(', ')}`,
      code: 'unknown-field',
      at: 'key',
    });
  }
}

/**
 * The known field `key` is probably a typo of: edit distance as everywhere, plus one swap of
 * neighbouring letters (`form` for `from`), which plain Levenshtein counts as two edits.
 */
export function nearestField(key: string, known: readonly string[]): string | undefined {
  return closest(key, known) ?? known.find((k) => isAdjacentSwap(key, k));
}

function isAdjacentSwap(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i < a.length - 1 && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
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

/**
 * An unquoted `yes`/`on`/`no`/`off` is a string to our YAML 1.2 parser but a boolean to kubectl's
 * YAML 1.1 decoder, which then fails on a string field. Only the desired stage's own view knows
 * how a scalar was written, so this is a no-op on any other DocumentView.
 */
export function checkYaml11Boolean(doc: DocumentView, path: Path, value: string): void {
  const meaning = YAML11_BOOLEANS.get(value);
  if (meaning === undefined) return;
  doc.reportIfPlain?.({
    path,
    code: 'yaml11-boolean',
    message: `unquoted ${value} is the boolean ${meaning} for kubectl (YAML 1.1), not a string: quote it ("${value}")`,
  });
}
