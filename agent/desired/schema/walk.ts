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

export function walk(doc: InternalDocumentView, path: Path, value: unknown, type: FieldType): void {
  walkAt(doc, [...path], value, type);
}

// `stack` is the current path, pushed and popped in place: copied only when a problem is reported
// (a document has hundreds of nodes and usually no problem).
function walkAt(doc: InternalDocumentView, stack: PathSegment[], value: unknown, type: FieldType): void {
  if (value === null || value === undefined || type.t === 'any') return;
  switch (type.t) {
    case 'string':
      if (typeof value !== 'string') mismatch(doc, [...stack], value, type);
      else if (YAML11_BOOLEANS.has(value)) yaml11Boolean(doc, [...stack], value);
      return;
    case 'number':
    case 'integer':
      if (typeof value !== 'number' || !Number.isFinite(value) || (type.t === 'integer' && !Number.isInteger(value))) {
        mismatch(doc, [...stack], value, type);
      }
      return;
    case 'boolean':
      if (typeof value !== 'boolean') {
        const word = typeof value === 'string' ? YAML11_BOOLEANS.get(value) : undefined;
        const hint = word === undefined ? '' : `; "${String(value)}" is a string in YAML 1.2 but ${word} for kubectl and calicoctl: write ${word}`;
        doc.report({ path: [...stack], code: 'type', message: `must be true or false, got ${describeValue(value)}${hint}` });
      }
      return;
    case 'int-or-string':
      if (typeof value === 'string') {
        if (YAML11_BOOLEANS.has(value)) yaml11Boolean(doc, [...stack], value);
      } else if (typeof value !== 'number') mismatch(doc, [...stack], value, type);
      return;
    case 'string-map':
      if (typeof value !== 'object' || Array.isArray(value)) return mismatch(doc, [...stack], value, type);
      for (const k in value) {
        const v = (value as Record<string, unknown>)[k];
        if (typeof v !== 'string') {
          doc.report({ path: [...stack, k], code: 'type', message: `value of ${JSON.stringify(k)} must be a string, got ${describeValue(v)}; quote it` });
        } else if (YAML11_BOOLEANS.has(v)) yaml11Boolean(doc, [...stack, k], v);
      }
      return;
    case 'array':
      if (!Array.isArray(value)) return mismatch(doc, [...stack], value, type);
      for (let i = 0; i < value.length; i++) {
        stack.push(i);
        walkAt(doc, stack, value[i], type.of);
        stack.pop();
      }
      return;
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return mismatch(doc, [...stack], value, type);
      for (const k in value) {
        const v = (value as Record<string, unknown>)[k];
        const field = Object.hasOwn(type.fields, k) ? type.fields[k] : undefined;
        if (field) {
          stack.push(k);
          walkAt(doc, stack, v, field);
          stack.pop();
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
      return;
    }
  }
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
