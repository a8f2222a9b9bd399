// Checks a document against a FieldType tree: types, unknown fields, YAML 1.1 pitfalls.
// `null` is accepted anywhere and means "not set", as it does for Kubernetes decoders.
import type { InternalDocumentView } from '../collector.js';
import type { Path, PathSegment } from '../document.js';
import { didYouMean } from '../did-you-mean.js';
import { YAML11_BOOLEANS } from '../parse/yaml-schema.js';
import { formatPath } from '../path.js';
import type { FieldType } from './types.js';

const LABEL: Record<FieldType['t'], string> = {
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  'int-or-string': 'a number or a string',
  'string-map': 'a mapping of strings to strings',
  array: 'a list',
  object: 'a mapping',
  any: 'a value',
};

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number' && !Number.isFinite(value)) return Number.isNaN(value) ? '.nan' : value > 0 ? '.inf' : '-.inf';
  return `${typeof value} ${String(value)}`;
}

export interface WalkOptions {
  /**
   * Decode as calicoctl does (sigs.k8s.io/yaml into the v3 Go types, resourcemgr.go:455): field
   * names match case-insensitively, and a number, boolean or null where a string-map value is
   * expected becomes the string Go writes for it. kubectl (Kubernetes kinds) refuses both.
   */
  readonly calicoctl: boolean;
}

/**
 * Checks `value` against `type` and returns it as calicoctl decodes it: the same reference when
 * nothing changes (almost always), else a copy with canonical field names and coerced strings.
 */
export function walk(doc: InternalDocumentView, path: Path, value: unknown, type: FieldType, options: WalkOptions): unknown {
  return walkAt(doc, [...path], value, type, options.calicoctl);
}

const foldedFields = new WeakMap<object, ReadonlyMap<string, string>>();

function foldMap(fields: Readonly<Record<string, FieldType>>): ReadonlyMap<string, string> {
  let map = foldedFields.get(fields);
  if (!map) {
    map = new Map(Object.keys(fields).map((k) => [k.toLowerCase(), k]));
    foldedFields.set(fields, map);
  }
  return map;
}

// `stack` is the current path, pushed and popped in place: copied only when a problem is reported
// (a document has hundreds of nodes and usually no problem).
function walkAt(doc: InternalDocumentView, stack: PathSegment[], value: unknown, type: FieldType, ctl: boolean): unknown {
  if (value === null || value === undefined || type.t === 'any') return value;
  switch (type.t) {
    case 'string':
      if (typeof value !== 'string') mismatch(doc, [...stack], value, type);
      else if (YAML11_BOOLEANS.has(value)) {
        if (ctl) return coercedYaml11(doc, [...stack], value);
        yaml11Boolean(doc, [...stack], value);
      }
      return value;
    case 'number':
    case 'integer':
      if (typeof value !== 'number' || !Number.isFinite(value) || (type.t === 'integer' && !Number.isInteger(value))) {
        mismatch(doc, [...stack], value, type);
      }
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') {
        const word = typeof value === 'string' ? YAML11_BOOLEANS.get(value) : undefined;
        // go-yaml (YAML 1.1) reads a plain `yes` as true: calicoctl accepts it.
        if (ctl && word !== undefined && doc.styleOf([...stack]) === 'plain') {
          doc.report({ path: [...stack], code: 'coerced-boolean', severity: 'warning', message: `unquoted ${String(value)} is the boolean ${word} for calicoctl (YAML 1.1): Calico stores ${word}; write ${word}` });
          return word;
        }
        const hint = word === undefined ? '' : `; "${String(value)}" is a string in YAML 1.2 but ${word} for kubectl and calicoctl: write ${word}`;
        doc.report({ path: [...stack], code: 'type', message: `must be true or false, got ${describeValue(value)}${hint}` });
      }
      return value;
    case 'int-or-string':
      if (typeof value === 'string') {
        if (YAML11_BOOLEANS.has(value)) yaml11Boolean(doc, [...stack], value);
      } else if (typeof value !== 'number') mismatch(doc, [...stack], value, type);
      return value;
    case 'string-map':
      return walkStringMap(doc, stack, value, ctl);
    case 'array': {
      if (!Array.isArray(value)) {
        mismatch(doc, [...stack], value, type);
        return value;
      }
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        stack.push(i);
        const item: unknown = value[i];
        const next = walkAt(doc, stack, item, type.of, ctl);
        stack.pop();
        if (next !== item) (out ??= [...value])[i] = next;
      }
      return out ?? value;
    }
    case 'object':
      return walkObject(doc, stack, value, type, ctl);
  }
}

