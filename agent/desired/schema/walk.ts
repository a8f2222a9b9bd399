// Checks a document against a FieldType tree: types, unknown fields, YAML 1.1 pitfalls.
// `null` is accepted anywhere and means "not set", as it does for Kubernetes decoders.
import type { InternalDocumentView } from '../collector.js';
import type { Path } from '../document.js';
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
  if (value === null || value === undefined || type.t === 'any') return;
  switch (type.t) {
    case 'string':
      if (typeof value !== 'string') mismatch(doc, path, value, type);
      else yaml11Boolean(doc, path, value);
      return;
    case 'number':
    case 'integer':
      if (typeof value !== 'number' || !Number.isFinite(value) || (type.t === 'integer' && !Number.isInteger(value))) {
        mismatch(doc, path, value, type);
      }
      return;
    case 'boolean':
      if (typeof value !== 'boolean') {
        const word = typeof value === 'string' ? YAML11_BOOLEANS.get(value) : undefined;
        const hint = word === undefined ? '' : `; "${String(value)}" is a string in YAML 1.2 but ${word} for kubectl and calicoctl: write ${word}`;
        doc.report({ path, code: 'type', message: `must be true or false, got ${describeValue(value)}${hint}` });
      }
      return;
    case 'int-or-string':
      if (typeof value === 'string') yaml11Boolean(doc, path, value);
      else if (typeof value !== 'number') mismatch(doc, path, value, type);
      return;
    case 'string-map':
      if (typeof value !== 'object' || Array.isArray(value)) return mismatch(doc, path, value, type);
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== 'string') {
          doc.report({ path: [...path, k], code: 'type', message: `value of ${JSON.stringify(k)} must be a string, got ${describeValue(v)}; quote it` });
        } else yaml11Boolean(doc, [...path, k], v);
      }
      return;
    case 'array':
      if (!Array.isArray(value)) return mismatch(doc, path, value, type);
      for (let i = 0; i < value.length; i++) walk(doc, [...path, i], value[i], type.of);
      return;
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return mismatch(doc, path, value, type);
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const field = type.fields[k];
        if (field) {
          walk(doc, [...path, k], v, field);
          continue;
        }
        const ignoredWhy = type.ignored?.[k];
        if (ignoredWhy !== undefined) {
          doc.report({ path: [...path, k], at: 'key', severity: 'warning', code: 'ignored-field', message: `field "${k}" is ignored: ${ignoredWhy}` });
          continue;
        }
        const where = path.length === 0 ? '' : ` in ${formatPath(path)}`;
        doc.report({
          path: [...path, k],
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