function walkObject(doc: InternalDocumentView, stack: PathSegment[], value: unknown, type: Extract<FieldType, { t: 'object' }>, ctl: boolean): unknown {
  if (typeof value !== 'object' || Array.isArray(value)) {
    mismatch(doc, [...stack], value, type);
    return value;
  }
  const input = value as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  for (const k in input) {
    const v = input[k];
    const exact = Object.hasOwn(type.fields, k) ? type.fields[k] : undefined;
    const canonical = exact ? k : ctl ? foldMap(type.fields).get(k.toLowerCase()) : undefined;
    const field = canonical === undefined ? undefined : type.fields[canonical];
    if (canonical !== undefined && field) {
      stack.push(k);
      const next = walkAt(doc, stack, v, field, ctl);
      stack.pop();
      if (canonical !== k) {
        // encoding/json matches field names case-insensitively; of several spellings of one field
        // the one that sorts last wins (sigs.k8s.io/yaml writes the JSON object with sorted keys).
        const rivals = Object.keys(input).filter((o) => o !== k && o.toLowerCase() === k.toLowerCase());
        const winner = [k, ...rivals].sort().at(-1);
        const where = stack.length === 0 ? '' : ` in ${formatPath(stack)}`;
        doc.report({
          path: [...stack, k],
          at: 'key',
          severity: 'warning',
          code: 'field-case',
          message:
            winner === k
              ? `field "${k}"${where} is read by calicoctl as "${canonical}" (field names match case-insensitively); Calico stores it as "${canonical}": write "${canonical}"`
              : `field "${k}"${where} is ignored: calicoctl reads it as "${canonical}" and keeps the value of "${winner ?? canonical}"`,
        });
        out ??= { ...input };
        delete out[k];
        if (winner === k) out[canonical] = next;
      } else if (next !== v) {
        (out ??= { ...input })[k] = next;
      }
      continue;
    }
    const ignoredWhy = type.ignored && Object.hasOwn(type.ignored, k) ? type.ignored[k] : undefined;
    if (ignoredWhy !== undefined) {
      doc.report({ path: [...stack, k], at: 'key', severity: 'warning', code: 'ignored-field', message: `field "${k}" is ignored: ${ignoredWhy}` });
      continue;
    }
    const where = stack.length === 0 ? '' : ` in ${formatPath(stack)}`;
    doc.report({
      path: [...stack, k],
      at: 'key',
      code: 'unknown-field',
      message: `unknown field "${k}"${where}${didYouMean(k, Object.keys(type.fields))}`,
    });
  }
  return out ?? value;
}

function walkStringMap(doc: InternalDocumentView, stack: PathSegment[], value: unknown, ctl: boolean): unknown {
  if (typeof value !== 'object' || Array.isArray(value)) {
    mismatch(doc, [...stack], value, { t: 'string-map' });
    return value;
  }
  const input = value as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  for (const k in input) {
    const v = input[k];
    if (typeof v === 'string') {
      if (!YAML11_BOOLEANS.has(v)) continue;
      if (!ctl) {
        yaml11Boolean(doc, [...stack, k], v);
        continue;
      }
      const stored = coercedYaml11(doc, [...stack, k], v);
      if (stored !== v) (out ??= { ...input })[k] = stored;
      continue;
    }
    const stored = ctl ? goString(v) : undefined;
    if (stored === undefined) {
      doc.report({ path: [...stack, k], code: 'type', message: `value of ${JSON.stringify(k)} must be a string, got ${describeValue(v)}; quote it` });
      continue;
    }
    doc.report({ path: [...stack, k], code: 'coerced-string', severity: 'warning', message: `value of ${JSON.stringify(k)} is ${describeValue(v)}, not a string: Calico stores the string "${stored}"; quote it` });
    (out ??= { ...input })[k] = stored;
  }
  return out ?? value;
}

/**
 * The string sigs.k8s.io/yaml makes of a scalar decoded into a Go string (yaml.go,
 * convertToJSONableObject at v1.6.0): booleans as true/false, integers in decimal, floats with
 * strconv.FormatFloat(f, 'g', -1, 32); null leaves the string empty.
 */
export function goString(value: unknown): string | undefined {
  if (value === null) return '';
  if (typeof value === 'boolean') return String(value);
  if (typeof value !== 'number') return undefined;
  if (Number.isInteger(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER) return String(value);
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf';
  return formatFloat32G(value);
}

/** Go's %g with the shortest precision that round-trips a float32. */
function formatFloat32G(value: number): string {
  const f = Math.fround(value);
  let digits = '';
  let exp = 0;
  for (let p = 1; p <= 9; p++) {
    const text = f.toExponential(p - 1);
    if (Math.fround(Number(text)) === f) {
      const [mantissa = '', e = '0'] = text.split('e');
      digits = mantissa.replace('-', '').replace('.', '');
      exp = Number(e);
      break;
    }
  }
  const sign = f < 0 ? '-' : '';
  if (exp < -4 || exp >= 6) {
    const m = digits.length > 1 ? `${digits[0] ?? ''}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** go-yaml (YAML 1.1) reads a plain `yes` as true, which Go writes into a string as "true". */
function coercedYaml11(doc: InternalDocumentView, path: Path, value: string): string {
  if (doc.styleOf(path) !== 'plain') return value;
  const stored = String(YAML11_BOOLEANS.get(value));
  doc.report({ path, code: 'coerced-string', severity: 'warning', message: `unquoted ${value} is the boolean ${stored} for calicoctl (YAML 1.1): Calico stores the string "${stored}"; quote it ("${value}") to keep "${value}"` });
  return stored;
}

function mismatch(doc: InternalDocumentView, path: Path, value: unknown, type: FieldType): void {
  doc.report({ path, code: 'type', message: `must be ${LABEL[type.t]}, got ${describeValue(value)}` });
}

function yaml11Boolean(doc: InternalDocumentView, path: Path, value: string): void {
  const meaning = YAML11_BOOLEANS.get(value);
  if (meaning === undefined) return;
  doc.reportIfPlain({
    path,
    code: 'yaml11-boolean',
    message: `unquoted ${value} is the boolean ${meaning} for kubectl and calicoctl (YAML 1.1), not a string: quote it ("${value}")`,
  });
}
